/*
 * The printf formatter (see fmt.h).  Numbers are converted right to left
 * into a 24-byte buffer (enough for 2^64 in octal with a prefix), then
 * padded; strings are written in one piece so that a sink can batch.
 */
#include <common/fmt.h>

#include <stdint.h>

enum {
    F_LEFT  = 1 << 0,  /* '-' */
    F_ZERO  = 1 << 1,  /* '0' */
    F_PLUS  = 1 << 2,  /* '+' */
    F_SPACE = 1 << 3,  /* ' ' */
    F_ALT   = 1 << 4,  /* '#' */
};

typedef struct {
    fmt_sink_t sink;
    void *ctx;
    size_t count;
} out_t;

static void emit(out_t *o, const char *s, size_t n)
{
    if (n) {
        o->sink(o->ctx, s, n);
        o->count += n;
    }
}

static void pad(out_t *o, char c, int n)
{
    char buf[16];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = c;
    while (n > 0) {
        int k = n < (int)sizeof buf ? n : (int)sizeof buf;
        emit(o, buf, (size_t)k);
        n -= k;
    }
}

static size_t cstrnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* Writes prefix, zero padding, digits and space padding for one number. */
static void put_number(out_t *o, uintmax_t v, unsigned base, int upper, int negative,
                       int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;

    for (; v != 0; v /= base)
        buf[sizeof buf - 1 - len++] = digits[v % base];
    if (prec < 0)
        prec = 1;
    else
        flags &= ~F_ZERO; /* C: a precision overrides the 0 flag */
    int zeros = prec > len ? prec - len : 0;

    char prefix[2];
    int plen = 0;
    if (negative)
        prefix[plen++] = '-';
    else if (flags & F_PLUS)
        prefix[plen++] = '+';
    else if (flags & F_SPACE)
        prefix[plen++] = ' ';
    if ((flags & F_ALT) && base == 16 && len) {
        prefix[0] = '0';
        prefix[1] = upper ? 'X' : 'x';
        plen = 2;
    }
    if ((flags & F_ALT) && base == 8 && zeros == 0 && (len == 0 || buf[sizeof buf - len] != '0'))
        zeros = 1;

    int total = plen + zeros + len;
    int fill = width > total ? width - total : 0;
    if ((flags & F_ZERO) && !(flags & F_LEFT)) {
        zeros += fill;
        fill = 0;
    }
    if (!(flags & F_LEFT))
        pad(o, ' ', fill);
    emit(o, prefix, (size_t)plen);
    pad(o, '0', zeros);
    emit(o, buf + sizeof buf - len, (size_t)len);
    if (flags & F_LEFT)
        pad(o, ' ', fill);
}

enum len_mod { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

static uintmax_t arg_unsigned(va_list *ap, enum len_mod m)
{
    switch (m) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case L_H:  return (unsigned short)va_arg(*ap, unsigned int);
    case L_L:  return va_arg(*ap, unsigned long);
    case L_LL: return va_arg(*ap, unsigned long long);
    /* The same type as L_J only on LP64. */
    // NOLINTNEXTLINE(bugprone-branch-clone)
    case L_Z:  return va_arg(*ap, size_t);
    case L_J:  return va_arg(*ap, uintmax_t);
    case L_T:  return (uintmax_t)va_arg(*ap, ptrdiff_t);
    default:   return va_arg(*ap, unsigned int);
    }
}

static intmax_t arg_signed(va_list *ap, enum len_mod m)
{
    switch (m) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H:  return (short)va_arg(*ap, int);
    case L_L:  return va_arg(*ap, long);
    case L_LL: return va_arg(*ap, long long);
    case L_Z:  return (intmax_t)va_arg(*ap, size_t);
    /* The same type as L_T only on LP64. */
    // NOLINTNEXTLINE(bugprone-branch-clone)
    case L_J:  return va_arg(*ap, intmax_t);
    case L_T:  return va_arg(*ap, ptrdiff_t);
    default:   return va_arg(*ap, int);
    }
}

size_t fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap_in)
{
    out_t o = { sink, ctx, 0 };
    va_list ap;
    va_copy(ap, ap_in);

    while (*fmt) {
        const char *start = fmt;
        while (*fmt && *fmt != '%')
            fmt++;
        emit(&o, start, (size_t)(fmt - start));
        if (!*fmt)
            break;
        const char *spec = fmt++; /* at '%' */

        int flags = 0;
        for (;; fmt++) {
            if (*fmt == '-') flags |= F_LEFT;
            else if (*fmt == '0') flags |= F_ZERO;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '#') flags |= F_ALT;
            else break;
        }
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == -2147483647 - 1 ? 2147483647 : -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9' && width < 100000)
                width = width * 10 + (*fmt++ - '0');
        }
        int prec = -1;
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9' && prec < 100000)
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        enum len_mod m = L_NONE;
        if (*fmt == 'h') {
            m = L_H;
            if (*++fmt == 'h') { m = L_HH; fmt++; }
        } else if (*fmt == 'l') {
            m = L_L;
            if (*++fmt == 'l') { m = L_LL; fmt++; }
        } else if (*fmt == 'z') { m = L_Z; fmt++; }
        else if (*fmt == 'j') { m = L_J; fmt++; }
        else if (*fmt == 't') { m = L_T; fmt++; }

        char c = *fmt;
        if (c)
            fmt++;
        switch (c) {
        case 'd':
        case 'i': {
            intmax_t v = arg_signed(&ap, m);
            uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            put_number(&o, mag, 10, 0, v < 0, flags, width, prec);
            break;
        }
        case 'u':
            put_number(&o, arg_unsigned(&ap, m), 10, 0, 0, flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'x':
        case 'X':
            put_number(&o, arg_unsigned(&ap, m), 16, c == 'X', 0, flags & ~(F_PLUS | F_SPACE),
                       width, prec);
            break;
        case 'o':
            put_number(&o, arg_unsigned(&ap, m), 8, 0, 0, flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            put_number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, F_ALT | (flags & F_LEFT),
                       width, prec);
            break;
        case 'c': {
            char ch = (char)va_arg(ap, int);
            if (!(flags & F_LEFT))
                pad(&o, ' ', width - 1);
            emit(&o, &ch, 1);
            if (flags & F_LEFT)
                pad(&o, ' ', width - 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = cstrnlen(s, prec < 0 ? SIZE_MAX : (size_t)prec);
            int fill = width > (int)n ? width - (int)n : 0;
            if (!(flags & F_LEFT))
                pad(&o, ' ', fill);
            emit(&o, s, n);
            if (flags & F_LEFT)
                pad(&o, ' ', fill);
            break;
        }
        case '%':
            emit(&o, "%", 1);
            break;
        default: /* unknown or truncated conversion: print it as written */
            emit(&o, spec, (size_t)(fmt - spec));
            break;
        }
    }
    va_end(ap);
    return o.count;
}

typedef struct {
    char *buf;
    size_t size;
    size_t pos;
} strbuf_t;

static void strbuf_sink(void *ctx, const char *s, size_t n)
{
    strbuf_t *b = ctx;
    for (size_t i = 0; i < n; i++, b->pos++)
        if (b->pos + 1 < b->size)
            b->buf[b->pos] = s[i];
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    strbuf_t b = { buf, size, 0 };
    size_t n = fmt_vformat(strbuf_sink, &b, fmt, ap);
    if (size)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
