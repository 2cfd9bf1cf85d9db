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
    unsigned n = 2 + m->ins.count + m->outs.count;
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        n += e->words.count;
    const char **args = idlc_alloc(g->a, n * sizeof(const char *));
    unsigned k = 0;
    args[k++] = "void *ctx";
    args[k++] = "uint64_t badge";
    for (const idlc_param_t *p = m->ins.head; p; p = p->next)
        args[k++] = idlc_gen_decl(g->a, p, false);
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        args[k++] = idlc_gen_decl(g->a, p, true);
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
        " * raw message.\n");
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
            " *     type: AK_EBADMSG.\n"
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

static void idlc_server_method(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m)
{
    const char *mac = idlc_gen_macro(g->a, ifc, m);
    bool uses_buf = idlc_gen_max_words(m) > IDLC_REG_WORDS;

    idlc_sbuf_printf(g->out, "/* %s (%s:%u) */\n", m->name, g->f->base, m->loc.line);
    idlc_sbuf_printf(g->out, "static int idlc_%s_%s(const %s_handlers_t *h, void *ctx, uint64_t badge, ak_msg_t *m,\n"
                             "%*sak_ipcbuf_t *buf)\n{\n", ifc->name, m->name, ifc->name,
                     (int)(18 + strlen(ifc->name) + strlen(m->name)), "");
    if (m->ins.count)
        idlc_sbuf_printf(g->out, "    %s_%s_req_t req;\n", ifc->name, m->name);
    if (m->outs.count)
        idlc_sbuf_printf(g->out, "    %s_%s_rep_t rep;\n", ifc->name, m->name);
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        idlc_sbuf_printf(g->out, "    %s out_%s = 0;\n", idlc_type_ctype(p->type), p->name);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        for (const idlc_param_t *p = e->words.head; p; p = p->next)
            idlc_sbuf_printf(g->out, "    %s out_%s = 0;\n", idlc_type_ctype(p->type), p->name);
    idlc_sbuf_puts(g->out, "    int rc;\n\n");
    if (!uses_buf)
        idlc_sbuf_puts(g->out, "    (void)buf;\n");

    idlc_sbuf_printf(g->out, "    if (h->%s == NULL)\n        return idlc_fail(m, AK_ENOSYS);\n", m->name);
    if (m->kernel)
        idlc_sbuf_puts(g->out, "    if ((badge & AK_PAGER_BADGE_BIT) == 0)\n        return idlc_fail(m, AK_EPERM);\n");
    idlc_sbuf_printf(g->out, "    if (ak_msginfo_len(m->info) != %s_REQ_WORDS)\n"
                             "        return idlc_fail(m, AK_EBADMSG);\n", mac);
    idlc_gen_decode(g, &m->ins, "req", "m->w", "buf->words", "return idlc_fail(m, AK_EBADMSG);", "    ");

    /* The call: decoded ins (narrowed, they were range-checked), then out pointers. */
    idlc_sbuf_printf(g->out, "\n    rc = h->%s(ctx, badge", m->name);
    for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
        if (idlc_type_bits(p->type) == 64)
            idlc_sbuf_printf(g->out, ", req.%s", p->name);
        else
            idlc_sbuf_printf(g->out, ", (%s)req.%s", idlc_type_ctype(p->type), p->name);
    }
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        idlc_sbuf_printf(g->out, ", &out_%s", p->name);
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
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next)
        for (const idlc_method_t *m = ifc->methods; m; m = m->next) {
            any = true;
            sword |= idlc_gen_needs_sword(&m->ins);
        }
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
