/*
 * Bounded strings and arrays (str<N>, strs<N>, bytes<N>, array<S, N>):
 * the struct types, the helpers that move bytes between a message and C
 * objects, and the code that checks, copies and encodes the tails of
 * bounded messages.  idl/README.md ("Strings and arrays") is the contract.
 *
 * Generated code handles a bounded message as an image: its words are
 * gathered into a local array (words 0..3 from the registers, the rest
 * from the IPC buffer), checked and read there; a bounded reply or request
 * is built in a zeroed image and scattered into the message.  Byte k of
 * the image is bits 8*(k%8).. of word k/8, little-endian whatever the
 * host: no memcpy, no type punning, no alignment assumed.  Every offset
 * the generated code computes is below the checked message length, so no
 * read goes past the words that arrived.
 */
#include <string.h>

#include <idlc/gen.h>

/* The helpers, emitted only when called (clang warns of unused static functions). */
enum {
    IDLC_H_GATHER    = 1u << 0,
    IDLC_H_SCATTER   = 1u << 1,
    IDLC_H_BYTE      = 1u << 2,
    IDLC_H_PUT_BYTE  = 1u << 3,
    IDLC_H_ZERO      = 1u << 4,
    IDLC_H_HAS_NUL   = 1u << 5,
    IDLC_H_GET_BYTES = 1u << 6,
    IDLC_H_PUT_BYTES = 1u << 7,
    IDLC_H_LE        = 1u << 8,
    IDLC_H_PUT_LE    = 1u << 9,
    IDLC_H_STRLEN    = 1u << 10,
    IDLC_H_STR_OK    = 1u << 11,
    IDLC_H_SEXT      = 1u << 12,
};

/* Each helper, its code, and the helpers it calls. */
static const struct {
    unsigned bit, calls;
    const char *code;
} idlc_helpers[] = {
    { IDLC_H_GATHER, 0,
      "/* Words 0..n-1 of the message into w: 0..3 from m, the rest from buf. */\n"
      "static void idlc_gather(uint64_t *w, const ak_msg_t *m, const ak_ipcbuf_t *buf, uint64_t n)\n"
      "{\n"
      "    for (uint64_t i = 0; i < n; i++)\n"
      "        w[i] = i < AK_MSG_REG_WORDS ? m->w[i] : buf->words[i];\n"
      "}\n\n" },
    { IDLC_H_SCATTER, 0,
      "/* w[0..n-1] into the message: 0..3 to m (the unused ones zeroed), the rest to buf. */\n"
      "static void idlc_scatter(ak_msg_t *m, ak_ipcbuf_t *buf, const uint64_t *w, uint64_t n)\n"
      "{\n"
      "    for (uint64_t i = 0; i < AK_MSG_REG_WORDS; i++)\n"
      "        m->w[i] = i < n ? w[i] : 0;\n"
      "    for (uint64_t i = AK_MSG_REG_WORDS; i < n; i++)\n"
      "        buf->words[i] = w[i];\n"
      "}\n\n" },
    { IDLC_H_BYTE, 0,
      "/* Byte off of the image w: byte k of a word is its bits 8k..8k+7. */\n"
      "static uint8_t idlc_byte(const uint64_t *w, uint64_t off)\n"
      "{\n"
      "    return (uint8_t)(w[off / 8u] >> (off % 8u * 8u));\n"
      "}\n\n" },
    { IDLC_H_PUT_BYTE, 0,
      "/* Sets byte off of the image w, which is zero there. */\n"
      "static void idlc_put_byte(uint64_t *w, uint64_t off, uint8_t b)\n"
      "{\n"
      "    w[off / 8u] |= (uint64_t)b << (off % 8u * 8u);\n"
      "}\n\n" },
    { IDLC_H_ZERO, IDLC_H_BYTE,
      "/* True if bytes off..off+n-1 of w are all zero. */\n"
      "static int idlc_zero(const uint64_t *w, uint64_t off, uint64_t n)\n"
      "{\n"
      "    for (uint64_t i = 0; i < n; i++)\n"
      "        if (idlc_byte(w, off + i) != 0)\n"
      "            return 0;\n"
      "    return 1;\n"
      "}\n\n" },
    { IDLC_H_HAS_NUL, IDLC_H_BYTE,
      "/* True if one of bytes off..off+n-1 of w is NUL. */\n"
      "static int idlc_has_nul(const uint64_t *w, uint64_t off, uint64_t n)\n"
      "{\n"
      "    for (uint64_t i = 0; i < n; i++)\n"
      "        if (idlc_byte(w, off + i) == 0)\n"
      "            return 1;\n"
      "    return 0;\n"
      "}\n\n" },
    { IDLC_H_GET_BYTES, IDLC_H_BYTE,
      "/* Copies bytes off..off+n-1 of w to dst. */\n"
      "static void idlc_get_bytes(void *dst, const uint64_t *w, uint64_t off, uint64_t n)\n"
      "{\n"
      "    unsigned char *d = dst;\n"
      "    for (uint64_t i = 0; i < n; i++)\n"
      "        d[i] = idlc_byte(w, off + i);\n"
      "}\n\n" },
    { IDLC_H_PUT_BYTES, IDLC_H_PUT_BYTE,
      "/* Copies n bytes of src to bytes off.. of w, which are zero (src may be NULL if n is 0). */\n"
      "static void idlc_put_bytes(uint64_t *w, uint64_t off, const void *src, uint64_t n)\n"
      "{\n"
      "    const unsigned char *s = src;\n"
      "    for (uint64_t i = 0; i < n; i++)\n"
      "        idlc_put_byte(w, off + i, s[i]);\n"
      "}\n\n" },
    { IDLC_H_LE, IDLC_H_BYTE,
      "/* The n-byte little-endian value at byte off of w. */\n"
      "static uint64_t idlc_le(const uint64_t *w, uint64_t off, unsigned n)\n"
      "{\n"
      "    uint64_t v = 0;\n"
      "    for (unsigned i = n; i-- > 0;)\n"
      "        v = v << 8 | idlc_byte(w, off + i);\n"
      "    return v;\n"
      "}\n\n" },
    { IDLC_H_PUT_LE, IDLC_H_PUT_BYTE,
      "/* Writes the low n bytes of v, little-endian, at byte off of w (zero there). */\n"
      "static void idlc_put_le(uint64_t *w, uint64_t off, unsigned n, uint64_t v)\n"
      "{\n"
      "    for (unsigned i = 0; i < n; i++)\n"
      "        idlc_put_byte(w, off + i, (uint8_t)(v >> (8u * i)));\n"
      "}\n\n" },
    { IDLC_H_STRLEN, 0,
      "/* The length of s if it has at most max bytes before its NUL, else max + 1;\n"
      " * reads at most max + 1 bytes of s. */\n"
      "static uint64_t idlc_strlen(const char *s, uint64_t max)\n"
      "{\n"
      "    uint64_t n = 0;\n"
      "    while (n <= max && s[n] != '\\0')\n"
      "        n++;\n"
      "    return n;\n"
      "}\n\n" },
    { IDLC_H_STR_OK, IDLC_H_BYTE | IDLC_H_ZERO,
      "/* True if the n bytes at off of w hold a NUL, and only zeros after the first. */\n"
      "static int idlc_str_ok(const uint64_t *w, uint64_t off, uint64_t n)\n"
      "{\n"
      "    uint64_t i = 0;\n"
      "    while (i < n && idlc_byte(w, off + i) != 0)\n"
      "        i++;\n"
      "    return i < n && idlc_zero(w, off + i, n - i);\n"
      "}\n\n" },
    { IDLC_H_SEXT, 0,
      "/* The signed value of the low `bits` bits of u (two's complement). */\n"
      "static int64_t idlc_sext(uint64_t u, unsigned bits)\n"
      "{\n"
      "    if (bits < 64u && (u >> (bits - 1u) & 1u) != 0)\n"
      "        u |= UINT64_MAX << bits;\n"
      "    return idlc_sword(u);\n"
      "}\n\n" },
};
enum { IDLC_NHELPERS = sizeof idlc_helpers / sizeof idlc_helpers[0] };

void idlc_needs_init(idlc_gen_t *g, idlc_needs_t *n)
{
    n->helpers = 0;
    n->dec = idlc_alloc(g->a, (g->f->nstructs + 1u) * sizeof(bool));
    n->enc = idlc_alloc(g->a, (g->f->nstructs + 1u) * sizeof(bool));
}

/* What reading (or writing) one element of st needs. */
static unsigned idlc_needs_struct(const idlc_struct_t *st, bool decode)
{
    unsigned h = decode ? IDLC_H_ZERO : 0;
    for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
        if (f->kind == IDLC_STR)
            h |= decode ? IDLC_H_STR_OK | IDLC_H_GET_BYTES : IDLC_H_STRLEN | IDLC_H_PUT_BYTES;
        else if (!decode)
            h |= IDLC_H_PUT_LE;
        else
            h |= IDLC_H_LE | (idlc_type_signed(f->type) ? IDLC_H_SEXT : 0);
    }
    return h;
}

void idlc_needs_message(idlc_needs_t *n, const idlc_params_t *l, bool decode)
{
    if (!l->bounded)
        return;
    n->helpers |= decode ? IDLC_H_GATHER | IDLC_H_ZERO : IDLC_H_SCATTER;
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        switch (p->kind) {
        case IDLC_SCALAR:
            break;
        case IDLC_STR:
            n->helpers |= decode ? IDLC_H_HAS_NUL | IDLC_H_GET_BYTES : IDLC_H_STRLEN | IDLC_H_PUT_BYTES;
            break;
        case IDLC_STRS:
            n->helpers |= decode ? IDLC_H_BYTE | IDLC_H_GET_BYTES : IDLC_H_PUT_BYTES;
            break;
        case IDLC_BYTES:
            n->helpers |= decode ? IDLC_H_GET_BYTES : IDLC_H_PUT_BYTES;
            break;
        case IDLC_ARRAY:
            (decode ? n->dec : n->enc)[p->elem->index] = true;
            n->helpers |= idlc_needs_struct(p->elem, decode);
            break;
        }
    }
}

bool idlc_needs_sword(const idlc_needs_t *n)
{
    return (n->helpers & IDLC_H_SEXT) != 0;
}

/* ---- structs ------------------------------------------------------------------ */

static const char *idlc_field_ctype(idlc_gen_t *g, const idlc_param_t *f)
{
    if (f->kind == IDLC_STR)
        return idlc_gen_name(g->a, "char %s[%llu];", f->name, (unsigned long long)f->bound + 1u);
    return idlc_gen_name(g->a, "%s %s;", idlc_type_ctype(f->type), f->name);
}

/* The bytes a field takes. */
static unsigned idlc_field_size(const idlc_param_t *f)
{
    return f->kind == IDLC_STR ? (unsigned)f->bound + 1u : idlc_type_bits(f->type) / 8u;
}

void idlc_gen_struct_types(idlc_gen_t *g)
{
    for (const idlc_struct_t *st = g->f->structs; st; st = st->next) {
        const char *up = idlc_upper(g->a, st->name);
        idlc_sbuf_printf(g->out, "\n/*\n * struct %s (%s:%u): %u bytes, an element of arrays.\n"
                                 " * On the wire each field is little-endian at its offset, padding is\n"
                                 " * zero, and a str<N> field holds its text, a NUL and zeros to N+1 bytes.\n */\n",
                         st->name, g->f->base, st->loc.line, st->size);
        idlc_sbuf_printf(g->out, "typedef struct %s {\n", st->name);
        int width = 0;
        for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
            int n = (int)strlen(idlc_field_ctype(g, f));
            width = n > width ? n : width;
        }
        for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
            if (f->kind == IDLC_STR)
                idlc_sbuf_printf(g->out, "    %-*s /* byte %u: str<%llu> */\n", width, idlc_field_ctype(g, f),
                                 f->offset, (unsigned long long)f->bound);
            else
                idlc_sbuf_printf(g->out, "    %-*s /* byte %u: %s */\n", width, idlc_field_ctype(g, f), f->offset,
                                 idlc_type_name(f->type));
        }
        idlc_sbuf_printf(g->out, "} %s_t;\n", st->name);
        idlc_sbuf_printf(g->out, "#define %s_SIZE %uu\n", up, st->size);
        for (const idlc_param_t *f = st->fields.head; f; f = f->next)
            idlc_sbuf_printf(g->out, "#define %s_OFF_%s %uu\n", up, idlc_upper(g->a, f->name), f->offset);
        for (const idlc_param_t *f = st->fields.head; f; f = f->next)
            if (f->kind == IDLC_STR)
                idlc_sbuf_printf(g->out, "#define %s_%s_MAX %lluu\n", up, idlc_upper(g->a, f->name),
                                 (unsigned long long)f->bound);
        idlc_sbuf_printf(g->out, "_Static_assert(sizeof(%s_t) == %s_SIZE, \"%s:%u: %s_t is the wire image\");\n",
                         st->name, up, g->f->base, st->loc.line, st->name);
        for (const idlc_param_t *f = st->fields.head; f; f = f->next)
            idlc_sbuf_printf(g->out,
                             "_Static_assert(offsetof(%s_t, %s) == %s_OFF_%s, \"%s_t.%s is at byte %u\");\n",
                             st->name, f->name, up, idlc_upper(g->a, f->name), st->name, f->name, f->offset);
        for (const idlc_param_t *f = st->fields.head; f; f = f->next)
            if (f->kind == IDLC_STR && f->bound_const)
                idlc_sbuf_printf(g->out, "_Static_assert(%s_%s_MAX == %s, \"%s:%u: the bound of %s is %s\");\n",
                                 up, idlc_upper(g->a, f->name), f->bound_const, g->f->base, f->loc.line,
                                 f->name, f->bound_const);
    }
}

/* idlc_check_S: padding zero and every str field terminated and zero-filled. */
static void idlc_gen_struct_check(idlc_gen_t *g, const idlc_struct_t *st)
{
    const char *up = idlc_upper(g->a, st->name);
    idlc_sbuf_printf(g->out,
        "/* True if the %s at byte off of w is well formed: padding zero, each str\n"
        " * field NUL-terminated with zeros after. */\n"
        "static int idlc_check_%s(const uint64_t *w, uint64_t off)\n{\n    return ", st->name, st->name);
    unsigned end = 0;
    bool first = true;
    for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
        if (f->offset > end) {
            idlc_sbuf_printf(g->out, "%sidlc_zero(w, off + %uu, %uu)", first ? "" : " &&\n           ", end,
                             f->offset - end);
            first = false;
        }
        if (f->kind == IDLC_STR) {
            idlc_sbuf_printf(g->out, "%sidlc_str_ok(w, off + %s_OFF_%s, %s_%s_MAX + 1u)",
                             first ? "" : " &&\n           ", up, idlc_upper(g->a, f->name), up,
                             idlc_upper(g->a, f->name));
            first = false;
        }
        end = f->offset + idlc_field_size(f);
    }
    if (st->size > end) {
        idlc_sbuf_printf(g->out, "%sidlc_zero(w, off + %uu, %uu)", first ? "" : " &&\n           ", end,
                         st->size - end);
        first = false;
    }
    idlc_sbuf_printf(g->out, "%s;\n}\n\n", first ? "idlc_zero(w, off, 0)" : "");
}

/* idlc_get_S: reads a checked element. */
static void idlc_gen_struct_get(idlc_gen_t *g, const idlc_struct_t *st)
{
    const char *up = idlc_upper(g->a, st->name);
    idlc_sbuf_printf(g->out,
        "/* Reads the %s at byte off of w (checked by idlc_check_%s). */\n"
        "static void idlc_get_%s(%s_t *v, const uint64_t *w, uint64_t off)\n{\n",
        st->name, st->name, st->name, st->name);
    for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
        const char *at = idlc_gen_name(g->a, "off + %s_OFF_%s", up, idlc_upper(g->a, f->name));
        unsigned size = idlc_field_size(f);
        if (f->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, "    idlc_get_bytes(v->%s, w, %s, sizeof v->%s);\n", f->name, at, f->name);
        else if (idlc_type_signed(f->type))
            idlc_sbuf_printf(g->out, "    v->%s = (%s)idlc_sext(idlc_le(w, %s, %uu), %uu);\n", f->name,
                             idlc_type_ctype(f->type), at, size, size * 8u);
        else if (size == 8)
            idlc_sbuf_printf(g->out, "    v->%s = idlc_le(w, %s, 8u);\n", f->name, at);
        else
            idlc_sbuf_printf(g->out, "    v->%s = (%s)idlc_le(w, %s, %uu);\n", f->name, idlc_type_ctype(f->type),
                             at, size);
    }
    idlc_sbuf_puts(g->out, "}\n\n");
}

/* idlc_put_S: writes an element; 0 if a str field lacks its NUL. */
static void idlc_gen_struct_put(idlc_gen_t *g, const idlc_struct_t *st)
{
    const char *up = idlc_upper(g->a, st->name);
    bool strs = false;
    for (const idlc_param_t *f = st->fields.head; f; f = f->next)
        strs |= f->kind == IDLC_STR;
    idlc_sbuf_printf(g->out,
        "/* Writes v at byte off of w (zero there), padding zero and each str field\n"
        " * zero-filled after its NUL; 0 if a str field has no NUL within its bytes. */\n"
        "static int idlc_put_%s(uint64_t *w, uint64_t off, const %s_t *v)\n{\n",
        st->name, st->name);
    if (strs)
        idlc_sbuf_puts(g->out, "    uint64_t n;\n\n");
    for (const idlc_param_t *f = st->fields.head; f; f = f->next) {
        const char *fup = idlc_upper(g->a, f->name);
        const char *at = idlc_gen_name(g->a, "off + %s_OFF_%s", up, fup);
        if (f->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, "    n = idlc_strlen(v->%s, %s_%s_MAX);\n"
                                     "    if (n > %s_%s_MAX)\n        return 0;\n"
                                     "    idlc_put_bytes(w, %s, v->%s, n);\n",
                             f->name, up, fup, up, fup, at, f->name);
        else
            idlc_sbuf_printf(g->out, "    idlc_put_le(w, %s, %uu, (uint64_t)v->%s);\n", at, idlc_field_size(f),
                             f->name);
    }
    idlc_sbuf_puts(g->out, "    return 1;\n}\n\n");
}

void idlc_gen_helpers(idlc_gen_t *g, const idlc_needs_t *n)
{
    unsigned h = n->helpers;
    for (unsigned round = 0; round < 2; round++)     /* callees of callees: two rounds suffice */
        for (unsigned i = 0; i < IDLC_NHELPERS; i++)
            if (h & idlc_helpers[i].bit)
                h |= idlc_helpers[i].calls;
    for (unsigned i = 0; i < IDLC_NHELPERS; i++)
        if (h & idlc_helpers[i].bit)
            idlc_sbuf_puts(g->out, idlc_helpers[i].code);
    for (const idlc_struct_t *st = g->f->structs; st; st = st->next) {
        if (n->dec[st->index]) {
            idlc_gen_struct_check(g, st);
            idlc_gen_struct_get(g, st);
        }
        if (n->enc[st->index])
            idlc_gen_struct_put(g, st);
    }
}

/* ---- tails ------------------------------------------------------------------------ */

/* "PREFIX_NAME_MAX", the bound of p in message prefix ("PROC_SPAWN_REQ"). */
static const char *idlc_max(idlc_gen_t *g, const char *prefix, const idlc_param_t *p)
{
    return idlc_gen_name(g->a, "%s_%s_MAX", prefix, idlc_upper(g->a, p->name));
}

/* The data bytes of p, its length field in var. */
static const char *idlc_data(idlc_gen_t *g, const char *var, const idlc_param_t *p)
{
    return idlc_gen_data_bytes(g->a, p, idlc_gen_name(g->a, "%s.%s", var, idlc_gen_length_name(g->a, p)));
}

/* Emits "idlc_at += words of p" unless p is the last bounded parameter of its list and !always. */
static void idlc_advance(idlc_gen_t *g, const char *var, const idlc_param_t *p, bool always, const char *indent)
{
    bool last = true;
    for (const idlc_param_t *q = p->next; q; q = q->next)
        last &= q->kind == IDLC_SCALAR;
    if (!last || always)
        idlc_sbuf_printf(g->out, "%sidlc_at += (%s + 7u) / 8u;\n", indent, idlc_data(g, var, p));
}

void idlc_gen_decode_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                          const char *img, const char *len, const char *fail, const char *indent)
{
    bool first = true;
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        idlc_sbuf_printf(g->out, first ? "%sif (" : " ||\n%s    ", indent);
        idlc_sbuf_printf(g->out, "%s.%s > %s", var, idlc_gen_length_name(g->a, p), idlc_max(g, prefix, p));
        first = false;
    }
    idlc_sbuf_printf(g->out, ")\n%s    %s\n", indent, fail);
    idlc_sbuf_printf(g->out, "%sif (%s != %s_WORDS", indent, len, prefix);
    for (const idlc_param_t *p = l->head; p; p = p->next)
        if (p->kind != IDLC_SCALAR)
            idlc_sbuf_printf(g->out, " +\n%s    (%s + 7u) / 8u", indent, idlc_data(g, var, p));
    idlc_sbuf_printf(g->out, ")\n%s    %s\n", indent, fail);
    idlc_sbuf_printf(g->out, "%sidlc_at = %s_WORDS;\n", indent, prefix);
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        const char *n = idlc_data(g, var, p);
        const char *pad = idlc_gen_name(g->a, "!idlc_zero(%s, idlc_at * 8u + %s, (8u - %s %% 8u) %% 8u)", img, n, n);
        switch (p->kind) {
        case IDLC_STR:
            idlc_sbuf_printf(g->out, "%sif (idlc_has_nul(%s, idlc_at * 8u, %s) ||\n%s    %s)\n%s    %s\n",
                             indent, img, n, indent, pad, indent, fail);
            break;
        case IDLC_STRS:
            idlc_sbuf_printf(g->out, "%sif ((%s != 0 && idlc_byte(%s, idlc_at * 8u + %s - 1u) != 0) ||\n"
                                     "%s    %s)\n%s    %s\n",
                             indent, n, img, n, indent, pad, indent, fail);
            break;
        case IDLC_BYTES:
            idlc_sbuf_printf(g->out, "%sif (%s)\n%s    %s\n", indent, pad, indent, fail);
            break;
        case IDLC_ARRAY:
            idlc_sbuf_printf(g->out, "%sfor (uint64_t idlc_i = 0; idlc_i < %s.%s; idlc_i++)\n"
                                     "%s    if (!idlc_check_%s(%s, idlc_at * 8u + idlc_i * %s_SIZE))\n"
                                     "%s        %s\n",
                             indent, var, idlc_gen_length_name(g->a, p), indent, p->elem->name, img,
                             idlc_upper(g->a, p->elem->name), indent, fail);
            idlc_sbuf_printf(g->out, "%sif (%s)\n%s    %s\n", indent, pad, indent, fail);
            break;
        case IDLC_SCALAR:
            break;
        }
        idlc_advance(g, var, p, false, indent);
    }
}

void idlc_gen_copy_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                        const char *img, const char *dst_prefix, const char *indent)
{
    idlc_sbuf_printf(g->out, "%sidlc_at = %s_WORDS;\n", indent, prefix);
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        const char *len = idlc_gen_name(g->a, "%s.%s", var, idlc_gen_length_name(g->a, p));
        const char *dst = idlc_gen_name(g->a, "%s%s", dst_prefix, p->name);
        if (p->kind == IDLC_ARRAY)
            idlc_sbuf_printf(g->out, "%sfor (uint64_t idlc_i = 0; idlc_i < %s; idlc_i++)\n"
                                     "%s    idlc_get_%s(&%s[idlc_i], %s, idlc_at * 8u + idlc_i * %s_SIZE);\n",
                             indent, len, indent, p->elem->name, dst, img, idlc_upper(g->a, p->elem->name));
        else
            idlc_sbuf_printf(g->out, "%sidlc_get_bytes(%s, %s, idlc_at * 8u, %s);\n", indent, dst, img, len);
        if (p->kind == IDLC_STR)
            idlc_sbuf_printf(g->out, "%s%s[%s] = '\\0';\n", indent, dst, len);
        idlc_advance(g, var, p, false, indent);
    }
}

void idlc_gen_encode_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                          const char *img, const char *src_prefix, const char *fail, const char *indent)
{
    idlc_sbuf_printf(g->out, "%sidlc_at = %s_WORDS;\n", indent, prefix);
    for (const idlc_param_t *p = l->head; p; p = p->next) {
        if (p->kind == IDLC_SCALAR)
            continue;
        const char *len = idlc_gen_name(g->a, "%s.%s", var, idlc_gen_length_name(g->a, p));
        const char *src = idlc_gen_name(g->a, "%s%s", src_prefix, p->name);
        if (p->kind == IDLC_ARRAY)
            idlc_sbuf_printf(g->out, "%sfor (uint64_t idlc_i = 0; idlc_i < %s; idlc_i++)\n"
                                     "%s    if (!idlc_put_%s(%s, idlc_at * 8u + idlc_i * %s_SIZE, &%s[idlc_i]))\n"
                                     "%s        %s\n",
                             indent, len, indent, p->elem->name, img, idlc_upper(g->a, p->elem->name), src,
                             indent, fail);
        else
            idlc_sbuf_printf(g->out, "%sidlc_put_bytes(%s, idlc_at * 8u, %s, %s);\n", indent, img, src, len);
        idlc_advance(g, var, p, true, indent);
    }
}
