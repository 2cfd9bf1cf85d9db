/*
 * Generates X_types.h: per method its label, the word count and word
 * indices of each message, the message structs, and the static assertions
 * that hold the layout (and the bindings to ABI constants) in place.
 * The header includes only <stddef.h>, <stdint.h> and akuma/abi headers,
 * so the kernel, servers and clients can all include it.
 */
#include <string.h>

#include <idlc/gen.h>

/* Labels print in decimal, large ones in hex as they are usually written. */
static void idlc_types_label(idlc_gen_t *g, const idlc_method_t *m)
{
    if (m->label < 0x1000)
        idlc_sbuf_printf(g->out, "UINT64_C(%llu)", (unsigned long long)m->label);
    else
        idlc_sbuf_printf(g->out, "UINT64_C(0x%llx)", (unsigned long long)m->label);
}

/* What the length word of a bounded parameter counts: "bytes of str<15> name". */
static const char *idlc_types_length_of(idlc_gen_t *g, const idlc_param_t *p)
{
    if (p->kind == IDLC_ARRAY)
        return idlc_gen_name(g->a, "elements of array<%s, %llu> %s", p->elem->name,
                             (unsigned long long)p->bound, p->name);
    return idlc_gen_name(g->a, "bytes of %s<%llu> %s", idlc_kind_name(p->kind), (unsigned long long)p->bound,
                         p->name);
}

/* Word count, word indices, struct and layout assertions of one message. */
static void idlc_types_message(idlc_gen_t *g, const idlc_method_t *m, const char *mac, const char *tag,
                               const char *type, const char *what, const idlc_params_t *l)
{
    const char *words = l->bounded ? "MAX_WORDS" : "WORDS";
    idlc_sbuf_printf(g->out, "#define %s_%s_WORDS %uu\n", mac, tag, l->count);
    if (l->bounded)
        idlc_sbuf_printf(g->out, "#define %s_%s_MAX_WORDS %uu\n", mac, tag, l->max_words);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        idlc_sbuf_printf(g->out, "#define %s_%s_W_%s %uu\n", mac, tag, idlc_upper(g->a, p->name), p->word);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        if (p->kind != IDLC_SCALAR)
            idlc_sbuf_printf(g->out, "#define %s_%s_%s_MAX %lluu\n", mac, tag, idlc_upper(g->a, p->name),
                             (unsigned long long)p->bound);
    if (l->bounded)
        idlc_sbuf_printf(g->out, "/* The %s has %u fixed words, then the bytes of each string and array\n"
                                 " * from a word boundary: at most %u words%s. */\n",
                         what, l->count, l->max_words,
                         l->max_words > IDLC_REG_WORDS ? idlc_gen_name(g->a, ", words %u..%u in the IPC buffer",
                                                                       IDLC_REG_WORDS, l->max_words - 1) : "");
    else if (l->count > IDLC_REG_WORDS)
        idlc_sbuf_printf(g->out, "/* The %s has %u words: words %u..%u travel in the IPC buffer. */\n",
                         what, l->count, IDLC_REG_WORDS, l->count - 1);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        if (p->bound_const)
            idlc_sbuf_printf(g->out, "_Static_assert(%s_%s_%s_MAX == %s, \"%s:%u: the bound of %s is %s\");\n",
                             mac, tag, idlc_upper(g->a, p->name), p->bound_const, g->f->base, p->loc.line,
                             p->name, p->bound_const);
    if (l->bounded) {
        idlc_sbuf_printf(g->out, "_Static_assert(%s_%s_MAX_WORDS == %s_%s_WORDS", mac, tag, mac, tag);
        for (const idlc_param_t *p = l->head; p; p = p->next)
            if (p->kind != IDLC_SCALAR)
                idlc_sbuf_printf(g->out, " +\n               (%s + 7u) / 8u",
                                 idlc_gen_data_bytes(g->a, p, idlc_gen_name(g->a, "%s_%s_%s_MAX", mac, tag,
                                                                            idlc_upper(g->a, p->name))));
        idlc_sbuf_printf(g->out, ",\n               \"%s:%u: the longest %s of %s has every string and array at its bound\");\n",
                         g->f->base, m->loc.line, what, m->name);
    }
    idlc_sbuf_printf(g->out, "_Static_assert(%s_%s_%s <= AK_MSG_MAX_WORDS, \"%s:%u: %s of %s fits a message\");\n",
                     mac, tag, words, g->f->base, m->loc.line, what, m->name);
    if (m->fastpath)
        idlc_sbuf_printf(g->out,
                         "_Static_assert(%s_%s_%s <= AK_MSG_REG_WORDS, \"%s:%u: %s of fastpath %s fits the registers\");\n",
                         mac, tag, words, g->f->base, m->loc.line, what, m->name);
    if (l->count == 0) {
        idlc_sbuf_puts(g->out, "\n");
        return;
    }
    idlc_sbuf_printf(g->out, "\ntypedef struct %s {\n", type);
    int width = 0;
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        int n = (int)(strlen(idlc_gen_wire_type(p)) + strlen(idlc_gen_field(g->a, p)) + 2);
        width = n > width ? n : width;
    }
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        const char *field = idlc_gen_name(g->a, "%s %s;", idlc_gen_wire_type(p), idlc_gen_field(g->a, p));
        if (p->kind == IDLC_SCALAR)
            idlc_sbuf_printf(g->out, "    %-*s /* word %u: %s */\n", width, field, p->word, idlc_type_name(p->type));
        else
            idlc_sbuf_printf(g->out, "    %-*s /* word %u: %s */\n", width, field, p->word,
                             idlc_types_length_of(g, p));
    }
    idlc_sbuf_printf(g->out, "} %s_t;\n", type);
    idlc_sbuf_printf(g->out, "_Static_assert(sizeof(%s_t) == %s_%s_WORDS * sizeof(uint64_t), \"%s_t is the wire image\");\n",
                     type, mac, tag, type);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        idlc_sbuf_printf(g->out,
                         "_Static_assert(offsetof(%s_t, %s) == %s_%s_W_%s * sizeof(uint64_t), \"%s_t.%s is word %u\");\n",
                         type, idlc_gen_field(g->a, p), mac, tag, idlc_upper(g->a, p->name), type,
                         idlc_gen_field(g->a, p), p->word);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        if (p->abi_index)
            idlc_sbuf_printf(g->out, "_Static_assert(%s_%s_W_%s == %s, \"%s:%u: %s is word %s\");\n",
                             mac, tag, idlc_upper(g->a, p->name), p->abi_index, g->f->base, p->loc.line,
                             p->name, p->abi_index);
    idlc_sbuf_puts(g->out, "\n");
}

static void idlc_types_method(idlc_gen_t *g, const idlc_iface_t *ifc, const idlc_method_t *m)
{
    const char *mac = idlc_gen_macro(g->a, ifc, m);
    idlc_sbuf_printf(g->out, "/* %s (%s:%u)%s%s */\n", m->name, g->f->base, m->loc.line,
                     m->fastpath ? ", fastpath" : "",
                     m->kernel ? ", sent by the kernel (badge has AK_PAGER_BADGE_BIT), no client stub" : "");
    idlc_sbuf_printf(g->out, "#define %s_LABEL_%s ", idlc_upper(g->a, ifc->name), idlc_upper(g->a, m->name));
    idlc_types_label(g, m);
    idlc_sbuf_puts(g->out, "\n");
    idlc_types_message(g, m, mac, "REQ", idlc_gen_name(g->a, "%s_%s_req", ifc->name, m->name),
                       "request", &m->ins);
    idlc_types_message(g, m, mac, "REP", idlc_gen_name(g->a, "%s_%s_rep", ifc->name, m->name),
                       "reply", &m->outs);
    for (const idlc_errclause_t *e = m->errors; e; e = e->next) {
        idlc_sbuf_printf(g->out, "/* %s: the error reply %s carries words. */\n", m->name, e->cname);
        idlc_sbuf_printf(g->out,
                         "_Static_assert((%s) >= 1 && (%s) <= AK_ERRNO_MAX, \"%s:%u: %s is an error number\");\n",
                         e->cname, e->cname, g->f->base, e->loc.line, e->cname);
        idlc_types_message(g, m, mac, idlc_gen_errtag(g->a, e),
                           idlc_gen_name(g->a, "%s_%s_err_%s", ifc->name, m->name, idlc_lower(g->a, e->cname)),
                           idlc_gen_name(g->a, "error reply %s", e->cname), &e->words);
    }
    if (m->abi_label) {
        idlc_sbuf_printf(g->out, "/* %s is bound to the ABI. */\n", m->name);
        idlc_sbuf_printf(g->out, "_Static_assert(%s_LABEL_%s == %s, \"%s:%u: the label of %s is %s\");\n",
                         idlc_upper(g->a, ifc->name), idlc_upper(g->a, m->name), m->abi_label,
                         g->f->base, m->loc.line, m->name, m->abi_label);
        idlc_sbuf_printf(g->out, "_Static_assert(%s_REQ_WORDS == %s, \"%s:%u: %s has %s words\");\n\n",
                         mac, m->abi_words, g->f->base, m->loc.line, m->name, m->abi_words);
    }
}

void idlc_gen_types_h(idlc_gen_t *g)
{
    idlc_gen_open(g, idlc_gen_name(g->a, "%s_types.h", g->f->stem),
        " * Labels, word layouts and message structs of its interfaces.  A message\n"
        " * struct is the wire image of a message: field k is word k, the declared\n"
        " * type zero- or sign-extended to 64 bits.  The static assertions fail the\n"
        " * build if a layout, a limit or a binding to an ABI constant is wrong.\n");
    idlc_sbuf_puts(g->out, "\n#include <stddef.h>\n#include <stdint.h>\n\n");

    /* The ABI headers the generated code needs, then the file's own, each once. */
    bool kernel = false;
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next)
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            kernel |= m->kernel;
    const char *builtin[] = { "akuma/abi/errno.h", "akuma/abi/msginfo.h", kernel ? "akuma/abi/pager.h" : NULL };
    for (unsigned i = 0; i < 3; i++)
        if (builtin[i])
            idlc_sbuf_printf(g->out, "#include <%s>\n", builtin[i]);
    for (const idlc_include_t *inc = g->f->includes; inc; inc = inc->next) {
        bool dup = false;
        for (unsigned i = 0; i < 3; i++)
            dup |= builtin[i] && strcmp(builtin[i], inc->path) == 0;
        if (!dup)
            idlc_sbuf_printf(g->out, "#include <%s>\n", inc->path);
    }
    idlc_sbuf_puts(g->out,
        "\n_Static_assert(AK_MSG_MAX_WORDS == 64u && AK_MSG_REG_WORDS == 4u, \"idlc's message limits\");\n"
        "_Static_assert(AK_MSGINFO_LABEL_MAX == (UINT64_C(1) << 52) - 1u, \"idlc's label limit\");\n");

    idlc_gen_struct_types(g);
    for (const idlc_iface_t *ifc = g->f->ifaces; ifc; ifc = ifc->next) {
        unsigned max = 0;
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            if (idlc_gen_max_words(m) > max)
                max = idlc_gen_max_words(m);
        idlc_sbuf_printf(g->out, "\n/* ---- interface %s (%s:%u) ---- */\n\n", ifc->name, g->f->base, ifc->loc.line);
        idlc_sbuf_printf(g->out, "/* The longest message of %s, in words. */\n#define %s_MAX_WORDS %uu\n\n",
                         ifc->name, idlc_upper(g->a, ifc->name), max);
        for (const idlc_method_t *m = ifc->methods; m; m = m->next)
            idlc_types_method(g, ifc, m);
    }
    idlc_sbuf_printf(g->out, "#endif\n");
}
