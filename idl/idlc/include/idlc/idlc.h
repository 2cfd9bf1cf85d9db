/*
 * idlc: the interface compiler.  This header is the contract between its
 * parts (lexer, parser, checker, generators, command line) and the unit
 * tests, which link everything but main.c.
 *
 * Pipeline: idlc_parse() reads the text into a syntax tree (idlc_file_t),
 * idlc_check() validates it and assigns word indices, idlc_generate()
 * renders the five output files into memory.  Every node lives in one
 * arena owned by the caller, so an error anywhere frees by dropping the
 * arena.  idlc stops at the first error: each stage reports at most one
 * diagnostic and returns false.
 *
 * Invariants after a successful idlc_check():
 *   - every declared name matches [a-z][a-z0-9_]*, is not reserved, and
 *     every C identifier generated from the file is unique;
 *   - every method label is in 1..IDLC_LABEL_MAX and unique in its interface;
 *   - every message (request, reply, each error reply) has at most
 *     IDLC_MAX_WORDS words with every string and array at its bound, at
 *     most IDLC_REG_WORDS if the method is fastpath;
 *   - idlc_param_t.word is the index of the parameter in its message;
 *   - every array names a struct of the file; every struct has fields,
 *     laid out (offset, size, align) as C lays out its generated type;
 *   - bounded kinds appear only in ins and outs of non-kernel methods,
 *     never in error words.
 */
#ifndef IDLC_H
#define IDLC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Mirrors of abi/msginfo.h; the generated code asserts they agree. */
#define IDLC_MAX_WORDS 64u                           /* AK_MSG_MAX_WORDS */
#define IDLC_REG_WORDS 4u                            /* AK_MSG_REG_WORDS */
#define IDLC_LABEL_MAX ((UINT64_C(1) << 52) - 1u)    /* AK_MSGINFO_LABEL_MAX */

/* Largest input accepted, a guard against feeding idlc a disk image. */
#define IDLC_MAX_INPUT (16u << 20)

/* ---- memory ------------------------------------------------------------ */

/* A bump allocator; everything is freed at once by idlc_arena_free(). */
typedef struct idlc_arena {
    struct idlc_arena_block *head;
} idlc_arena_t;

/* Returns zeroed memory for n bytes, aligned for any type; exits on OOM. */
void *idlc_alloc(idlc_arena_t *a, size_t n);
/* Copies n bytes of s into the arena as a NUL-terminated string. */
char *idlc_strndup(idlc_arena_t *a, const char *s, size_t n);
void idlc_arena_free(idlc_arena_t *a);

/* A growable, always NUL-terminated string; free with idlc_sbuf_free(). */
typedef struct idlc_sbuf {
    char *data;     /* NULL until the first append */
    size_t len;
    size_t cap;
} idlc_sbuf_t;

void idlc_sbuf_put(idlc_sbuf_t *b, const char *s, size_t n);
void idlc_sbuf_puts(idlc_sbuf_t *b, const char *s);
void idlc_sbuf_printf(idlc_sbuf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void idlc_sbuf_vprintf(idlc_sbuf_t *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* The contents, "" if empty; valid until the next append. */
const char *idlc_sbuf_str(const idlc_sbuf_t *b);
void idlc_sbuf_free(idlc_sbuf_t *b);

/* ---- diagnostics --------------------------------------------------------- */

typedef struct idlc_loc {
    unsigned line;  /* 1-based */
    unsigned col;   /* 1-based, in bytes */
} idlc_loc_t;

/*
 * Where diagnostics go: appended to `text` as "file:line:col: kind: msg\n".
 * `file` is the name shown (the path as given on the command line).
 */
typedef struct idlc_diag {
    const char *file;
    idlc_sbuf_t text;
    unsigned errors;
    unsigned notes;
} idlc_diag_t;

void idlc_error(idlc_diag_t *d, idlc_loc_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void idlc_note(idlc_diag_t *d, idlc_loc_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the syntax tree ------------------------------------------------------ */

typedef enum idlc_type {
    IDLC_U8, IDLC_U16, IDLC_U32, IDLC_U64,
    IDLC_I8, IDLC_I16, IDLC_I32, IDLC_I64,
    IDLC_VADDR, IDLC_PADDR, IDLC_SIZE,
} idlc_type_t;

/* The IDL spelling of a type ("u32"), its C type ("uint32_t"). */
const char *idlc_type_name(idlc_type_t t);
const char *idlc_type_ctype(idlc_type_t t);
/* True for i8..i64 (sign-extended on the wire). */
bool idlc_type_signed(idlc_type_t t);
/* Width in bits of the C type (8..64). */
unsigned idlc_type_bits(idlc_type_t t);

/* Largest bound: a message's bytes (IDLC_MAX_WORDS words of 8 bytes). */
#define IDLC_MAX_BOUND 512u

/*
 * What a parameter or struct field holds: one scalar, or a bounded run of
 * bytes.  A message parameter of a bounded kind takes one fixed word (its
 * length: bytes, or elements for an array) and its data travels in the
 * message's tail (idl/README.md, "Strings and arrays").  A struct field is
 * a scalar or a str, which takes bound+1 bytes of the struct.
 */
typedef enum idlc_kind {
    IDLC_SCALAR,    /* type */
    IDLC_STR,       /* str<N>: text of at most N bytes, no NUL */
    IDLC_STRS,      /* strs<N>: NUL-terminated strings end to end, N bytes in all */
    IDLC_BYTES,     /* bytes<N>: any N bytes or fewer */
    IDLC_ARRAY,     /* array<S, N>: at most N elements of struct S */
} idlc_kind_t;

/* The IDL spelling of a bounded kind: "str", "strs", "bytes", "array". */
const char *idlc_kind_name(idlc_kind_t k);

struct idlc_struct;

/* One word of a message (for a bounded kind: its length word), or one field of a struct. */
typedef struct idlc_param {
    struct idlc_param *next;
    idlc_loc_t loc;            /* of the name */
    const char *name;
    idlc_kind_t kind;
    idlc_type_t type;          /* IDLC_SCALAR */
    uint64_t bound;            /* bounded kinds: the most bytes, or elements of an array */
    const char *bound_const;   /* `str<C = 15>`: the C constant the bound must equal, or NULL */
    idlc_loc_t bound_loc;
    const char *elem_name;     /* IDLC_ARRAY: the struct's name, as written */
    idlc_loc_t elem_loc;
    const struct idlc_struct *elem;    /* IDLC_ARRAY: resolved by idlc_check */
    const char *abi_index;     /* [abi(C_CONST)]: the word index must equal it, or NULL */
    unsigned word;             /* index in its message (set by idlc_check) */
    unsigned offset;           /* struct fields: byte offset in the struct (set by idlc_check) */
} idlc_param_t;

/* A list of parameters in declaration order. */
typedef struct idlc_params {
    idlc_param_t *head;
    idlc_param_t **tail;       /* where the next one is linked */
    unsigned count;            /* the fixed words: one per parameter */
    unsigned max_words;        /* count plus the tail at every bound (set by idlc_check) */
    bool bounded;              /* a parameter has a bounded kind (set by idlc_check) */
} idlc_params_t;

/* `struct NAME { fields }`: the element of arrays, laid out by idlc_check. */
typedef struct idlc_struct {
    struct idlc_struct *next;
    idlc_loc_t loc;            /* of the name */
    const char *name;
    idlc_params_t fields;      /* kinds IDLC_SCALAR and IDLC_STR only */
    unsigned size;             /* bytes, a multiple of align (set by idlc_check) */
    unsigned align;
    unsigned index;            /* its place in the file, from 0 */
} idlc_struct_t;

/* `error C_CONST(words)`: the reply with that error label carries words. */
typedef struct idlc_errclause {
    struct idlc_errclause *next;
    idlc_loc_t loc;            /* of the constant */
    const char *cname;         /* a C constant, AK_ENOTABLE */
    idlc_params_t words;
} idlc_errclause_t;

typedef struct idlc_method {
    struct idlc_method *next;
    idlc_loc_t loc;            /* of the name */
    const char *name;
    uint64_t label;
    idlc_loc_t label_loc;
    bool fastpath;             /* [fastpath]: every message fits the registers */
    bool kernel;               /* [kernel]: sent by the kernel, never by a process */
    const char *abi_label;     /* [abi(LABEL, WORDS)]: C constants to assert, or NULL */
    const char *abi_words;
    idlc_params_t ins;         /* request words */
    idlc_params_t outs;        /* reply words on success */
    idlc_errclause_t *errors;
    unsigned nerrors;
} idlc_method_t;

typedef struct idlc_iface {
    struct idlc_iface *next;
    idlc_loc_t loc;
    const char *name;
    idlc_method_t *methods;
    unsigned nmethods;
} idlc_iface_t;

typedef struct idlc_include {
    struct idlc_include *next;
    idlc_loc_t loc;
    const char *path;
} idlc_include_t;

typedef struct idlc_file {
    const char *base;          /* the input's file name without directories: "vmm.idl" */
    const char *stem;          /* base without ".idl": "vmm"; prefixes the output files */
    idlc_include_t *includes;
    idlc_struct_t *structs;
    unsigned nstructs;
    idlc_iface_t *ifaces;
    unsigned nifaces;
} idlc_file_t;

/* ---- the stages -------------------------------------------------------- */

/*
 * Parses src (len bytes, need not be NUL-terminated) named path.  Returns
 * the tree, allocated in a, or NULL after reporting one error to d.
 */
idlc_file_t *idlc_parse(idlc_arena_t *a, idlc_diag_t *d, const char *path,
                        const char *src, size_t len);

/*
 * Validates the tree and assigns word indices.  Returns false after
 * reporting one error to d.  Adds a note to d for every message that
 * travels partly in the IPC buffer.
 */
bool idlc_check(idlc_arena_t *a, idlc_diag_t *d, idlc_file_t *f);

/* The generated files, in a fixed order. */
enum { IDLC_OUT_TYPES_H, IDLC_OUT_CLIENT_H, IDLC_OUT_CLIENT_C,
       IDLC_OUT_SERVER_H, IDLC_OUT_SERVER_C, IDLC_OUT_COUNT };

typedef struct idlc_output {
    char *name[IDLC_OUT_COUNT];    /* "vmm_types.h" ..., allocated in the arena */
    idlc_sbuf_t text[IDLC_OUT_COUNT];
} idlc_output_t;

/*
 * Renders a checked file.  The output depends only on f (never on time,
 * paths or the environment), so the same input gives the same bytes.
 * Free the texts with idlc_output_free().
 */
void idlc_generate(idlc_arena_t *a, const idlc_file_t *f, idlc_output_t *out);
void idlc_output_free(idlc_output_t *out);

/*
 * All three stages: parse, check, generate.  Returns true and fills out
 * on success; false with the error in d.
 */
bool idlc_compile(idlc_arena_t *a, idlc_diag_t *d, const char *path,
                  const char *src, size_t len, idlc_output_t *out);

#endif /* IDLC_H */
