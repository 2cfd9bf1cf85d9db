/*
 * The manifest parser (see mkimage.h; the syntax is in README.md).
 *
 * The text is read a line at a time; a line is a directive followed by
 * words and quoted strings, up to an optional '#' comment.  The first error
 * on a line ends that line, and parsing goes on with the next one, so one
 * run reports every broken line.  Names may be used before they are
 * declared: references keep their position and are resolved after the last
 * line, which is also when the rules that span lines are checked (one
 * capability per slot, one physmem capability).
 *
 * Invariant: a program enters the manifest as soon as its name is valid
 * and unique, even if the rest of its line is broken, so that a typo in a
 * program line is not echoed by every line that names it.
 */
#include <mkimage/mkimage.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/syscall.h>

#define MP_ASCII_FIRST_PRINTABLE 0x20
#define MP_ASCII_LAST_PRINTABLE  0x7e
#define MP_COMMENT               '#'
#define MP_QUOTE                 '"'
#define MP_ESCAPE                '\\'
#define MP_RIGHTS_SEPARATOR      ','
#define MP_EXIT_PREFIX           "exit:"
#define MP_NONE                  "none"
#define MP_INIT                  "init"   /* the endpoint name of init's process manager */
#define MP_HEX_BASE              16u
#define MP_DEC_BASE              10u
#define MP_HEX_PREFIX_LEN        2u    /* "0x" */
#define MP_HEX_DIGIT_A           10u   /* value of the digit 'a' */

typedef enum { MP_TOK_END, MP_TOK_WORD, MP_TOK_STRING } mp_tok_kind_t;

typedef struct mp_tok {
    mp_tok_kind_t kind;
    const char *word;             /* MP_TOK_WORD: in the text, not NUL-terminated */
    size_t len;                   /* MP_TOK_WORD and MP_TOK_STRING: bytes */
    unsigned col;
    char str[AK_ARGS_MAX];        /* MP_TOK_STRING: decoded, NUL-terminated if it fits */
} mp_tok_t;

/* A name used before it is resolved. */
typedef struct mp_ref {
    char name[MKIMAGE_NAME_MAX];
    mkimage_pos_t pos;
    bool used;
} mp_ref_t;

typedef struct mp {
    const char *path;
    FILE *diag;
    unsigned errors;
    bool gave_up;
    mkimage_manifest_t *m;
    const char *line;             /* the current line, without its '\n' */
    size_t line_len;
    size_t cur;                   /* cursor in line */
    unsigned lineno;
    mp_ref_t pager[BI_MAX_PROGRAMS];
    mp_ref_t holder[BI_MAX_CAPS];
    mp_ref_t target[BI_MAX_CAPS];
} mp_t;

static void mp_error(mp_t *p, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports an error at col of the current line (col 0: the line alone). */
static void mp_error(mp_t *p, unsigned col, const char *fmt, ...)
{
    p->errors++;
    if (p->gave_up)
        return;
    if (p->errors > MKIMAGE_MAX_ERRORS) {
        fprintf(p->diag, "%s: error: too many errors, giving up\n", p->path);
        p->gave_up = true;
        return;
    }
    if (col)
        fprintf(p->diag, "%s:%u:%u: error: ", p->path, p->lineno, col);
    else
        fprintf(p->diag, "%s:%u: error: ", p->path, p->lineno);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->diag, fmt, ap);
    va_end(ap);
    fputc('\n', p->diag);
}

static void mp_error_at(mp_t *p, mkimage_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports an error at a remembered position (used after the last line). */
static void mp_error_at(mp_t *p, mkimage_pos_t pos, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned saved = p->lineno;
    p->lineno = pos.line;
    mp_error(p, pos.col, "%s", msg);
    p->lineno = saved;
}

static bool mp_printable(char c)
{
    return c >= MP_ASCII_FIRST_PRINTABLE && c <= MP_ASCII_LAST_PRINTABLE;
}

static bool mp_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool mp_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* Decodes a quoted string starting at the cursor (on the opening quote). */
static int mp_lex_string(mp_t *p, mp_tok_t *t)
{
    size_t n = 0;
    p->cur++;
    for (;;) {
        if (p->cur >= p->line_len) {
            mp_error(p, t->col, "unterminated string");
            return -1;
        }
        char c = p->line[p->cur];
        unsigned col = (unsigned)p->cur + 1u;
        p->cur++;
        if (c == MP_QUOTE)
            break;
        if (c == MP_ESCAPE) {
            char e = '\0';
            if (p->cur < p->line_len)
                e = p->line[p->cur];
            if (e != MP_QUOTE && e != MP_ESCAPE) {
                mp_error(p, col, "unknown escape in string (only \\\" and \\\\ are allowed)");
                return -1;
            }
            c = e;
            p->cur++;
        } else if (!mp_printable(c)) {
            mp_error(p, col, "character 0x%02x in string (only printable ASCII is allowed)",
                     (unsigned)(unsigned char)c);
            return -1;
        }
        if (n < sizeof t->str)
            t->str[n] = c;
        n++;
    }
    t->kind = MP_TOK_STRING;
    t->len = n;
    if (n < sizeof t->str)
        t->str[n] = '\0';
    return 0;
}

/* Reads the next token of the current line. Returns 0, or -1 after reporting. */
static int mp_next(mp_t *p, mp_tok_t *t)
{
    while (p->cur < p->line_len && mp_space(p->line[p->cur]))
        p->cur++;
    t->col = (unsigned)p->cur + 1u;
    t->len = 0;
    if (p->cur >= p->line_len || p->line[p->cur] == MP_COMMENT) {
        p->cur = p->line_len;
        t->kind = MP_TOK_END;
        return 0;
    }
    if (p->line[p->cur] == MP_QUOTE)
        return mp_lex_string(p, t);
    t->kind = MP_TOK_WORD;
    t->word = p->line + p->cur;
    while (p->cur < p->line_len) {
        char c = p->line[p->cur];
        if (mp_space(c) || c == MP_COMMENT || c == MP_QUOTE)
            break;
        if (!mp_printable(c)) {
            mp_error(p, (unsigned)p->cur + 1u, "unexpected character 0x%02x",
                     (unsigned)(unsigned char)c);
            return -1;
        }
        p->cur++;
    }
    t->len = (size_t)(p->line + p->cur - t->word);
    return 0;
}

static bool mp_is(const mp_tok_t *t, const char *word)
{
    return t->kind == MP_TOK_WORD && t->len == strlen(word) && memcmp(t->word, word, t->len) == 0;
}

/* Reads a word; what names it for the message if it is missing. */
static int mp_word(mp_t *p, mp_tok_t *t, const char *what)
{
    if (mp_next(p, t))
        return -1;
    if (t->kind == MP_TOK_WORD)
        return 0;
    mp_error(p, t->col, "expected %s%s", what, t->kind == MP_TOK_END ? " before the end of the line"
                                                                  : ", not a string");
    return -1;
}

/* Reads a name (program, ELF or endpoint) into out. */
static int mp_name(mp_t *p, mp_tok_t *t, const char *what, char out[MKIMAGE_NAME_MAX])
{
    if (mp_word(p, t, what))
        return -1;
    if (t->len >= MKIMAGE_NAME_MAX) {
        mp_error(p, t->col, "%s '%.*s' is too long (at most %u characters)", what, (int)t->len,
                 t->word, MKIMAGE_NAME_MAX - 1u);
        return -1;
    }
    for (size_t i = 0; i < t->len; i++) {
        if (!mp_name_char(t->word[i])) {
            mp_error(p, t->col + (unsigned)i,
                     "invalid %s '%.*s': use letters, digits, '_', '.' and '-'", what,
                     (int)t->len, t->word);
            return -1;
        }
    }
    memcpy(out, t->word, t->len);
    out[t->len] = '\0';
    return 0;
}

static int mp_ref(mp_t *p, mp_tok_t *t, const char *what, mp_ref_t *r)
{
    if (mp_name(p, t, what, r->name))
        return -1;
    r->pos = (mkimage_pos_t){ p->lineno, t->col };
    r->used = true;
    return 0;
}

/*
 * Parses an unsigned number (decimal, or hex with 0x) of len bytes at s.
 * Returns false if it is malformed or above max.
 */
static bool mp_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *v)
{
    unsigned base = MP_DEC_BASE;
    if (len > MP_HEX_PREFIX_LEN && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = MP_HEX_BASE;
        s += MP_HEX_PREFIX_LEN;
        len -= MP_HEX_PREFIX_LEN;
    }
    if (len == 0)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == MP_HEX_BASE && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a') + MP_HEX_DIGIT_A;
        else if (base == MP_HEX_BASE && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A') + MP_HEX_DIGIT_A;
        else
            return false;
        if (x > (max - d) / base)
            return false;
        x = x * base + d;
    }
    *v = x;
    return true;
}

/* Reads a number 0..max; what names it for the message. */
static int mp_number(mp_t *p, mp_tok_t *t, const char *what, uint64_t max, uint64_t *v)
{
    if (mp_word(p, t, what))
        return -1;
    if (mp_parse_u64(t->word, t->len, max, v))
        return 0;
    mp_error(p, t->col, "%s '%.*s' is not a number from 0 to %lu", what, (int)t->len, t->word,
             (unsigned long)max);
    return -1;
}

/* Reads a share of RAM: <n>M or <n>G (MiB, GiB), 1 MiB to BI_PHYSMEM_MAX_MIB; sets *mib. */
static int mp_size(mp_t *p, mp_tok_t *t, uint32_t *mib)
{
    if (mp_word(p, t, "a size (<n>M or <n>G)"))
        return -1;
    uint64_t scale = 0, n = 0;
    if (t->len > 1 && t->word[t->len - 1] == 'M')
        scale = 1;
    else if (t->len > 1 && t->word[t->len - 1] == 'G')
        scale = 1024;
    if (!scale || !mp_parse_u64(t->word, t->len - 1u, BI_PHYSMEM_MAX_MIB, &n) || n == 0 ||
        n * scale > BI_PHYSMEM_MAX_MIB) {
        mp_error(p, t->col, "size '%.*s' is not <n>M or <n>G from 1M to %uG", (int)t->len, t->word,
                 BI_PHYSMEM_MAX_MIB / 1024u);
        return -1;
    }
    *mib = (uint32_t)(n * scale);
    return 0;
}

/* Reads "exit:<code>" (code a 32-bit signed integer), "killed" or "serve". */
static int mp_expect(mp_t *p, mp_tok_t *t, mkimage_program_t *prog)
{
    static const char usage[] = "expected outcome must be exit:<code>, killed or serve";
    if (mp_word(p, t, "an expected outcome (exit:<code>, killed or serve)"))
        return -1;
    if (mp_is(t, "killed") || mp_is(t, "serve")) {
        prog->expect = mp_is(t, "killed") ? BI_EXPECT_KILLED : BI_EXPECT_SERVE;
        prog->expect_code = 0;
        return 0;
    }
    size_t plen = strlen(MP_EXIT_PREFIX);
    if (t->len <= plen || memcmp(t->word, MP_EXIT_PREFIX, plen) != 0) {
        mp_error(p, t->col, "%s, not '%.*s'", usage, (int)t->len, t->word);
        return -1;
    }
    const char *num = t->word + plen;
    size_t nlen = t->len - plen;
    bool negative = num[0] == '-';
    const char *digits = negative ? num + 1 : num;
    size_t ndigits = negative ? nlen - 1u : nlen;
    uint64_t max = negative ? (uint64_t)INT32_MAX + 1u : (uint64_t)INT32_MAX;
    uint64_t magnitude;
    if (!mp_parse_u64(digits, ndigits, max, &magnitude)) {
        mp_error(p, t->col + (unsigned)plen, "exit code '%.*s' is not an integer from %d to %d",
                 (int)nlen, num, INT32_MIN, INT32_MAX);
        return -1;
    }
    prog->expect = BI_EXPECT_EXIT;
    prog->expect_code = negative ? (int32_t)(-(int64_t)magnitude) : (int32_t)magnitude;
    return 0;
}

static int mp_find_program(const mkimage_manifest_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->nprograms; i++)
        if (strcmp(m->programs[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int mp_find_endpoint(const mkimage_manifest_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->nendpoints; i++)
        if (strcmp(m->endpoints[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Marks a once-only option as seen, or reports it given twice. */
static int mp_once(mp_t *p, const mp_tok_t *t, bool *seen)
{
    if (*seen) {
        mp_error(p, t->col, "'%.*s' given twice", (int)t->len, t->word);
        return -1;
    }
    *seen = true;
    return 0;
}

/* An env string: words KEY=VALUE separated by spaces, KEY not empty, no quotes; false after an error. */
static bool mp_env_ok(mp_t *p, const mp_tok_t *t)
{
    size_t word = 0;
    bool eq = false;
    for (size_t i = 0; i <= t->len; i++) {
        char ch = ' ';   /* past the end: a last separator */
        if (i < t->len)
            ch = t->str[i];
        if (ch == '"') {
            mp_error(p, t->col, "env cannot hold a quote (its words are KEY=VALUE, unquoted)");
            return false;
        }
        if (ch == ' ') {
            if (i > word && !eq) {
                mp_error(p, t->col, "env word '%.*s' is not KEY=VALUE", (int)(i - word), t->str + word);
                return false;
            }
            word = i + 1;
            eq = false;
        } else if (ch == '=' && !eq) {
            if (i == word) {
                mp_error(p, t->col, "env word at byte %zu has an empty KEY", word);
                return false;
            }
            eq = true;
        }
    }
    return true;
}

/* program NAME ELF [priority N] [pager EP|none] [expect OUTCOME] [args "..."] [env "K=V ..."] */
static void mp_program(mp_t *p)
{
    mkimage_manifest_t *m = p->m;
    mp_tok_t t;
    char name[MKIMAGE_NAME_MAX];
    if (mp_name(p, &t, "program name", name))
        return;
    unsigned name_col = t.col;
    int prev = mp_find_program(m, name);
    if (prev >= 0) {
        mp_error(p, t.col, "program '%s' is already declared at line %u", name,
                 m->programs[prev].pos.line);
        return;
    }
    if (m->nprograms == BI_MAX_PROGRAMS) {
        mp_error(p, t.col, "too many programs (at most %u)", BI_MAX_PROGRAMS);
        return;
    }
    uint32_t index = m->nprograms++;
    mkimage_program_t *prog = &m->programs[index];
    memset(prog, 0, sizeof *prog);
    memcpy(prog->name, name, sizeof name);
    prog->pos = (mkimage_pos_t){ p->lineno, name_col };
    prog->pager = -1;
    if (mp_name(p, &t, "ELF name", prog->elf))
        return;
    prog->elf_pos = (mkimage_pos_t){ p->lineno, t.col };

    bool seen_priority = false, seen_pager = false, seen_expect = false, seen_args = false, seen_env = false;
    for (;;) {
        if (mp_next(p, &t))
            return;
        if (t.kind == MP_TOK_END)
            break;
        if (t.kind != MP_TOK_WORD) {
            mp_error(p, t.col, "unexpected string (args are written args \"...\")");
            return;
        }
        if (mp_is(&t, "priority")) {
            uint64_t v;
            if (mp_once(p, &t, &seen_priority) || mp_number(p, &t, "priority", BI_PRIORITY_MAX, &v))
                return;
            prog->priority = (uint32_t)v;
        } else if (mp_is(&t, "pager")) {
            if (mp_once(p, &t, &seen_pager) || mp_ref(p, &t, "pager endpoint", &p->pager[index]))
                return;
            if (strcmp(p->pager[index].name, MP_NONE) == 0)
                p->pager[index].used = false;
        } else if (mp_is(&t, "expect")) {
            if (mp_once(p, &t, &seen_expect) || mp_expect(p, &t, prog))
                return;
        } else if (mp_is(&t, "args")) {
            if (mp_once(p, &t, &seen_args) || mp_next(p, &t))
                return;
            if (t.kind != MP_TOK_STRING) {
                mp_error(p, t.col, "args must be a quoted string");
                return;
            }
            if (t.len >= AK_ARGS_MAX) {
                mp_error(p, t.col, "args are %zu bytes long, at most %u", t.len, AK_ARGS_MAX - 1u);
                return;
            }
            memcpy(prog->args, t.str, t.len + 1u);
        } else if (mp_is(&t, "env")) {
            if (mp_once(p, &t, &seen_env) || mp_next(p, &t))
                return;
            if (t.kind != MP_TOK_STRING) {
                mp_error(p, t.col, "env must be a quoted string");
                return;
            }
            if (t.len >= AK_ARGS_MAX) {
                mp_error(p, t.col, "env is %zu bytes long, at most %u", t.len, AK_ARGS_MAX - 1u);
                return;
            }
            if (mp_env_ok(p, &t))
                memcpy(prog->env, t.str, t.len + 1u);
        } else {
            mp_error(p, t.col,
                     "unknown program option '%.*s' (expected priority, pager, expect, args or env)",
                     (int)t.len, t.word);
            return;
        }
    }
    if (!seen_priority)
        mp_error(p, name_col, "program '%s' has no priority (add priority 0..%u)", name,
                 BI_PRIORITY_MAX);
    else if (!seen_expect)
        mp_error(p, name_col,
                 "program '%s' has no expected outcome (add expect exit:<code>, expect killed or expect serve)",
                 name);
}

/* endpoint NAME */
static void mp_endpoint(mp_t *p)
{
    mkimage_manifest_t *m = p->m;
    mp_tok_t t;
    char name[MKIMAGE_NAME_MAX];
    if (mp_name(p, &t, "endpoint name", name))
        return;
    unsigned name_col = t.col;
    int prev = mp_find_endpoint(m, name);
    if (prev >= 0) {
        mp_error(p, t.col, "endpoint '%s' is already declared at line %u", name,
                 m->endpoints[prev].pos.line);
        return;
    }
    if (strcmp(name, MP_NONE) == 0) {
        mp_error(p, t.col, "'none' is reserved (it means 'no pager')");
        return;
    }
    if (strcmp(name, MP_INIT) == 0) {
        mp_error(p, t.col, "'init' is reserved (it names init's process manager)");
        return;
    }
    if (m->nendpoints == BI_MAX_ENDPOINTS) {
        mp_error(p, t.col, "too many endpoints (at most %u)", BI_MAX_ENDPOINTS);
        return;
    }
    if (mp_next(p, &t))
        return;
    if (t.kind != MP_TOK_END) {
        mp_error(p, t.col, "unexpected text after the endpoint name");
        return;
    }
    mkimage_endpoint_t *ep = &m->endpoints[m->nendpoints++];
    memcpy(ep->name, name, sizeof name);
    ep->pos = (mkimage_pos_t){ p->lineno, name_col };
}

typedef struct mp_right {
    const char *name;
    uint32_t bit;
} mp_right_t;

static const mp_right_t mp_rights[] = {
    { "send", AK_RIGHT_SEND },
    { "recv", AK_RIGHT_RECV },
    { "write", AK_RIGHT_WRITE },
};

static uint32_t mp_rights_allowed(uint32_t kind)
{
    return kind == AK_CAP_ENDPOINT ? AK_RIGHT_SEND | AK_RIGHT_RECV : AK_RIGHT_WRITE;
}

static const char *mp_kind_name(uint32_t kind)
{
    switch (kind) {
    case AK_CAP_ENDPOINT: return "endpoint";
    case AK_CAP_ASPACE: return "aspace";
    case AK_CAP_PROCCTL: return "procctl";
    case AK_CAP_DEVICE: return "device";
    case AK_CAP_IRQCTL: return "irqctl";
    case AK_CAP_POWER: return "power";
    default: return "physmem";
    }
}

/* Reads a rights list "r1,r2,..." valid for kind. */
static int mp_rights_list(mp_t *p, mp_tok_t *t, uint32_t kind, uint32_t *rights)
{
    if (mp_word(p, t, "a rights list (send, recv, write, separated by commas)"))
        return -1;
    *rights = 0;
    size_t i = 0;
    while (i <= t->len) {
        size_t j = i;
        while (j < t->len && t->word[j] != MP_RIGHTS_SEPARATOR)
            j++;
        unsigned col = t->col + (unsigned)i;
        const mp_right_t *r = NULL;
        for (size_t k = 0; k < sizeof mp_rights / sizeof mp_rights[0]; k++)
            if (strlen(mp_rights[k].name) == j - i &&
                memcmp(mp_rights[k].name, t->word + i, j - i) == 0)
                r = &mp_rights[k];
        if (j == i) {
            mp_error(p, col, "empty entry in the rights list");
            return -1;
        }
        if (!r) {
            mp_error(p, col, "unknown right '%.*s' (expected send, recv or write)", (int)(j - i),
                     t->word + i);
            return -1;
        }
        if (!(r->bit & mp_rights_allowed(kind))) {
            mp_error(p, col, "right '%s' does not apply to %s capabilities (use %s)", r->name,
                     mp_kind_name(kind), kind == AK_CAP_ENDPOINT ? "send, recv" : "write");
            return -1;
        }
        if (*rights & r->bit) {
            mp_error(p, col, "right '%s' listed twice", r->name);
            return -1;
        }
        *rights |= r->bit;
        i = j + 1u;
    }
    return 0;
}

/*
 * cap HOLDER SLOT endpoint EP [badge N] rights LIST
 * cap HOLDER SLOT aspace PROGRAM rights LIST
 * cap HOLDER SLOT physmem [size <n>M|<n>G] rights LIST
 * cap HOLDER SLOT procctl rights LIST
 * cap HOLDER SLOT power rights LIST
 * cap HOLDER SLOT irqctl rights LIST
 * cap HOLDER SLOT device NAME rights LIST
 */
static void mp_cap(mp_t *p)
{
    mkimage_manifest_t *m = p->m;
    mp_tok_t t;
    mkimage_cap_t cap = { 0 };
    mp_ref_t holder = { 0 }, target = { 0 };
    if (mp_ref(p, &t, "holder program", &holder))
        return;
    cap.pos = holder.pos;
    uint64_t v;
    if (mp_number(p, &t, "slot", AK_BOOT_CAP_SLOTS - 1u, &v))
        return;
    cap.slot = (uint32_t)v;
    if (mp_word(p, &t, "a capability kind (endpoint, aspace, physmem, procctl, power, device or irqctl)"))
        return;
    if (mp_is(&t, "endpoint")) {
        cap.kind = AK_CAP_ENDPOINT;
        if (mp_ref(p, &t, "endpoint name", &target))
            return;
    } else if (mp_is(&t, "aspace")) {
        cap.kind = AK_CAP_ASPACE;
        if (mp_ref(p, &t, "program name", &target))
            return;
    } else if (mp_is(&t, "physmem")) {
        cap.kind = AK_CAP_PHYSMEM;
    } else if (mp_is(&t, "procctl")) {
        cap.kind = AK_CAP_PROCCTL;
    } else if (mp_is(&t, "power")) {
        cap.kind = AK_CAP_POWER;
    } else if (mp_is(&t, "irqctl")) {
        cap.kind = AK_CAP_IRQCTL;
    } else if (mp_is(&t, "device")) {
        cap.kind = AK_CAP_DEVICE;
        static const char *const names[] = AK_DEVICE_NAMES;
        if (mp_word(p, &t, "a device name (pl011)"))
            return;
        cap.target = UINT32_MAX;
        for (uint32_t i = 0; i < AK_NDEVICES; i++)
            if (strlen(names[i]) == t.len && memcmp(names[i], t.word, t.len) == 0)
                cap.target = i;
        if (cap.target == UINT32_MAX) {
            mp_error(p, t.col, "unknown device '%.*s' (expected pl011)", (int)t.len, t.word);
            return;
        }
    } else {
        mp_error(p, t.col,
                 "unknown capability kind '%.*s' (expected endpoint, aspace, physmem, procctl, power, device or irqctl)",
                 (int)t.len, t.word);
        return;
    }

    bool seen_badge = false, seen_rights = false, seen_size = false;
    for (;;) {
        if (mp_next(p, &t))
            return;
        if (t.kind == MP_TOK_END)
            break;
        if (mp_is(&t, "badge")) {
            if (mp_once(p, &t, &seen_badge))
                return;
            if (cap.kind != AK_CAP_ENDPOINT) {
                mp_error(p, t.col, "only endpoint capabilities carry a badge");
                return;
            }
            if (mp_word(p, &t, "a badge"))
                return;
            if (!mp_parse_u64(t.word, t.len, AK_BADGE_MAX, &cap.badge)) {
                mp_error(p, t.col,
                         "badge '%.*s' is not a number from 0 to 0x%lx (bit 62 marks the "
                         "kernel's pager messages)",
                         (int)t.len, t.word, (unsigned long)AK_BADGE_MAX);
                return;
            }
        } else if (mp_is(&t, "size")) {
            if (mp_once(p, &t, &seen_size))
                return;
            if (cap.kind != AK_CAP_PHYSMEM) {
                mp_error(p, t.col, "only physmem capabilities have a size");
                return;
            }
            if (mp_size(p, &t, &cap.target))
                return;
        } else if (mp_is(&t, "rights")) {
            if (mp_once(p, &t, &seen_rights) || mp_rights_list(p, &t, cap.kind, &cap.rights))
                return;
        } else {
            if (t.kind == MP_TOK_STRING)
                mp_error(p, t.col, "unexpected string (expected badge, size or rights)");
            else
                mp_error(p, t.col, "unexpected '%.*s' (expected badge, size or rights)", (int)t.len,
                         t.word);
            return;
        }
    }
    if (!seen_rights) {
        mp_error(p, cap.pos.col, "capability has no rights (add rights %s)",
                 cap.kind == AK_CAP_ENDPOINT ? "send, recv or send,recv" : "write");
        return;
    }
    if (m->ncaps == BI_MAX_CAPS) {
        mp_error(p, cap.pos.col, "too many capabilities (at most %u)", BI_MAX_CAPS);
        return;
    }
    p->holder[m->ncaps] = holder;
    p->target[m->ncaps] = target;
    m->caps[m->ncaps++] = cap;
}

/* file NAME: an ELF file the archive carries for spawning at run time; file NAME PATH: a data file. */
static void mp_file(mp_t *p)
{
    mkimage_manifest_t *m = p->m;
    mp_tok_t t;
    char name[MKIMAGE_NAME_MAX];
    if (mp_name(p, &t, "file name", name))
        return;
    unsigned name_col = t.col;
    for (uint32_t i = 0; i < m->nfiles; i++) {
        if (strcmp(m->files[i].name, name) == 0) {
            mp_error(p, t.col, "file '%s' is already declared at line %u", name, m->files[i].pos.line);
            return;
        }
    }
    if (m->nfiles == BI_MAX_FILES) {
        mp_error(p, t.col, "too many files (at most %u)", BI_MAX_FILES);
        return;
    }
    if (mp_next(p, &t))
        return;
    mkimage_file_t f = { .kind = BI_FILE_ELF, .pos = { p->lineno, name_col } };
    memcpy(f.name, name, sizeof name);
    if (t.kind != MP_TOK_END) {
        /* A data file: its path, a word or a string. */
        const char *path = t.kind == MP_TOK_WORD ? t.word : t.str;
        if (t.len == 0 || t.len >= MKIMAGE_PATH_MAX) {
            mp_error(p, t.col, "a data file's path is 1 to %u bytes", MKIMAGE_PATH_MAX - 1u);
            return;
        }
        f.kind = BI_FILE_DATA;
        memcpy(f.path, path, t.len);
        f.path[t.len] = '\0';
        f.path_pos = (mkimage_pos_t){ p->lineno, t.col };
        if (mp_next(p, &t))
            return;
        if (t.kind != MP_TOK_END) {
            mp_error(p, t.col, "unexpected text after the data file's path");
            return;
        }
    }
    m->files[m->nfiles++] = f;
}

/*
 * On an endpoint a vmm receives on (a vmm: the program holding physical
 * memory), badge 0 is init's (idl/vmm.idl): any other program's send
 * right to it carries a badge.
 */
static void mp_vmm_badges(mp_t *p)
{
    const mkimage_manifest_t *m = p->m;
    int receiver[BI_MAX_ENDPOINTS];
    memset(receiver, 0xff, sizeof receiver);
    for (uint32_t v = 0; v < m->ncaps; v++) {
        if (m->caps[v].kind != AK_CAP_PHYSMEM)
            continue;
        for (uint32_t i = 0; i < m->ncaps; i++) {
            const mkimage_cap_t *c = &m->caps[i];
            if (c->holder == m->caps[v].holder && c->kind == AK_CAP_ENDPOINT && c->target != BI_ENDPOINT_INIT &&
                (c->rights & AK_RIGHT_RECV) && receiver[c->target] < 0)
                receiver[c->target] = (int)c->holder;
        }
    }
    for (uint32_t i = 0; i < m->ncaps; i++) {
        const mkimage_cap_t *c = &m->caps[i];
        if (c->kind == AK_CAP_ENDPOINT && c->target != BI_ENDPOINT_INIT && (c->rights & AK_RIGHT_SEND) &&
            c->badge == 0 && receiver[c->target] >= 0 && (int)c->holder != receiver[c->target])
            mp_error_at(p, c->pos, "a send right to endpoint '%s', which the vmm '%s' receives on, needs a badge "
                        "(badge 0 is init's)", m->endpoints[c->target].name,
                        m->programs[receiver[c->target]].name);
    }
}

/* Resolves every name and checks the rules that span lines. */
static void mp_resolve(mp_t *p)
{
    mkimage_manifest_t *m = p->m;
    for (uint32_t i = 0; i < m->nprograms; i++) {
        const mp_ref_t *r = &p->pager[i];
        if (!r->used)
            continue;
        int ep = mp_find_endpoint(m, r->name);
        if (ep < 0)
            mp_error_at(p, r->pos, "unknown endpoint '%s'", r->name);
        m->programs[i].pager = ep;
    }
    int filled[BI_MAX_PROGRAMS][AK_BOOT_CAP_SLOTS];
    memset(filled, 0xff, sizeof filled);
    int physmem = -1, physmem_of[BI_MAX_PROGRAMS];
    memset(physmem_of, 0xff, sizeof physmem_of);
    for (uint32_t i = 0; i < m->ncaps; i++) {
        mkimage_cap_t *c = &m->caps[i];
        int holder = mp_find_program(m, p->holder[i].name);
        if (holder < 0) {
            mp_error_at(p, p->holder[i].pos, "unknown program '%s'", p->holder[i].name);
            continue;
        }
        c->holder = (uint32_t)holder;
        if (c->kind == AK_CAP_ENDPOINT && strcmp(p->target[i].name, MP_INIT) == 0) {
            if (c->rights != AK_RIGHT_SEND || c->badge != 0) {
                mp_error_at(p, c->pos, "an endpoint to init is send only, without a badge (init badges it)");
                continue;
            }
            c->target = BI_ENDPOINT_INIT;
        } else if (c->kind == AK_CAP_ENDPOINT || c->kind == AK_CAP_ASPACE) {
            const mp_ref_t *r = &p->target[i];
            int target = c->kind == AK_CAP_ENDPOINT ? mp_find_endpoint(m, r->name)
                                                    : mp_find_program(m, r->name);
            if (target < 0) {
                mp_error_at(p, r->pos, "unknown %s '%s'",
                            c->kind == AK_CAP_ENDPOINT ? "endpoint" : "program", r->name);
                continue;
            }
            c->target = (uint32_t)target;
        }
        if (c->slot == AK_SLOT_CONSOLE && c->kind != AK_CAP_ENDPOINT) {
            /* libakuma writes a program's lines to whatever this slot holds. */
            mp_error_at(p, c->pos, "slot %u of program '%s' is the console's (AK_SLOT_CONSOLE): only an endpoint may fill it",
                        c->slot, m->programs[holder].name);
            continue;
        }
        int *slot = &filled[holder][c->slot];
        if (*slot >= 0) {
            mp_error_at(p, c->pos, "slot %u of program '%s' is already filled at line %u",
                        c->slot, m->programs[holder].name, m->caps[*slot].pos.line);
            continue;
        }
        *slot = (int)i;
        if (c->kind == AK_CAP_PHYSMEM) {
            int *mine = &physmem_of[holder];
            if (*mine >= 0) {
                mp_error_at(p, c->pos, "a second physmem capability for '%s' (line %u)", m->programs[holder].name,
                            m->caps[*mine].pos.line);
                continue;
            }
            *mine = (int)i;
            if (c->target == BI_PHYSMEM_REST && physmem >= 0) {
                mp_error_at(p, c->pos,
                            "a second physmem capability without a size (the one at line %u has the rest of RAM)",
                            m->caps[physmem].pos.line);
                continue;
            }
            if (c->target == BI_PHYSMEM_REST)
                physmem = (int)i;
        }
    }
    /* A data file is never run: no program, and no program's ELF, has its name. */
    for (uint32_t k = 0; k < m->nfiles; k++) {
        const mkimage_file_t *f = &m->files[k];
        for (uint32_t i = 0; f->kind == BI_FILE_DATA && i < m->nprograms; i++) {
            if (strcmp(m->programs[i].name, f->name) == 0 || strcmp(m->programs[i].elf, f->name) == 0) {
                mp_error_at(p, f->pos, "'%s' names both a data file and %s of program '%s' (line %u)", f->name,
                            strcmp(m->programs[i].name, f->name) == 0 ? "the name" : "the ELF",
                            m->programs[i].name, m->programs[i].pos.line);
                break;
            }
        }
    }
    if (p->errors == 0)
        mp_vmm_badges(p);
}

static void mp_line(mp_t *p)
{
    mp_tok_t t;
    if (mp_next(p, &t) || t.kind == MP_TOK_END)
        return;
    if (mp_is(&t, "program"))
        mp_program(p);
    else if (mp_is(&t, "endpoint"))
        mp_endpoint(p);
    else if (mp_is(&t, "cap"))
        mp_cap(p);
    else if (mp_is(&t, "file"))
        mp_file(p);
    else if (t.kind == MP_TOK_STRING)
        mp_error(p, t.col, "a line cannot start with a string");
    else
        mp_error(p, t.col, "unknown directive '%.*s' (expected program, endpoint, cap or file)",
                 (int)t.len, t.word);
}

unsigned mkimage_manifest_parse(const char *path, const char *text, size_t len,
                                mkimage_manifest_t *m, FILE *diag)
{
    mp_t p;
    memset(&p, 0, sizeof p);
    memset(m, 0, sizeof *m);
    p.path = path;
    p.diag = diag;
    p.m = m;
    size_t pos = 0;
    while (pos < len && !p.gave_up) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        p.line = text + pos;
        p.line_len = end - pos;
        p.cur = 0;
        p.lineno++;
        mp_line(&p);
        pos = end + 1u;
    }
    if (!p.gave_up)
        mp_resolve(&p);
    if (m->nprograms == 0 && !p.gave_up) {
        p.errors++;
        fprintf(diag, "%s: error: no programs declared\n", path);
    }
    return p.errors;
}
