/*
 * printf to the console (see stdio.h).  One line buffer per process (one
 * thread each for now): output is written at each newline and whenever
 * the buffer fills, at AK_CONSOLE_MAX bytes.
 */
#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/syscall.h>
#include <akuma/sys.h>
#include <common/fmt.h>

static char line[AK_CONSOLE_MAX];
static size_t line_len;

int fflush_stdout(void)
{
    int r = line_len ? ak_console_write(line, line_len) : 0;
    line_len = 0;
    return r;
}

static void line_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        line[line_len++] = s[i];
        if (s[i] == '\n' || line_len == sizeof line)
            fflush_stdout();
    }
}

int vprintf(const char *fmt, va_list ap)
{
    return (int)fmt_vformat(line_sink, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return (int)fmt_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    line_sink(NULL, s, strlen(s));
    line_sink(NULL, "\n", 1);
    return 0;
}

int putchar(int c)
{
    char ch = (char)c;
    line_sink(NULL, &ch, 1);
    return c;
}
