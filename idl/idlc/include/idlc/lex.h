/*
 * The IDL lexer (private to idlc).  Tokens point into the source text,
 * which must outlive them.  Keywords are not special here: the parser
 * recognises them by their text where the grammar expects them.
 */
#ifndef IDLC_LEX_H
#define IDLC_LEX_H

#include <idlc/idlc.h>

typedef enum idlc_tok_kind {
    IDLC_TOK_EOF,
    IDLC_TOK_ERROR,     /* a lexical error, already reported */
    IDLC_TOK_IDENT,     /* [A-Za-z_][A-Za-z0-9_]* */
    IDLC_TOK_NUMBER,    /* decimal or 0x hex, fits 64 bits; value in .value */
    IDLC_TOK_STRING,    /* "..."; .text/.len are the contents without quotes */
    IDLC_TOK_LBRACE, IDLC_TOK_RBRACE,
    IDLC_TOK_LPAREN, IDLC_TOK_RPAREN,
    IDLC_TOK_LBRACKET, IDLC_TOK_RBRACKET,
    IDLC_TOK_COMMA, IDLC_TOK_SEMI, IDLC_TOK_EQUALS,
    IDLC_TOK_LANGLE, IDLC_TOK_RANGLE,
} idlc_tok_kind_t;

typedef struct idlc_token {
    idlc_tok_kind_t kind;
    idlc_loc_t loc;         /* first character */
    idlc_loc_t end;         /* just after the last character */
    const char *text;       /* the spelling (contents for a string) */
    size_t len;
    uint64_t value;
} idlc_token_t;

typedef struct idlc_lexer {
    const char *src;
    size_t len;
    size_t pos;             /* next byte to read */
    idlc_loc_t at;          /* position of src[pos] */
    idlc_diag_t *diag;
} idlc_lexer_t;

void idlc_lex_init(idlc_lexer_t *lx, idlc_diag_t *d, const char *src, size_t len);

/* Reads the next token.  On a lexical error reports it and returns IDLC_TOK_ERROR. */
idlc_tok_kind_t idlc_lex_next(idlc_lexer_t *lx, idlc_token_t *t);

/*
 * Describes t for a message ("'mmap'", "end of file", "string \"x\""),
 * quoting at most a short prefix of long or unprintable text.
 */
void idlc_lex_describe(const idlc_token_t *t, idlc_sbuf_t *out);

#endif /* IDLC_LEX_H */
