/*
 * fmt: the printf formatter shared by the kernel, the servers, libakuma
 * and the host tools.  Freestanding: it needs no library, allocates
 * nothing and writes through a caller-supplied sink.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * a width and a precision (also as '*'), length modifiers hh h l ll z j t.
 * An unknown conversion is printed as written, so a typo shows in the
 * output instead of consuming an argument.
 */
#ifndef COMMON_FMT_H
#define COMMON_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives n bytes (not NUL-terminated) of formatted output. */
typedef void (*fmt_sink_t)(void *ctx, const char *s, size_t n);

/* Formats into sink; returns the number of bytes produced. */
size_t fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

/*
 * Formats into buf (size bytes, always NUL-terminated when size > 0).
 * Returns the length the whole output would have, as snprintf does.
 */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* COMMON_FMT_H */
