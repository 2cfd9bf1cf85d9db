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
 * and file-local helpers named idlc_* (idlc_result, idlc_replied,
 * idlc_sword, idlc_fail, idlc_status), safe because no declared name may
 * start with idlc_.
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
