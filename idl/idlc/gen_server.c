/*
 * Generates X_server.h and X_server.c: per interface a table of handlers
 * and a dispatch function that decodes and validates a request completely
 * before any handler runs (decode, then act), then encodes the reply.
 * The server code includes only X_types.h, hence only akuma/abi headers:
 * the kernel uses the server side of kernel.idl.
 */
#include <string.h>

#include <idlc/gen.h>

/* A handler's parameters: ctx, badge, the ins, then a pointer per reply word. */
static void idlc_server_handler(idlc_gen_t *g, const idlc_method_t *m)
{
    unsigned n = 2 + 2 * (m->ins.count + m->outs.count);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        n += e->words.count;
    const char **args = idlc_alloc(g->a, n * sizeof(const char *));
    unsigned k = 0;
    args[k++] = "void *ctx";
    args[k++] = "uint64_t badge";
    for (const idlc_param_t *p = m->ins.head; p; p = p->next)
        k += idlc_gen_param_decls(g->a, p, false, true, args + k);
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        k += idlc_gen_param_decls(g->a, p, true, true, args + k);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        for (const idlc_param_t *p = e->words.head; p; p = p->next)
            args[k++] = idlc_gen_decl(g->a, p, true);
    idlc_gen_signature(g, idlc_gen_name(g->a, "    int (*%s)(", m->name), args, k, ");\n");
}

void idlc_gen_server_h(idlc_gen_t *g)
{
    idlc_gen_open(g, idlc_gen_name(g->a, "%s_server.h", g->f->stem),
        " * Server side: per interface I a table of handlers, I_handlers_t, and\n"
        " * I_dispatch(), which decodes a request, calls its handler and encodes\n"
        " * the reply.  Includes only akuma/abi headers (the kernel uses it).\n"
        " *\n"
        " * A handler gets the ctx given to I_dispatch, the sender's badge (stamped\n"
        " * by the kernel, the only trustworthy identity) and the decoded in\n"
        " * parameters.  It returns 0 after storing every out_ value (they start\n"
        " * at 0), or a negated AK_E* error; for an error the method declares with\n"
        " * `error E(...)` it also stores that reply's words.  It never sees the\n"
        " * raw message.\n"
        " *\n"
        " * Strings and arrays (idl/README.md) reach it as copies on the dispatch's\n"
        " * stack, checked: an in str as a NUL-terminated string, an in strs or bytes\n"
        " * as a pointer and a length, an in array as a pointer and a count; they\n"
        " * stay valid until it returns, whatever IPC it makes meanwhile.  An out\n"
        " * str is a zeroed buffer of its bound plus a NUL; an out strs, bytes or\n"
        " * array a zeroed buffer of its bound and a length (out_NAME_len,\n"
        " * out_NAME_count) starting at 0.  A length past its bound, a str without\n"
        " * its NUL or a strs not ending in one is a handler bug, replied AK_EIO.\n");
    idlc_sbuf_printf(g->out, "\n#include <stdint.h>\n\n#include \"%s_types.h\"\n", g->f->stem);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next) {
        idlc_sbuf_printf(g->out, "\n/* ---- interface %s ---- */\n\n", ifc->name);
        idlc_sbuf_printf(g->out, "/* The handlers of %s; a NULL handler makes its method answer AK_ENOSYS. */\n"
                                 "typedef struct %s_handlers {\n", ifc->name, ifc->name);
        for (const idlc_method_t *m = ifc->methods; m; m = m->next) {
            idlc_sbuf_printf(g->out, "    /* %s (%s:%u)%s */\n", m->name, g->f->base, m->loc.line,
                             m->kernel ? ": sent by the kernel; the reply resumes (0) or kills" : "");
            idlc_server_handler(g, m);
        }
        if (ifc->methods == NULL)
            idlc_sbuf_puts(g->out, "    int idlc_no_methods;\n");
        idlc_sbuf_printf(g->out, "} %s_handlers_t;\n\n", ifc->name);
        idlc_sbuf_printf(g->out,
            "/*\n"
            " * Serves the request in m (words 4 and up in buf) and leaves the reply\n"
            " * in m and buf, ready to send.  The request is rejected, with no handler\n"
            " * run and a reply of no words, if:\n"
            " *   - reserved info bits are set or the length exceeds AK_MSG_MAX_WORDS:\n"
            " *     AK_EBADMSG;\n"
            " *   - the label is no method of %s, or its handler is NULL: AK_ENOSYS;\n"
            " *   - a kernel message comes without AK_PAGER_BADGE_BIT in the badge:\n"
            " *     AK_EPERM;\n"
            " *   - the length is not the method's, or a word does not fit its\n"
            " *     type: AK_EBADMSG; with strings or arrays, also a length past\n"
            " *     its bound, a message length other than the fixed words plus\n"
            " *     each tail, a NUL inside a str, a strs not ending in NUL, nonzero\n"
            " *     padding, or an array element's str field without its NUL.\n"
            " * Otherwise the handler runs and the reply's label is its result: 0 with\n"
            " * the out words, or its error with no words (or the words of a\n"
            " * declared error).  A handler result that is neither 0 nor in\n"
            " * -AK_ERRNO_MAX..-1 is replied as AK_EIO.\n"
            " * Returns 0 or the negated label of the reply, for the caller's records.\n"
            " * m and h must be valid; buf must be valid if %s_MAX_WORDS > 4.\n"
            " */\n",
            ifc->name, idlc_upper(g->a, ifc->name));
        idlc_sbuf_printf(g->out, "int %s_dispatch(const %s_handlers_t *h, void *ctx, uint64_t badge, ak_msg_t *m,\n"
                                 "%*sak_ipcbuf_t *buf);\n", ifc->name, ifc->name,
                         (int)(14 + strlen(ifc->name)), "");
    }
    idlc_sbuf_printf(g->out, "\n#endif\n");
}

/* Encodes message l from struct var into m and buf; zeroes unused register words. */
static void idlc_server_encode(idlc_gen_t *g, const idlc_params_t *l, const char *var, const char *indent)
{
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        const char *dst = idlc_gen_name(g->a, p->word < IDLC_REG_WORDS ? "m->w[%u]" : "buf->words[%u]", p->word);
        if (idlc_type_signed(p->type))
            idlc_sbuf_printf(g->out, "%s%s = (uint64_t)%s.%s;\n", indent, dst, var, p->name);
        else
            idlc_sbuf_printf(g->out, "%s%s = %s.%s;\n", indent, dst, var, p->name);
    }
    for (unsigned w = l->count; w < IDLC_REG_WORDS; w++)
        idlc_sbuf_printf(g->out, "%sm->w[%u] = 0;\n", indent, w);
}

/* The C type of the local a bounded parameter's data is copied into (in) or written to (out). */
static const char *idlc_server_buffer(idlc_gen_t *g, const char *prefix, const idlc_param_t *p, const char *local)
{
    const char *max = idlc_gen_name(g->a, "%s_%s_MAX", prefix, idlc_upper(g->a, p->name));
    switch (p->kind) {
    case IDLC_STR:
        return idlc_gen_name(g->a, "char %s[%s + 1u]", local, max);
    case IDLC_STRS:
        return idlc_gen_name(g->a, "char %s[%s]", local, max);
    case IDLC_BYTES:
        return idlc_gen_name(g->a, "uint8_t %s[%s]", local, max);
    case IDLC_ARRAY:
        return idlc_gen_name(g->a, "%s_t %s[%s]", p->elem->name, local, max);
    case IDLC_SCALAR:
        break;
    }
    return "";
}

/* The reply of a bounded method: lengths checked, then the image built and scattered. */
static void idlc_server_bounded_reply(idlc_gen_t *g, const idlc_method_t *m, const char *prefix)
{
    for (const idlc_param_t *p = m->outs.head; p; p = p->next) {
        const char *f = idlc_gen_field(g->a, p);
        if (p->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, "    rep.%s = idlc_strlen(out_%s, %s_%s_MAX);\n", f, p->name, prefix,
                             idlc_upper(g->a, p->name));
        else
            idlc_sbuf_printf(g->out, "    rep.%s = out_%s;\n", f, f);
    }
    bool first = true;
    for (const idlc_param_t *p = m->outs.head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        idlc_sbuf_puts(g->out, first ? "    if (" : " ||\n        ");
        idlc_sbuf_printf(g->out, "rep.%s > %s_%s_MAX", idlc_gen_field(g->a, p), prefix, idlc_upper(g->a, p->name));
        first = false;
    }
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        if (p->kind == IDLC_STRS)
            idlc_sbuf_printf(g->out, " ||\n        (rep.%s != 0 && out_%s[rep.%s - 1u] != '\\0')",
                             idlc_gen_field(g->a, p), p->name, idlc_gen_field(g->a, p));
    idlc_sbuf_puts(g->out, ")\n        return idlc_fail(m, AK_EIO);\n");
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        idlc_sbuf_printf(g->out, "    idlc_o[%u] = %srep.%s;\n", p->word,
                         p->kind == IDLC_SCALAR && idlc_type_signed(p->type) ? "(uint64_t)" : "",
                         idlc_gen_field(g->a, p));
    idlc_gen_encode_tail(g, &m->outs, prefix, "rep", "idlc_o", "out_", "return idlc_fail(m, AK_EIO);", "    ");
    idlc_sbuf_puts(g->out, "    m->info = ak_msginfo(0, idlc_at);\n"
                           "    idlc_scatter(m, buf, idlc_o, idlc_at);\n"
                           "    return 0;\n}\n\n");
}

static void idlc_server_method(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m)
{
    const char *mac = idlc_gen_macro(g->a, ifc, m);
    const char *req_prefix = idlc_gen_name(g->a, "%s_REQ", mac);
    const char *rep_prefix = idlc_gen_name(g->a, "%s_REP", mac);
    bool bounded = m->ins.bounded || m->outs.bounded;
    bool uses_buf = idlc_gen_max_words(m) > IDLC_REG_WORDS || bounded;

    idlc_sbuf_printf(g->out, "/* %s (%s:%u) */\n", m->name, g->f->base, m->loc.line);
    idlc_sbuf_printf(g->out, "static int idlc_%s_%s(const %s_handlers_t *h, void *ctx, uint64_t badge, ak_msg_t *m,\n"
                             "%*sak_ipcbuf_t *buf)\n{\n", ifc->name, m->name, ifc->name,
                     (int)(18 + strlen(ifc->name) + strlen(m->name)), "");
    if (m->ins.count)
        idlc_sbuf_printf(g->out, "    %s_%s_req_t req;\n", ifc->name, m->name);
    if (m->ins.bounded)
        idlc_sbuf_puts(g->out, "    uint64_t idlc_w[AK_MSG_MAX_WORDS] = { 0 };\n");
    if (m->outs.bounded)
        idlc_sbuf_puts(g->out, "    uint64_t idlc_o[AK_MSG_MAX_WORDS] = { 0 };\n");
    if (bounded)
        idlc_sbuf_puts(g->out, "    uint64_t idlc_at;\n");
    for (const idlc_param_t *p = m->ins.head; p; p = p->next)
        if (p->kind != IDLC_SCALAR)
            idlc_sbuf_printf(g->out, "    %s;\n",
                             idlc_server_buffer(g, req_prefix, p, idlc_gen_name(g->a, "in_%s", p->name)));
    if (m->outs.count)
        idlc_sbuf_printf(g->out, "    %s_%s_rep_t rep;\n", ifc->name, m->name);
    for (const idlc_param_t *p = m->outs.head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR) {
            idlc_sbuf_printf(g->out, "    %s out_%s = 0;\n", idlc_type_ctype(p->type), p->name);
            continue;
        }
        idlc_sbuf_printf(g->out, "    %s = { 0 };\n",
                         idlc_server_buffer(g, rep_prefix, p, idlc_gen_name(g->a, "out_%s", p->name)));
        if (p->kind != IDLC_STR)
            idlc_sbuf_printf(g->out, "    uint64_t out_%s = 0;\n", idlc_gen_length_name(g->a, p));
    }
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        for (const idlc_param_t *p = e->words.head; p; p = p->next)
            idlc_sbuf_printf(g->out, "    %s out_%s = 0;\n", idlc_type_ctype(p->type), p->name);
    idlc_sbuf_puts(g->out, "    int rc;\n\n");
    if (!uses_buf)
        idlc_sbuf_puts(g->out, "    (void)buf;\n");

    idlc_sbuf_printf(g->out, "    if (h->%s == NULL)\n        return idlc_fail(m, AK_ENOSYS);\n", m->name);
    if (m->kernel)
        idlc_sbuf_puts(g->out, "    if ((badge & AK_PAGER_BADGE_BIT) == 0)\n        return idlc_fail(m, AK_EPERM);\n");
    if (m->ins.bounded) {
        const char *fail = "return idlc_fail(m, AK_EBADMSG);";
        idlc_sbuf_printf(g->out, "    if (ak_msginfo_len(m->info) < %s_WORDS || ak_msginfo_len(m->info) > %s_MAX_WORDS)\n"
                                 "        %s\n"
                                 "    idlc_gather(idlc_w, m, buf, ak_msginfo_len(m->info));\n",
                         req_prefix, req_prefix, fail);
        idlc_gen_decode(g, &m->ins, "req", "idlc_w", "idlc_w", fail, "    ");
        idlc_gen_decode_tail(g, &m->ins, req_prefix, "req", "idlc_w", "ak_msginfo_len(m->info)", fail, "    ");
        idlc_gen_copy_tail(g, &m->ins, req_prefix, "req", "idlc_w", "in_", "    ");
    } else {
        idlc_sbuf_printf(g->out, "    if (ak_msginfo_len(m->info) != %s_REQ_WORDS)\n"
                                 "        return idlc_fail(m, AK_EBADMSG);\n", mac);
        idlc_gen_decode(g, &m->ins, "req", "m->w", "buf->words", "return idlc_fail(m, AK_EBADMSG);", "    ");
    }

    /* The call: decoded ins (narrowed, they were range-checked), then out pointers. */
    idlc_sbuf_printf(g->out, "\n    rc = h->%s(ctx, badge", m->name);
    for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
        if (p->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, ", in_%s", p->name);
        else if (p->kind != IDLC_SCALAR)
            idlc_sbuf_printf(g->out, ", in_%s, req.%s", p->name, idlc_gen_field(g->a, p));
        else if (idlc_type_bits(p->type) == 64)
            idlc_sbuf_printf(g->out, ", req.%s", p->name);
        else
            idlc_sbuf_printf(g->out, ", (%s)req.%s", idlc_type_ctype(p->type), p->name);
    }
    for (const idlc_param_t *p = m->outs.head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            idlc_sbuf_printf(g->out, ", &out_%s", p->name);
        else if (p->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, ", out_%s", p->name);
        else
            idlc_sbuf_printf(g->out, ", out_%s, &out_%s", p->name, idlc_gen_length_name(g->a, p));
    }
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        for (const idlc_param_t *p = e->words.head; p; p = p->next)
            idlc_sbuf_printf(g->out, ", &out_%s", p->name);
    idlc_sbuf_puts(g->out, ");\n");

    for (const idlc_errclause_t *e = m->errors; e; e = e->next) {
        idlc_sbuf_printf(g->out, "    if (rc == -(int)(%s)) {\n", e->cname);
        if (e->words.count) {
            const char *type = idlc_gen_name(g->a, "%s_%s_err_%s_t", ifc->name, m->name, idlc_lower(g->a, e->cname));
            idlc_sbuf_printf(g->out, "        %s err;\n\n", type);
            for (const idlc_param_t *p = e->words.head; p; p = p->next)
                idlc_sbuf_printf(g->out, "        err.%s = out_%s;\n", p->name, p->name);
        }
        idlc_sbuf_printf(g->out, "        m->info = ak_msginfo(%s, %s_%s_WORDS);\n", e->cname, mac,
                         idlc_gen_errtag(g->a, e));
        idlc_server_encode(g, &e->words, "err", "        ");
        idlc_sbuf_puts(g->out, "        return rc;\n    }\n");
    }
    idlc_sbuf_puts(g->out, "    if (rc != 0)\n        return idlc_fail(m, idlc_status(rc));\n");
    if (m->outs.bounded) {
        idlc_server_bounded_reply(g, m, rep_prefix);
        return;
    }
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        idlc_sbuf_printf(g->out, "    rep.%s = out_%s;\n", p->name, p->name);
    idlc_sbuf_printf(g->out, "    m->info = ak_msginfo(0, %s_REP_WORDS);\n", mac);
    idlc_server_encode(g, &m->outs, "rep", "    ");
    idlc_sbuf_puts(g->out, "    return 0;\n}\n\n");
}

void idlc_gen_server_c(idlc_gen_t *g)
{
    idlc_gen_open(g, idlc_gen_name(g->a, "%s_server.c", g->f->stem),
        " * Server dispatch; the contract is in the header.\n");
    idlc_sbuf_printf(g->out, "\n#include \"%s_server.h\"\n\n", g->f->stem);

    bool any = false, sword = false;
    idlc_needs_t needs;
    idlc_needs_init(g, &needs);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next)
        for (const idlc_method_t *m = ifc->methods; m; m = m->next) {
            any = true;
            sword |= idlc_gen_needs_sword(&m->ins);
            idlc_needs_message(&needs, &m->ins, true);
            idlc_needs_message(&needs, &m->outs, false);
        }
    sword |= idlc_needs_sword(&needs);
    idlc_sbuf_puts(g->out,
        "/* Makes m a reply of label err and no words; returns -err. */\n"
        "static int idlc_fail(ak_msg_t *m, uint64_t err)\n"
        "{\n"
        "    m->info = ak_msginfo(err, 0);\n"
        "    m->w[0] = m->w[1] = m->w[2] = m->w[3] = 0;\n"
        "    return -(int)err;\n"
        "}\n\n");
    if (any)
        idlc_sbuf_puts(g->out,
            "/* The reply label for a handler's failure: its error, or AK_EIO if rc is none. */\n"
            "static uint64_t idlc_status(int rc)\n"
            "{\n"
            "    return rc < 0 && rc >= -(int)AK_ERRNO_MAX ? (uint64_t)-rc : (uint64_t)AK_EIO;\n"
            "}\n\n");
    if (sword)
        idlc_gen_sword(g);
    idlc_gen_helpers(g, &needs);

    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next) {
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            idlc_server_method(g, ifc, m);
        idlc_sbuf_printf(g->out, "int %s_dispatch(const %s_handlers_t *h, void *ctx, uint64_t badge, ak_msg_t *m,\n"
                                 "%*sak_ipcbuf_t *buf)\n{\n", ifc->name, ifc->name,
                         (int)(14 + strlen(ifc->name)), "");
        if (ifc->methods == NULL)
            idlc_sbuf_puts(g->out, "    (void)h;\n    (void)ctx;\n    (void)badge;\n    (void)buf;\n");
        idlc_sbuf_puts(g->out, "    if (!ak_msginfo_valid(m->info))\n        return idlc_fail(m, AK_EBADMSG);\n"
                               "    switch (ak_msginfo_label(m->info)) {\n");
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            idlc_sbuf_printf(g->out, "    case %s_LABEL_%s:\n        return idlc_%s_%s(h, ctx, badge, m, buf);\n",
                             idlc_upper(g->a, ifc->name), idlc_upper(g->a, m->name), ifc->name, m->name);
        idlc_sbuf_puts(g->out, "    default:\n        return idlc_fail(m, AK_ENOSYS);\n    }\n}\n\n");
    }
}
