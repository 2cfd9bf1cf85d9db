/*
 * Shared by idlc's checker and generators (private to idlc).
 *
 * The C names generated for interface I, method M, parameter P and error
 * constant E (I, M, P lower case; upper-cased where shown):
 *   I_M                     client stub (not for [kernel] messages)
 *   I_dispatch, I_handlers_t, struct I_handlers, I_MAX_WORDS
 *   I_LABEL_M               the method's label
 *   I_M_REQ_WORDS, I_M_REQ_W_P, I_M_REP_WORDS, I_M_REP_W_P
 *   I_M_ERR_E_WORDS, I_M_ERR_E_W_P
 *   I_M_req_t, I_M_rep_t, I_M_err_e_t (e: E lower-cased), and their struct tags
 *   idlc_I_M                the server's static decoder of M
 * and for each struct S: S_t, struct S, S_SIZE, S_OFF_F, S_F_MAX (str
 * fields), idlc_check_S, idlc_get_S, idlc_put_S; for a bounded parameter P
 * also I_M_REQ_P_MAX (and I_M_REQ_MAX_WORDS for its message); and
 * file-local helpers and locals named idlc_* (idlc_result, idlc_replied,
 * idlc_sword, idlc_fail, idlc_status, idlc_gather, idlc_w, idlc_at ...),
 * safe because no declared name may start with idlc_.
 * idlc_check() claims every one of them, so that two declarations never
 * produce the same identifier; a generator that emits a new kind of name
 * must claim it there too.
 */
#ifndef IDLC_GEN_H
#define IDLC_GEN_H

#include <idlc/idlc.h>

/* printf into the arena. */
const char *idlc_gen_name(idlc_arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with ASCII letters upper- or lower-cased, in the arena. */
const char *idlc_upper(idlc_arena_t *a, const char *s);
const char *idlc_lower(idlc_arena_t *a, const char *s);

/* What the generators need to know about the whole file. */
typedef struct idlc_gen {
    idlc_arena_t *a;
    const idlc_file_t *f;
    idlc_sbuf_t *out;          /* the file being written */
} idlc_gen_t;

/* The banner, the purpose comment and the include guard of a header. */
void idlc_gen_open(idlc_gen_t *g, const char *file, const char *purpose);
/* Appends "TYPE NAME" parameters wrapped at a fixed width after `head`. */
void idlc_gen_signature(idlc_gen_t *g, const char *head, const char *const *args, unsigned nargs,
                        const char *tail);

/* True if the method has a client stub. */
bool idlc_gen_has_stub(const idlc_method_t *m);
/* The longest message of the method, in words. */
unsigned idlc_gen_max_words(const idlc_method_t *m);
/* A parameter's C declaration "uint32_t prot" (ptr: "uint32_t *out_prot"). */
const char *idlc_gen_decl(idlc_arena_t *a, const idlc_param_t *p, bool ptr);
/* The wire type of a struct field: int64_t for signed types, else uint64_t. */
const char *idlc_gen_wire_type(const idlc_param_t *p);
/* "I_M" upper-cased: the prefix of the method's macros. */
const char *idlc_gen_macro(idlc_arena_t *a, const idlc_iface_t *ifc, const idlc_method_t *m);
/* The upper-cased tag of an error clause's macros: "ERR_AK_ENOTABLE". */
const char *idlc_gen_errtag(idlc_arena_t *a, const idlc_errclause_t *e);

/*
 * Emits the decoding of message l into struct `var`: word i from
 * `regs`[i] for i < 4 and `bufwords`[i] above (both C expressions naming
 * word arrays), then a check that every narrow field fits its type, which
 * runs the statement `fail` if not.  Each line starts with `indent`.
 */
void idlc_gen_decode(idlc_gen_t *g, const idlc_params_t *l, const char *var, const char *regs,
                     const char *bufwords, const char *fail, const char *indent);
/* The name of a parameter's word in its message struct: NAME, or NAME_len / NAME_count for a bounded one. */
const char *idlc_gen_field(idlc_arena_t *a, const idlc_param_t *p);
/* The length word's name of a bounded parameter: NAME_count for arrays, else NAME_len. */
const char *idlc_gen_length_name(idlc_arena_t *a, const idlc_param_t *p);
/*
 * Appends to args the C parameter declarations of p (one, or two for a
 * bounded kind with a length) for the client stub (handler false) or the
 * handler; returns how many.  See idl/README.md for the forms.
 */
unsigned idlc_gen_param_decls(idlc_arena_t *a, const idlc_param_t *p, bool out, bool handler,
                              const char **args);
/* The bytes of a bounded parameter's data as a C expression of its length expression len. */
const char *idlc_gen_data_bytes(idlc_arena_t *a, const idlc_param_t *p, const char *len);

/*
 * Bounded messages (gen_bounded.c).  A generated .c file emits only the
 * helpers it calls (clang warns of unused static functions), so each
 * generator first collects what its messages need.
 */
typedef struct idlc_needs {
    unsigned helpers;       /* IDLC_H_* */
    bool *dec;              /* per struct (idlc_struct_t.index): check and get */
    bool *enc;              /* per struct: put */
} idlc_needs_t;

void idlc_needs_init(idlc_gen_t *g, idlc_needs_t *n);
/* Notes what decoding (or encoding) the bounded message l needs; nothing if it is not bounded. */
void idlc_needs_message(idlc_needs_t *n, const idlc_params_t *l, bool decode);
/* True if the helpers include the sign extension (idlc_sword is then needed). */
bool idlc_needs_sword(const idlc_needs_t *n);
/* Emits the helpers and struct codecs n names. */
void idlc_gen_helpers(idlc_gen_t *g, const idlc_needs_t *n);
/* Emits every struct of the file as a C type with its layout macros and assertions (X_types.h). */
void idlc_gen_struct_types(idlc_gen_t *g);
/*
 * The tails of bounded message l, whose macros start with prefix
 * ("PROC_SPAWN_REQ") and whose fixed words (the lengths among them) are in
 * struct var; img names its word image; the cursor is the local idlc_at.
 *
 * decode_tail emits the checks: every length at most its bound, the
 * message length `len` (a C expression) exactly the fixed words plus each
 * tail, each tail well formed (a str without NUL, a strs ending in one,
 * array elements valid, the bytes after each tail in its last word zero);
 * a failure runs the statement `fail`.  copy_tail then copies each tail
 * into dst_prefix NAME (a local array or an out_ pointer).
 * encode_tail writes each tail from src_prefix NAME into the zeroed image
 * and leaves the message length in idlc_at; an array element whose str
 * field has no NUL runs `fail`.
 */
void idlc_gen_decode_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                          const char *img, const char *len, const char *fail, const char *indent);
void idlc_gen_copy_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                        const char *img, const char *dst_prefix, const char *indent);
void idlc_gen_encode_tail(idlc_gen_t *g, const idlc_params_t *l, const char *prefix, const char *var,
                          const char *img, const char *src_prefix, const char *fail, const char *indent);

/* Whether decoding l needs the sign-extension helper idlc_sword(). */
bool idlc_gen_needs_sword(const idlc_params_t *l);
/* Emits the static helper idlc_sword(). */
void idlc_gen_sword(idlc_gen_t *g);

void idlc_gen_types_h(idlc_gen_t *g);
void idlc_gen_client_h(idlc_gen_t *g);
void idlc_gen_client_c(idlc_gen_t *g);
void idlc_gen_server_h(idlc_gen_t *g);
void idlc_gen_server_c(idlc_gen_t *g);

#endif /* IDLC_GEN_H */
