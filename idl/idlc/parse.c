/*
 * The IDL parser: recursive descent over one token of lookahead, building
 * the tree in the caller's arena.  The grammar (idl/README.md) nests only
 * to a fixed depth (file, interface, method, parameter, attribute), so the
 * C stack depth is bounded whatever the input; lists are loops.
 *
 * On the first error the parser reports it and unwinds with longjmp to
 * idlc_parse().  That is safe because everything it allocates is in the
 * arena, which the caller frees, and the only other resource, a scratch
 * string for messages, is freed before each jump.
 *
 * Declared names (interfaces, methods, parameters) are checked here, where
 * their position is known: [a-z][a-z0-9_]*, not a C or IDL keyword, not a
 * name the generated code uses itself.  Names of C constants (in abi(...)
 * and error clauses) are any C identifier; the C compiler checks them
 * against the headers when it compiles the static assertions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <idlc/lex.h>

typedef struct idlc_parser {
    idlc_lexer_t lx;
    idlc_token_t tok;           /* the lookahead */
    idlc_loc_t prev_end;        /* just after the previous token */
    idlc_arena_t *arena;
    idlc_diag_t *diag;
    jmp_buf fail;
} idlc_parser_t;

static const struct { const char *name; const char *ctype; unsigned bits; bool is_signed; } idlc_types[] = {
    [IDLC_U8]    = { "u8",    "uint8_t",  8,  false },
    [IDLC_U16]   = { "u16",   "uint16_t", 16, false },
    [IDLC_U32]   = { "u32",   "uint32_t", 32, false },
    [IDLC_U64]   = { "u64",   "uint64_t", 64, false },
    [IDLC_I8]    = { "i8",    "int8_t",   8,  true },
    [IDLC_I16]   = { "i16",   "int16_t",  16, true },
    [IDLC_I32]   = { "i32",   "int32_t",  32, true },
    [IDLC_I64]   = { "i64",   "int64_t",  64, true },
    [IDLC_VADDR] = { "vaddr", "uint64_t", 64, false },
    [IDLC_PADDR] = { "paddr", "uint64_t", 64, false },
    [IDLC_SIZE]  = { "size",  "uint64_t", 64, false },
};
enum { IDLC_NTYPES = sizeof idlc_types / sizeof idlc_types[0] };

const char *idlc_type_name(idlc_type_t t)  { return idlc_types[t].name; }
const char *idlc_type_ctype(idlc_type_t t) { return idlc_types[t].ctype; }
bool idlc_type_signed(idlc_type_t t)       { return idlc_types[t].is_signed; }
unsigned idlc_type_bits(idlc_type_t t)     { return idlc_types[t].bits; }

/*
 * Words of C that name no constant: its keywords (C11 and C23) and the
 * lower-case macros of the standard headers.  Neither a declaration nor a
 * C constant (an error code, an abi() binding) may be one of them.
 */
static const char *const idlc_c_words[] = {
    "alignas", "alignof", "asm", "auto", "bool", "break", "case", "char",
    "complex", "const", "constexpr", "continue", "default", "do", "double",
    "else", "enum", "errno", "extern", "false", "float", "for", "goto", "if",
    "imaginary", "inline", "int", "linux", "long", "noreturn", "nullptr",
    "offsetof", "register", "restrict", "return", "short", "signed", "sizeof",
    "static", "static_assert", "struct", "switch", "thread_local", "true",
    "typedef", "typeof", "typeof_unqual", "union", "unix", "unsigned", "void",
    "volatile", "while", "assert",
};

/*
 * Names a declaration may not take besides those: IDL keywords, and the
 * names the generated functions use for their own parameters and locals.
 */
static const char *const idlc_reserved[] = {
    "interface", "include", "in", "out", "error",
    "ep", "m", "r", "rc", "rep", "req", "err", "buf", "ctx", "badge",
};

#define IDLC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool idlc_in_list(const char *const *list, size_t count, const char *s, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return true;
    return false;
}

static _Noreturn void idlc_fail(idlc_parser_t *p)
{
    longjmp(p->fail, 1);
}

static void idlc_next(idlc_parser_t *p)
{
    p->prev_end = p->tok.end;
    if (idlc_lex_next(&p->lx, &p->tok) == IDLC_TOK_ERROR)
        idlc_fail(p);
}

/* Reports "expected WHAT, found TOKEN" at the lookahead and fails; WHAT is a format. */
static _Noreturn __attribute__((format(printf, 2, 3)))
void idlc_expected(idlc_parser_t *p, const char *fmt, ...)
{
    idlc_sbuf_t what = { 0 }, found = { 0 };
    va_list ap;
    va_start(ap, fmt);
    idlc_sbuf_vprintf(&what, fmt, ap);
    va_end(ap);
    idlc_lex_describe(&p->tok, &found);
    if (p->tok.kind == IDLC_TOK_EOF)
        idlc_error(p->diag, p->tok.loc, "unexpected end of file, expected %s", idlc_sbuf_str(&what));
    else
        idlc_error(p->diag, p->tok.loc, "expected %s, found %s", idlc_sbuf_str(&what), idlc_sbuf_str(&found));
    idlc_sbuf_free(&what);
    idlc_sbuf_free(&found);
    idlc_fail(p);
}

static bool idlc_is_word(const idlc_parser_t *p, const char *word)
{
    return p->tok.kind == IDLC_TOK_IDENT && p->tok.len == strlen(word) &&
           memcmp(p->tok.text, word, p->tok.len) == 0;
}

static void idlc_expect(idlc_parser_t *p, idlc_tok_kind_t kind, const char *what)
{
    if (p->tok.kind != kind)
        idlc_expected(p, "%s", what);
    idlc_next(p);
}

/* A ';' ends a declaration; a missing one is reported where it belongs. */
static void idlc_expect_semi(idlc_parser_t *p, const char *after)
{
    if (p->tok.kind == IDLC_TOK_SEMI) {
        idlc_next(p);
        return;
    }
    if (p->tok.kind == IDLC_TOK_EOF)
        idlc_expected(p, "';'");
    idlc_sbuf_t found = { 0 };
    idlc_lex_describe(&p->tok, &found);
    idlc_error(p->diag, p->prev_end, "expected ';' after %s, found %s", after, idlc_sbuf_str(&found));
    idlc_sbuf_free(&found);
    idlc_fail(p);
}

/* Reads a declared name (see the file comment) and returns it, copied. */
static const char *idlc_name(idlc_parser_t *p, const char *what)
{
    if (p->tok.kind != IDLC_TOK_IDENT)
        idlc_expected(p, "%s %s", strchr("aeiou", what[0]) ? "an" : "a", what);
    const char *s = p->tok.text;
    size_t n = p->tok.len;
    idlc_sbuf_t q = { 0 };
    idlc_lex_describe(&p->tok, &q);
    bool ok = s[0] >= 'a' && s[0] <= 'z';
    for (size_t i = 1; i < n && ok; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
    if (!ok) {
        idlc_error(p->diag, p->tok.loc, "%s %s must be lower case: [a-z][a-z0-9_]*", what, idlc_sbuf_str(&q));
        idlc_sbuf_free(&q);
        idlc_fail(p);
    }
    const char *why = NULL;
    if (idlc_in_list(idlc_c_words, IDLC_COUNT(idlc_c_words), s, n) ||
        idlc_in_list(idlc_reserved, IDLC_COUNT(idlc_reserved), s, n))
        why = "is reserved";
    if (why == NULL && n >= 2 && s[n - 2] == '_' && s[n - 1] == 't')
        why = "ends in _t, which is reserved for types";
    if (why == NULL && ((n >= 3 && memcmp(s, "ak_", 3) == 0) || (n >= 5 && memcmp(s, "idlc_", 5) == 0)))
        why = "starts with a reserved prefix (ak_, idlc_)";
    if (why != NULL) {
        idlc_error(p->diag, p->tok.loc, "%s %s %s", what, idlc_sbuf_str(&q), why);
        idlc_sbuf_free(&q);
        idlc_fail(p);
    }
    idlc_sbuf_free(&q);
    const char *name = idlc_strndup(p->arena, s, n);
    idlc_next(p);
    return name;
}

/* Reads the name of a C constant: any C identifier but a word of C. */
static const char *idlc_cident(idlc_parser_t *p, const char *what)
{
    if (p->tok.kind != IDLC_TOK_IDENT)
        idlc_expected(p, "%s", what);
    if (idlc_in_list(idlc_c_words, IDLC_COUNT(idlc_c_words), p->tok.text, p->tok.len)) {
        idlc_error(p->diag, p->tok.loc, "'%.*s' is a word of C, not the name of a constant",
                   (int)p->tok.len, p->tok.text);
        idlc_fail(p);
    }
    const char *name = idlc_strndup(p->arena, p->tok.text, p->tok.len);
    idlc_next(p);
    return name;
}

static const char *const idlc_kind_names[] = {
    [IDLC_SCALAR] = "scalar", [IDLC_STR] = "str", [IDLC_STRS] = "strs",
    [IDLC_BYTES] = "bytes", [IDLC_ARRAY] = "array",
};

const char *idlc_kind_name(idlc_kind_t k) { return idlc_kind_names[k]; }

/* Where a type is read: which kinds the place allows. */
typedef enum idlc_place {
    IDLC_PLACE_PARAM,   /* an in or out: every kind */
    IDLC_PLACE_ERROR,   /* a word of an error reply: scalars */
    IDLC_PLACE_FIELD,   /* a struct field: scalars and str */
} idlc_place_t;

/* bound := NUMBER | CONST "=" NUMBER, in 1..IDLC_MAX_BOUND. */
static void idlc_parse_bound(idlc_parser_t *p, idlc_param_t *prm)
{
    prm->bound_loc = p->tok.loc;
    if (p->tok.kind == IDLC_TOK_IDENT) {
        prm->bound_const = idlc_cident(p, "a bound");
        if (p->tok.kind != IDLC_TOK_EQUALS)
            idlc_expected(p, "'=' and the number the constant stands for (a bound is written N or CONSTANT = N)");
        idlc_next(p);
    }
    if (p->tok.kind != IDLC_TOK_NUMBER)
        idlc_expected(p, "a bound (a number, or CONSTANT = number)");
    idlc_loc_t at = p->tok.loc;
    prm->bound = p->tok.value;
    if (prm->bound == 0) {
        idlc_error(p->diag, at, "a bound is at least 1");
        idlc_fail(p);
    }
    if (prm->bound > IDLC_MAX_BOUND) {
        idlc_error(p->diag, at, "bound %llu is larger than a message (%u bytes)",
                   (unsigned long long)prm->bound, IDLC_MAX_BOUND);
        idlc_fail(p);
    }
    idlc_next(p);
}

/*
 * TYPE := SCALAR | ("str" | "strs" | "bytes") "<" bound ">"
 *       | "array" "<" NAME "," bound ">"
 * into prm, if the place allows it.
 */
static void idlc_parse_type(idlc_parser_t *p, idlc_param_t *prm, idlc_place_t place)
{
    if (p->tok.kind != IDLC_TOK_IDENT)
        idlc_expected(p, "a type");
    for (unsigned t = 0; t < IDLC_NTYPES; t++)
        if (idlc_is_word(p, idlc_types[t].name)) {
            idlc_next(p);
            prm->kind = IDLC_SCALAR;
            prm->type = (idlc_type_t)t;
            return;
        }
    idlc_kind_t kind = IDLC_SCALAR;
    for (unsigned k = IDLC_STR; k <= IDLC_ARRAY; k++)
        if (idlc_is_word(p, idlc_kind_names[k]))
            kind = (idlc_kind_t)k;
    bool bad = true;
    idlc_sbuf_t q = { 0 };
    idlc_lex_describe(&p->tok, &q);
    if (kind == IDLC_SCALAR)
        idlc_error(p->diag, p->tok.loc,
                   "unknown type %s (types: u8 u16 u32 u64 i8 i16 i32 i64 vaddr paddr size, "
                   "str<N> strs<N> bytes<N> array<S, N>)", idlc_sbuf_str(&q));
    else if (place == IDLC_PLACE_ERROR)
        idlc_error(p->diag, p->tok.loc, "error words are scalars; %s travels only in ins and outs",
                   idlc_sbuf_str(&q));
    else if (place == IDLC_PLACE_FIELD && kind != IDLC_STR)
        idlc_error(p->diag, p->tok.loc, "a struct field is a scalar or str<N>, not %s", idlc_sbuf_str(&q));
    else
        bad = false;
    idlc_sbuf_free(&q);
    if (bad)
        idlc_fail(p);
    prm->kind = kind;
    idlc_next(p);
    if (p->tok.kind != IDLC_TOK_LANGLE)
        idlc_expected(p, kind == IDLC_ARRAY ? "'<' after 'array' (array<STRUCT, BOUND>)"
                                            : "'<' and a bound after '%s'", idlc_kind_names[kind]);
    idlc_next(p);
    if (kind == IDLC_ARRAY) {
        if (p->tok.kind != IDLC_TOK_IDENT)
            idlc_expected(p, "the name of a struct");
        for (unsigned t = 0; t < IDLC_NTYPES; t++)
            if (idlc_is_word(p, idlc_types[t].name)) {
                idlc_error(p->diag, p->tok.loc, "array elements are structs, not '%s' (bytes<N> carries bytes)",
                           idlc_types[t].name);
                idlc_fail(p);
            }
        prm->elem_loc = p->tok.loc;
        prm->elem_name = idlc_strndup(p->arena, p->tok.text, p->tok.len);
        idlc_next(p);
        idlc_expect(p, IDLC_TOK_COMMA, "',' and a bound after the element type");
    }
    idlc_parse_bound(p, prm);
    idlc_expect(p, IDLC_TOK_RANGLE, "'>' after the bound");
}

/* What an attribute list said; `seen` detects duplicates. */
typedef struct idlc_attrs {
    bool fastpath, kernel, abi;
    const char *abi_args[2];
    unsigned abi_nargs;
    idlc_loc_t abi_loc;
} idlc_attrs_t;

/*
 * attrs := "[" attr { "," attr } "]"
 * attr  := "fastpath" | "kernel" | "abi" "(" CIDENT [ "," CIDENT ] ")"
 * for_method selects which attributes are allowed.
 */
static void idlc_parse_attrs(idlc_parser_t *p, idlc_attrs_t *at, bool for_method)
{
    memset(at, 0, sizeof *at);
    if (p->tok.kind != IDLC_TOK_LBRACKET)
        return;
    idlc_next(p);
    for (;;) {
        idlc_loc_t loc = p->tok.loc;
        bool *flag = NULL;
        const char *name = NULL;
        if (idlc_is_word(p, "fastpath")) {
            flag = &at->fastpath;
            name = "fastpath";
        } else if (idlc_is_word(p, "kernel")) {
            flag = &at->kernel;
            name = "kernel";
        } else if (idlc_is_word(p, "abi")) {
            flag = &at->abi;
            name = "abi";
        } else if (p->tok.kind == IDLC_TOK_IDENT) {
            idlc_sbuf_t q = { 0 };
            idlc_lex_describe(&p->tok, &q);
            idlc_error(p->diag, loc, "unknown attribute %s (attributes: fastpath, kernel, abi)",
                       idlc_sbuf_str(&q));
            idlc_sbuf_free(&q);
            idlc_fail(p);
        } else {
            idlc_expected(p, "an attribute");
        }
        if (*flag) {
            idlc_error(p->diag, loc, "duplicate attribute '%s'", name);
            idlc_fail(p);
        }
        if (!for_method && flag != &at->abi) {
            idlc_error(p->diag, loc, "attribute '%s' applies to methods, not parameters", name);
            idlc_fail(p);
        }
        *flag = true;
        idlc_next(p);
        if (flag == &at->abi) {
            at->abi_loc = loc;
            idlc_expect(p, IDLC_TOK_LPAREN, "'(' after 'abi'");
            for (;;) {
                const char *c = idlc_cident(p, "the name of a C constant");
                if (at->abi_nargs < 2)
                    at->abi_args[at->abi_nargs] = c;
                at->abi_nargs++;
                if (p->tok.kind != IDLC_TOK_COMMA)
                    break;
                idlc_next(p);
            }
            idlc_expect(p, IDLC_TOK_RPAREN, "',' or ')'");
            unsigned want = for_method ? 2 : 1;
            if (at->abi_nargs != want) {
                idlc_error(p->diag, loc, for_method
                           ? "abi(...) on a method takes 2 constants (label, word count), not %u"
                           : "abi(...) on a parameter takes 1 constant (word index), not %u",
                           at->abi_nargs);
                idlc_fail(p);
            }
        }
        if (p->tok.kind == IDLC_TOK_RBRACKET)
            break;
        idlc_expect(p, IDLC_TOK_COMMA, "',' or ']'");
    }
    idlc_next(p);
}

static void idlc_params_init(idlc_params_t *l)
{
    l->head = NULL;
    l->tail = &l->head;
    l->count = 0;
}

static void idlc_params_add(idlc_params_t *l, idlc_param_t *prm)
{
    *l->tail = prm;
    l->tail = &prm->next;
    l->count++;
}

/* [attrs] TYPE NAME, after the direction (if any) has been read. */
static idlc_param_t *idlc_parse_param_rest(idlc_parser_t *p, const idlc_attrs_t *at, idlc_place_t place)
{
    idlc_param_t *prm = idlc_alloc(p->arena, sizeof *prm);
    idlc_loc_t type_loc = p->tok.loc;
    idlc_parse_type(p, prm, place);
    if (at->abi && prm->kind != IDLC_SCALAR) {
        idlc_error(p->diag, type_loc, "abi(...) binds a scalar word, not a %s", idlc_kind_names[prm->kind]);
        idlc_fail(p);
    }
    prm->loc = p->tok.loc;
    prm->name = idlc_name(p, "parameter name");
    prm->abi_index = at->abi ? at->abi_args[0] : NULL;
    return prm;
}

/* "(" [ item { "," item } ] ")" for a method's parameters. */
static void idlc_parse_params(idlc_parser_t *p, idlc_method_t *m)
{
    idlc_expect(p, IDLC_TOK_LPAREN, "'('");
    if (p->tok.kind == IDLC_TOK_RPAREN) {
        idlc_next(p);
        return;
    }
    for (;;) {
        idlc_attrs_t at;
        idlc_parse_attrs(p, &at, false);
        idlc_params_t *dir;
        if (idlc_is_word(p, "in"))
            dir = &m->ins;
        else if (idlc_is_word(p, "out"))
            dir = &m->outs;
        else
            idlc_expected(p, "'in' or 'out'");
        idlc_next(p);
        idlc_params_add(dir, idlc_parse_param_rest(p, &at, IDLC_PLACE_PARAM));
        if (p->tok.kind == IDLC_TOK_RPAREN)
            break;
        idlc_expect(p, IDLC_TOK_COMMA, "',' or ')'");
    }
    idlc_next(p);
}

/* errclause := CIDENT "(" [ [attrs] TYPE NAME { "," ... } ] ")" */
static idlc_errclause_t *idlc_parse_errclause(idlc_parser_t *p)
{
    idlc_errclause_t *e = idlc_alloc(p->arena, sizeof *e);
    idlc_params_init(&e->words);
    e->loc = p->tok.loc;
    e->cname = idlc_cident(p, "the name of an error constant after 'error'");
    idlc_expect(p, IDLC_TOK_LPAREN, "'(' after the error constant");
    if (p->tok.kind == IDLC_TOK_RPAREN) {
        idlc_next(p);
        return e;
    }
    for (;;) {
        idlc_attrs_t at;
        idlc_parse_attrs(p, &at, false);
        idlc_params_add(&e->words, idlc_parse_param_rest(p, &at, IDLC_PLACE_ERROR));
        if (p->tok.kind == IDLC_TOK_RPAREN)
            break;
        idlc_expect(p, IDLC_TOK_COMMA, "',' or ')'");
    }
    idlc_next(p);
    return e;
}

/* method := [attrs] NAME params "=" NUMBER { "error" errclause } ";" */
static idlc_method_t *idlc_parse_method(idlc_parser_t *p)
{
    idlc_method_t *m = idlc_alloc(p->arena, sizeof *m);
    idlc_params_init(&m->ins);
    idlc_params_init(&m->outs);
    idlc_attrs_t at;
    idlc_parse_attrs(p, &at, true);
    m->fastpath = at.fastpath;
    m->kernel = at.kernel;
    if (at.abi) {
        m->abi_label = at.abi_args[0];
        m->abi_words = at.abi_args[1];
    }
    m->loc = p->tok.loc;
    m->name = idlc_name(p, "method name");
    idlc_parse_params(p, m);
    if (p->tok.kind != IDLC_TOK_EQUALS)
        idlc_expected(p, "'= LABEL' after the parameters (every method has an explicit label)");
    idlc_next(p);
    if (p->tok.kind != IDLC_TOK_NUMBER)
        idlc_expected(p, "a label number");
    m->label = p->tok.value;
    m->label_loc = p->tok.loc;
    idlc_next(p);
    idlc_errclause_t **tail = &m->errors;
    while (idlc_is_word(p, "error")) {
        idlc_next(p);
        *tail = idlc_parse_errclause(p);
        tail = &(*tail)->next;
        m->nerrors++;
    }
    idlc_expect_semi(p, "the method declaration");
    return m;
}

/* interface := "interface" NAME "{" { method } "}" */
static idlc_iface_t *idlc_parse_iface(idlc_parser_t *p)
{
    idlc_iface_t *ifc = idlc_alloc(p->arena, sizeof *ifc);
    idlc_next(p);
    ifc->loc = p->tok.loc;
    ifc->name = idlc_name(p, "interface name");
    idlc_expect(p, IDLC_TOK_LBRACE, "'{'");
    idlc_method_t **tail = &ifc->methods;
    while (p->tok.kind != IDLC_TOK_RBRACE) {
        if (p->tok.kind != IDLC_TOK_IDENT && p->tok.kind != IDLC_TOK_LBRACKET)
            idlc_expected(p, "a method or '}'");
        *tail = idlc_parse_method(p);
        tail = &(*tail)->next;
        ifc->nmethods++;
    }
    idlc_next(p);
    return ifc;
}

/* struct := "struct" NAME "{" { TYPE NAME ";" } "}" */
static idlc_struct_t *idlc_parse_struct(idlc_parser_t *p)
{
    idlc_struct_t *st = idlc_alloc(p->arena, sizeof *st);
    idlc_params_init(&st->fields);
    idlc_next(p);
    st->loc = p->tok.loc;
    st->name = idlc_name(p, "struct name");
    idlc_expect(p, IDLC_TOK_LBRACE, "'{'");
    while (p->tok.kind != IDLC_TOK_RBRACE) {
        if (p->tok.kind != IDLC_TOK_IDENT)
            idlc_expected(p, "a field or '}'");
        idlc_param_t *f = idlc_alloc(p->arena, sizeof *f);
        idlc_parse_type(p, f, IDLC_PLACE_FIELD);
        f->loc = p->tok.loc;
        f->name = idlc_name(p, "field name");
        idlc_expect_semi(p, "the field");
        idlc_params_add(&st->fields, f);
    }
    idlc_next(p);
    return st;
}

/* file := { include | struct | interface } EOF */
static void idlc_parse_file(idlc_parser_t *p, idlc_file_t *f)
{
    idlc_include_t **itail = &f->includes;
    idlc_iface_t **ftail = &f->ifaces;
    idlc_struct_t **stail = &f->structs;
    idlc_next(p);
    while (p->tok.kind != IDLC_TOK_EOF) {
        if (idlc_is_word(p, "include")) {
            idlc_include_t *inc = idlc_alloc(p->arena, sizeof *inc);
            idlc_next(p);
            inc->loc = p->tok.loc;
            if (p->tok.kind != IDLC_TOK_STRING)
                idlc_expected(p, "a header path in quotes");
            if (p->tok.len == 0) {
                idlc_error(p->diag, p->tok.loc, "empty header path");
                idlc_fail(p);
            }
            inc->path = idlc_strndup(p->arena, p->tok.text, p->tok.len);
            idlc_next(p);
            idlc_expect_semi(p, "the include");
            *itail = inc;
            itail = &inc->next;
        } else if (idlc_is_word(p, "interface")) {
            *ftail = idlc_parse_iface(p);
            ftail = &(*ftail)->next;
            f->nifaces++;
        } else if (idlc_is_word(p, "struct")) {
            *stail = idlc_parse_struct(p);
            (*stail)->index = f->nstructs++;
            stail = &(*stail)->next;
        } else {
            idlc_expected(p, "'interface', 'struct' or 'include'");
        }
    }
}

/* The file name without directories, and without ".idl" for the stem. */
static void idlc_file_names(idlc_arena_t *a, idlc_file_t *f, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    f->base = idlc_strndup(a, base, n);
    if (n > 4 && strcmp(base + n - 4, ".idl") == 0)
        n -= 4;
    f->stem = idlc_strndup(a, base, n);
}

idlc_file_t *idlc_parse(idlc_arena_t *a, idlc_diag_t *d, const char *path,
                        const char *src, size_t len)
{
    idlc_parser_t p;
    memset(&p, 0, sizeof p);
    p.arena = a;
    p.diag = d;
    idlc_file_t *f = idlc_alloc(a, sizeof *f);
    idlc_file_names(a, f, path);
    idlc_lex_init(&p.lx, d, src, len);
    if (len > IDLC_MAX_INPUT) {
        idlc_error(d, p.lx.at, "input is larger than %u bytes", (unsigned)IDLC_MAX_INPUT);
        return NULL;
    }
    if (setjmp(p.fail))
        return NULL;
    idlc_parse_file(&p, f);
    return f;
}
