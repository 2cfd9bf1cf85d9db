/*
 * Generates X_client.h and X_client.c: one stub per method a process can
 * call (every method but [kernel] messages).  A stub marshals its
 * arguments, calls the out-of-line ak_ipc_call() (akuma/ipc.h, so tests
 * can replace it), checks the reply strictly and only then writes the
 * out_ pointers.  The rules a stub follows are stated once, in the header
 * comment of X_client.h.
 */
#include <idlc/gen.h>

/* The stub's parameters: ep, the ins, then a pointer per reply word. */
static unsigned idlc_client_args(idlc_gen_t *g, const idlc_method_t *m, const char **args)
{
    unsigned n = 0;
    args[n++] = "uint64_t ep";
    for (const idlc_param_t *p = m->ins.head; p; p = p->next)
        n += idlc_gen_param_decls(g->a, p, false, false, args + n);
    for (const idlc_param_t *p = m->outs.head; p; p = p->next)
        n += idlc_gen_param_decls(g->a, p, true, false, args + n);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        for (const idlc_param_t *p = e->words.head; p; p = p->next)
            args[n++] = idlc_gen_decl(g->a, p, true);
    return n;
}

/* Room for the argument list of m. */
static const char **idlc_client_argv(idlc_gen_t *g, const idlc_method_t *m)
{
    unsigned n = 1 + 2 * (m->ins.count + m->outs.count);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next)
        n += e->words.count;
    return idlc_alloc(g->a, n * sizeof(const char *));
}

static void idlc_client_proto(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m, const char *tail)
{
    const char **args = idlc_client_argv(g, m);
    unsigned n = idlc_client_args(g, m, args);
    idlc_gen_signature(g, idlc_gen_name(g->a, "int %s_%s(", ifc->name, m->name), args, n, tail);
}

void idlc_gen_client_h(idlc_gen_t *g)
{
    idlc_gen_open(g, idlc_gen_name(g->a, "%s_client.h", g->f->stem),
        " * Client stubs.  Each sends one request on the endpoint in slot ep with\n"
        " * ak_ipc_call() and waits for the reply.  It returns:\n"
        " *   0            success: the reply's words are stored through the out_\n"
        " *                pointers;\n"
        " *   -E           the server replied error E (1..AK_ERRNO_MAX); if the\n"
        " *                method declares `error E(...)`, that reply's words are\n"
        " *                stored through their out_ pointers;\n"
        " *   -AK_EBADMSG  the reply is malformed: reserved info bits set, a label\n"
        " *                above AK_ERRNO_MAX, a length other than the method's\n"
        " *                (for success and declared errors), or a word that does\n"
        " *                not fit its type; no out_ pointer is written;\n"
        " *   the negated error of ak_ipc_call() if the kernel refused the call.\n"
        " * Every out_ pointer must be valid.  Words 4 and up of a long request are\n"
        " * written to ak_ipc_buffer(), those of a long reply read from it.\n"
        " *\n"
        " * Strings and arrays (idl/README.md): an in str is a NUL-terminated C\n"
        " * string; an in strs, bytes or array is a pointer and a length (bytes, or\n"
        " * elements), the pointer read only for that many.  Before anything is\n"
        " * sent, a length past its bound (a str, or an array element's str field,\n"
        " * without its NUL within the bound) is -AK_E2BIG, and a strs whose last\n"
        " * byte is not NUL is -AK_EINVAL.  An out str needs room for its bound and\n"
        " * a NUL, an out strs or bytes for its bound in bytes, an out array for\n"
        " * its bound in elements; the length goes to out_NAME_len (out_NAME_count\n"
        " * for an array).  A reply whose lengths or tails are malformed is\n"
        " * -AK_EBADMSG, as above.\n");
    idlc_sbuf_printf(g->out, "\n#include <stdint.h>\n\n#include \"%s_types.h\"\n", g->f->stem);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next) {
        idlc_sbuf_printf(g->out, "\n/* ---- interface %s ---- */\n", ifc->name);
        for (const idlc_method_t *m = ifc->methods; m; m = m->next) {
            if (!idlc_gen_has_stub(m))
                continue;
            idlc_sbuf_printf(g->out, "\n/* %s (%s:%u): label %s_LABEL_%s, %s%u request and %s%u reply words",
                             m->name, g->f->base, m->loc.line, idlc_upper(g->a, ifc->name),
                             idlc_upper(g->a, m->name), m->ins.bounded ? "up to " : "", m->ins.max_words,
                             m->outs.bounded ? "up to " : "", m->outs.max_words);
            for (const idlc_errclause_t *e = m->errors; e; e = e->next)
                idlc_sbuf_printf(g->out, ";\n * on -%s also stores the %u words of that reply", e->cname, e->words.count);
            idlc_sbuf_puts(g->out, ". */\n");
            idlc_client_proto(g, ifc, m, ");\n");
        }
    }
    idlc_sbuf_printf(g->out, "\n#endif\n");
}

/* Stores message l's words from struct var into the out_ pointers (a str's length is its NUL). */
static void idlc_client_store(idlc_gen_t *g, const idlc_params_t *l, const char *var, const char *indent)
{
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        if (p->kind == IDLC_STR)
            continue;
        if (p->kind != IDLC_SCALAR)
            idlc_sbuf_printf(g->out, "%s*out_%s = %s.%s;\n", indent, idlc_gen_length_name(g->a, p), var,
                             idlc_gen_length_name(g->a, p));
        else if (idlc_type_bits(p->type) == 64)
            idlc_sbuf_printf(g->out, "%s*out_%s = %s.%s;\n", indent, p->name, var, p->name);
        else
            idlc_sbuf_printf(g->out, "%s*out_%s = (%s)%s.%s;\n", indent, p->name,
                             idlc_type_ctype(p->type), var, p->name);
    }
}

/*
 * The request of a method with strings or arrays: lengths measured and
 * checked against their bounds before anything is written, then the
 * fixed words and the tails built in the zeroed image idlc_w and
 * scattered into m and the IPC buffer.
 */
static void idlc_client_bounded_request(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m)
{
    const char *prefix = idlc_gen_name(g->a, "%s_REQ", idlc_gen_macro(g->a, ifc, m));
    for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
        const char *f = idlc_gen_field(g->a, p);
        if (p->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, "    req.%s = idlc_strlen(%s, %s_%s_MAX);\n", f, p->name, prefix,
                             idlc_upper(g->a, p->name));
        else
            idlc_sbuf_printf(g->out, "    req.%s = %s;\n", f, f);
    }
    bool first = true;
    for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        idlc_sbuf_puts(g->out, first ? "    if (" : " ||\n        ");
        idlc_sbuf_printf(g->out, "req.%s > %s_%s_MAX", idlc_gen_field(g->a, p), prefix, idlc_upper(g->a, p->name));
        first = false;
    }
    idlc_sbuf_puts(g->out, ")\n        return -AK_E2BIG;\n");
    first = true;
    for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
        if (p->kind != IDLC_STRS)
            continue;
        idlc_sbuf_puts(g->out, first ? "    if (" : " ||\n        ");
        idlc_sbuf_printf(g->out, "(req.%s != 0 && %s[req.%s - 1u] != '\\0')", idlc_gen_field(g->a, p), p->name,
                         idlc_gen_field(g->a, p));
        first = false;
    }
    if (!first)
        idlc_sbuf_puts(g->out, ")\n        return -AK_EINVAL;\n");
    for (const idlc_param_t *p = m->ins.head; p; p = p->next)
        idlc_sbuf_printf(g->out, "    idlc_w[%u] = %sreq.%s;\n", p->word,
                         p->kind == IDLC_SCALAR && idlc_type_signed(p->type) ? "(uint64_t)" : "",
                         idlc_gen_field(g->a, p));
    idlc_gen_encode_tail(g, &m->ins, prefix, "req", "idlc_w", "", "return -AK_E2BIG;", "    ");
    idlc_sbuf_printf(g->out, "    m.info = ak_msginfo(%s_LABEL_%s, idlc_at);\n"
                             "    idlc_scatter(&m, buf, idlc_w, idlc_at);\n",
                     idlc_upper(g->a, ifc->name), idlc_upper(g->a, m->name));
}

static void idlc_client_stub(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m)
{
    const char *mac = idlc_gen_macro(g->a, ifc, m);
    bool bounded = m->ins.bounded || m->outs.bounded;
    bool long_msg = idlc_gen_max_words(m) > IDLC_REG_WORDS || bounded;

    idlc_sbuf_printf(g->out, "/* %s (%s:%u) */\n", m->name, g->f->base, m->loc.line);
    idlc_client_proto(g, ifc, m, ")\n{\n");
    idlc_sbuf_puts(g->out, "    ak_msg_t m;\n");
    if (long_msg)
        idlc_sbuf_puts(g->out, "    ak_ipcbuf_t *buf = ak_ipc_buffer();\n");
    if (bounded)
        idlc_sbuf_puts(g->out, "    uint64_t idlc_w[AK_MSG_MAX_WORDS] = { 0 };\n    uint64_t idlc_at;\n");
    if (m->ins.bounded)
        idlc_sbuf_printf(g->out, "    %s_%s_req_t req;\n", ifc->name, m->name);
    if (m->outs.count)
        idlc_sbuf_printf(g->out, "    %s_%s_rep_t rep;\n", ifc->name, m->name);
    /* A reply of fixed length is first matched whole against the usual success (below). */
    bool fixed_reply = !m->outs.bounded;
    if (m->errors || fixed_reply)
        idlc_sbuf_puts(g->out, "    int64_t r;\n");
    idlc_sbuf_puts(g->out, "    int rc;\n\n");

    if (m->ins.bounded) {
        idlc_client_bounded_request(g, ifc, m);
    } else {
        idlc_sbuf_printf(g->out, "    m.info = ak_msginfo(%s_LABEL_%s, %s_REQ_WORDS);\n",
                         idlc_upper(g->a, ifc->name), idlc_upper(g->a, m->name), mac);
        for (const idlc_param_t *p = m->ins.head; p; p = p->next) {
            const char *dst = idlc_gen_name(g->a, p->word < IDLC_REG_WORDS ? "m.w[%u]" : "buf->words[%u]", p->word);
            if (idlc_type_signed(p->type))
                idlc_sbuf_printf(g->out, "    %s = (uint64_t)(int64_t)%s;\n", dst, p->name);
            else
                idlc_sbuf_printf(g->out, "    %s = %s;\n", dst, p->name);
        }
        /* Unused register words are zeroed: nothing of the caller's stack leaves. */
        for (unsigned w = m->ins.count; w < IDLC_REG_WORDS; w++)
            idlc_sbuf_printf(g->out, "    m.w[%u] = 0;\n", w);
    }
    if (m->errors == NULL && !fixed_reply)
        idlc_sbuf_puts(g->out, "    rc = idlc_result(ak_ipc_call(ep, &m), &m);\n");
    else
        idlc_sbuf_puts(g->out, "    r = ak_ipc_call(ep, &m);\n");
    if (fixed_reply) {
        /*
         * The usual reply first: a success (label 0, no flags) of the
         * expected length is exactly one value of the info word, so one
         * comparison stands for idlc_result and the length check.
         */
        idlc_sbuf_printf(g->out, "    if (r >= 0 && m.info == ak_msginfo(0, %s_REP_WORDS)) {\n", mac);
        idlc_gen_decode(g, &m->outs, "rep", "m.w", "buf->words", "return -AK_EBADMSG;", "        ");
        idlc_client_store(g, &m->outs, "rep", "        ");
        idlc_sbuf_puts(g->out, "        return 0;\n    }\n");
    }

    /* A declared error is matched on the reply's label, never on a result
     * code that a kernel error or a malformed reply could also produce. */
    for (const idlc_errclause_t *e = m->errors; e; e = e->next) {
        const char *tag = idlc_gen_errtag(g->a, e);
        idlc_sbuf_printf(g->out, "    if (idlc_replied(r, &m, %s)) {\n", e->cname);
        if (e->words.count)
            idlc_sbuf_printf(g->out, "        %s_%s_err_%s_t err;\n\n", ifc->name, m->name,
                             idlc_lower(g->a, e->cname));
        idlc_sbuf_printf(g->out, "        if (ak_msginfo_len(m.info) != %s_%s_WORDS)\n"
                                 "            return -AK_EBADMSG;\n", mac, tag);
        idlc_gen_decode(g, &e->words, "err", "m.w", "buf->words", "return -AK_EBADMSG;", "        ");
        idlc_client_store(g, &e->words, "err", "        ");
        idlc_sbuf_printf(g->out, "        return -(int)(%s);\n    }\n", e->cname);
    }
    if (m->errors || fixed_reply)
        idlc_sbuf_puts(g->out, "    rc = idlc_result(r, &m);\n");
    idlc_sbuf_puts(g->out, "    if (rc != 0)\n        return rc;\n");
    if (m->outs.bounded) {
        /* Decode, then store: no out_ pointer is written before the whole reply checked out. */
        const char *prefix = idlc_gen_name(g->a, "%s_REP", mac);
        idlc_sbuf_printf(g->out, "    if (ak_msginfo_len(m.info) < %s_WORDS || ak_msginfo_len(m.info) > %s_MAX_WORDS)\n"
                                 "        return -AK_EBADMSG;\n"
                                 "    idlc_gather(idlc_w, &m, buf, ak_msginfo_len(m.info));\n", prefix, prefix);
        idlc_gen_decode(g, &m->outs, "rep", "idlc_w", "idlc_w", "return -AK_EBADMSG;", "    ");
        idlc_gen_decode_tail(g, &m->outs, prefix, "rep", "idlc_w", "ak_msginfo_len(m.info)", "return -AK_EBADMSG;",
                             "    ");
        idlc_client_store(g, &m->outs, "rep", "    ");
        idlc_gen_copy_tail(g, &m->outs, prefix, "rep", "idlc_w", "out_", "    ");
        idlc_sbuf_puts(g->out, "    return 0;\n}\n\n");
    } else {
        /* Not the usual success: a success of another length. */
        idlc_sbuf_puts(g->out, "    return -AK_EBADMSG;\n}\n\n");
    }
}

void idlc_gen_client_c(idlc_gen_t *g)
{
    idlc_gen_open(g, idlc_gen_name(g->a, "%s_client.c", g->f->stem),
        " * Client stubs; the contract is in the header.\n");
    idlc_sbuf_printf(g->out, "\n#include <akuma/ipc.h>\n\n#include \"%s_client.h\"\n\n", g->f->stem);

    bool any = false, sword = false, errors = false;
    idlc_needs_t needs;
    idlc_needs_init(g, &needs);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next)
        for (const idlc_method_t *m = ifc->methods; m; m = m->next) {
            if (!idlc_gen_has_stub(m))
                continue;
            any = true;
            errors |= m->errors != NULL;
            sword |= idlc_gen_needs_sword(&m->outs);
            for (const idlc_errclause_t *e = m->errors; e; e = e->next)
                sword |= idlc_gen_needs_sword(&e->words);
            idlc_needs_message(&needs, &m->ins, false);
            idlc_needs_message(&needs, &m->outs, true);
        }
    sword |= idlc_needs_sword(&needs);
    if (!any) {
        idlc_sbuf_puts(g->out, "/* No method of this file has a client stub. */\n"
                               "typedef int idlc_no_client_stubs;\n");
        return;
    }
    idlc_sbuf_puts(g->out,
        "/*\n"
        " * The outcome of a call before its words are read: 0 for a success\n"
        " * reply, the negated label of an error reply, the kernel's negated\n"
        " * error, or -AK_EBADMSG for a reply that is no result.\n"
        " */\n"
        "static int idlc_result(int64_t rc, const ak_msg_t *m)\n"
        "{\n"
        "    if (rc < 0)\n"
        "        return rc < -(int64_t)AK_ERRNO_MAX ? -AK_EBADMSG : (int)rc;\n"
        "    if (!ak_msginfo_valid(m->info) || ak_msginfo_label(m->info) > AK_ERRNO_MAX)\n"
        "        return -AK_EBADMSG;\n"
        "    return -(int)ak_msginfo_label(m->info);\n"
        "}\n\n");
    if (errors)
        idlc_sbuf_puts(g->out,
            "/* True if the call got a well-formed reply whose label is the error err. */\n"
            "static int idlc_replied(int64_t r, const ak_msg_t *m, uint64_t err)\n"
            "{\n"
            "    return r >= 0 && ak_msginfo_valid(m->info) && ak_msginfo_label(m->info) == err;\n"
            "}\n\n");
    if (sword)
        idlc_gen_sword(g);
    idlc_gen_helpers(g, &needs);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next)
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            if (idlc_gen_has_stub(m))
                idlc_client_stub(g, ifc, m);
}
