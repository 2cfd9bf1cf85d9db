/*
 * The IDL lexer.  It reads bytes, never past src+len, and needs no
 * terminator.  Comments are C's (`//` to the end of the line, `/ * ... * /`
 * not nested); whitespace is space, tab, CR, LF, FF and VT.  Anything else
 * outside a token is an error, reported at its position.
 *
 * Numbers are decimal without leading zeros (no octal surprise) or 0x hex;
 * the token swallows every following letter, digit and underscore so that
 * "12ab" is one bad number, not a number and a name.
 */
#include <string.h>

#include <idlc/lex.h>

/* Longest piece of a token quoted in a message. */
enum { IDLC_QUOTE_MAX = 32 };

void idlc_lex_init(idlc_lexer_t *lx, idlc_diag_t *d, const char *src, size_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->at.line = 1;
    lx->at.col = 1;
    lx->diag = d;
}

static bool idlc_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool idlc_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int idlc_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The byte k ahead of the cursor, or -1 past the end. */
static int idlc_peek(const idlc_lexer_t *lx, size_t k)
{
    if (lx->pos + k >= lx->len)
        return -1;
    return (unsigned char)lx->src[lx->pos + k];
}

static void idlc_advance(idlc_lexer_t *lx)
{
    if (lx->src[lx->pos] == '\n') {
        lx->at.line++;
        lx->at.col = 1;
    } else {
        lx->at.col++;
    }
    lx->pos++;
}

/* Appends a character for a message: 'c' if printable, else 0xNN. */
static void idlc_describe_char(idlc_sbuf_t *out, int c)
{
    if (c > 0x20 && c < 0x7f && c != '\'')
        idlc_sbuf_printf(out, "'%c'", c);
    else
        idlc_sbuf_printf(out, "0x%02x", (unsigned)c);
}

/* Appends text quoted, shortened to IDLC_QUOTE_MAX bytes, unprintables as '?'. */
static void idlc_quote(idlc_sbuf_t *out, const char *text, size_t len, char q)
{
    size_t n = len > IDLC_QUOTE_MAX ? IDLC_QUOTE_MAX : len;
    idlc_sbuf_put(out, &q, 1);
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c < 0x20 || c >= 0x7f)
            c = '?';
        idlc_sbuf_put(out, &c, 1);
    }
    if (n < len)
        idlc_sbuf_puts(out, "...");
    idlc_sbuf_put(out, &q, 1);
}

void idlc_lex_describe(const idlc_token_t *t, idlc_sbuf_t *out)
{
    switch (t->kind) {
    case IDLC_TOK_EOF:
        idlc_sbuf_puts(out, "end of file");
        break;
    case IDLC_TOK_STRING:
        idlc_sbuf_puts(out, "string ");
        idlc_quote(out, t->text, t->len, '"');
        break;
    default:
        idlc_quote(out, t->text, t->len, '\'');
        break;
    }
}

/* Skips whitespace and comments.  Returns false after reporting an unterminated comment. */
static bool idlc_skip_space(idlc_lexer_t *lx)
{
    for (;;) {
        int c = idlc_peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            idlc_advance(lx);
        } else if (c == '/' && idlc_peek(lx, 1) == '/') {
            while (idlc_peek(lx, 0) != -1 && idlc_peek(lx, 0) != '\n')
                idlc_advance(lx);
        } else if (c == '/' && idlc_peek(lx, 1) == '*') {
            idlc_loc_t start = lx->at;
            idlc_advance(lx);
            idlc_advance(lx);
            for (;;) {
                if (idlc_peek(lx, 0) == -1) {
                    idlc_error(lx->diag, start, "unterminated comment");
                    return false;
                }
                if (idlc_peek(lx, 0) == '*' && idlc_peek(lx, 1) == '/') {
                    idlc_advance(lx);
                    idlc_advance(lx);
                    break;
                }
                idlc_advance(lx);
            }
        } else {
            return true;
        }
    }
}

/* Converts the spelling of a number token; false after reporting why it is bad. */
static bool idlc_number_value(idlc_lexer_t *lx, idlc_token_t *t)
{
    const char *s = t->text;
    size_t n = t->len;
    idlc_sbuf_t q = { 0 };
    idlc_quote(&q, s, n, '\'');
    const char *why = NULL;
    uint64_t v = 0;

    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n == 2)
            why = "no digits after 0x";
        for (size_t i = 2; i < n && why == NULL; i++) {
            int h = idlc_hex_value((unsigned char)s[i]);
            if (h < 0)
                why = "not a hexadecimal digit in it";
            else if (v > UINT64_MAX >> 4)
                why = "does not fit in 64 bits";
            else
                v = v << 4 | (uint64_t)h;
        }
    } else {
        for (size_t i = 0; i < n && why == NULL; i++) {
            if (!idlc_is_digit((unsigned char)s[i]))
                why = "not a decimal digit in it";
            else if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
                why = "does not fit in 64 bits";
            else
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (why == NULL && n > 1 && s[0] == '0')
            why = "leading zero (octal is not supported)";
    }
    if (why != NULL)
        idlc_error(lx->diag, t->loc, "bad number %s: %s", idlc_sbuf_str(&q), why);
    idlc_sbuf_free(&q);
    t->value = v;
    return why == NULL;
}

/* Reads a string after its opening quote. */
static idlc_tok_kind_t idlc_lex_string(idlc_lexer_t *lx, idlc_token_t *t)
{
    idlc_advance(lx);
    size_t start = lx->pos;
    for (;;) {
        int c = idlc_peek(lx, 0);
        if (c == -1 || c == '\n') {
            idlc_error(lx->diag, t->loc, "unterminated string");
            return IDLC_TOK_ERROR;
        }
        if (c == '"')
            break;
        if (c == '\\') {
            idlc_error(lx->diag, lx->at, "escape sequences are not supported in strings");
            return IDLC_TOK_ERROR;
        }
        if (c < 0x20 || c >= 0x7f) {
            idlc_sbuf_t m = { 0 };
            idlc_describe_char(&m, c);
            idlc_error(lx->diag, lx->at, "unexpected character %s in string", idlc_sbuf_str(&m));
            idlc_sbuf_free(&m);
            return IDLC_TOK_ERROR;
        }
        idlc_advance(lx);
    }
    t->text = lx->src + start;
    t->len = lx->pos - start;
    idlc_advance(lx);
    return IDLC_TOK_STRING;
}

static idlc_tok_kind_t idlc_lex_token(idlc_lexer_t *lx, idlc_token_t *t)
{
    memset(t, 0, sizeof *t);
    if (!idlc_skip_space(lx))
        return IDLC_TOK_ERROR;
    t->loc = lx->at;
    t->text = lx->src + lx->pos;
    int c = idlc_peek(lx, 0);
    if (c == -1)
        return IDLC_TOK_EOF;

    if (idlc_is_alpha(c) || idlc_is_digit(c)) {
        while (idlc_peek(lx, 0) != -1 && (idlc_is_alpha(idlc_peek(lx, 0)) || idlc_is_digit(idlc_peek(lx, 0))))
            idlc_advance(lx);
        t->len = (size_t)(lx->src + lx->pos - t->text);
        if (idlc_is_alpha(c))
            return IDLC_TOK_IDENT;
        return idlc_number_value(lx, t) ? IDLC_TOK_NUMBER : IDLC_TOK_ERROR;
    }
    if (c == '"')
        return idlc_lex_string(lx, t);

    static const struct { char c; idlc_tok_kind_t kind; } punct[] = {
        { '{', IDLC_TOK_LBRACE },   { '}', IDLC_TOK_RBRACE },
        { '(', IDLC_TOK_LPAREN },   { ')', IDLC_TOK_RPAREN },
        { '[', IDLC_TOK_LBRACKET }, { ']', IDLC_TOK_RBRACKET },
        { ',', IDLC_TOK_COMMA },    { ';', IDLC_TOK_SEMI },
        { '=', IDLC_TOK_EQUALS },
        { '<', IDLC_TOK_LANGLE },   { '>', IDLC_TOK_RANGLE },
    };
    for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++) {
        if (c == punct[i].c) {
            idlc_advance(lx);
            t->len = 1;
            return punct[i].kind;
        }
    }
    idlc_sbuf_t m = { 0 };
    idlc_describe_char(&m, c);
    idlc_error(lx->diag, lx->at, "unexpected character %s", idlc_sbuf_str(&m));
    idlc_sbuf_free(&m);
    return IDLC_TOK_ERROR;
}

idlc_tok_kind_t idlc_lex_next(idlc_lexer_t *lx, idlc_token_t *t)
{
    t->kind = idlc_lex_token(lx, t);
    t->end = lx->at;
    return t->kind;
}
