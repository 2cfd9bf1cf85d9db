/*
 * printf to the console, getchar and fgets from it (see stdio.h).  One
 * line buffer per process (one thread each for now): output is written at
 * each newline and whenever the buffer fills, at AK_CONSOLE_MAX bytes.
 * Whether the program has a console is learnt at its first write: an
 * empty AK_SLOT_CONSOLE answers AK_EBADF, and from then on the kernel's
 * console call is used.
 */
#include <stdio.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/syscall.h>
#include <akuma/sys.h>
#include <common/fmt.h>
#include <idl/console_client.h>

_Static_assert(AK_CONSOLE_MAX <= AK_CON_WRITE_MAX, "a line buffer fits one console write");

static char line[AK_CONSOLE_MAX];
static size_t line_len;
static enum { CON_UNKNOWN, CON_SERVER, CON_KERNEL } con_path;
static char last_out = '\n';   /* the last byte written: the console holds an unfinished line */

static int out_write(const char *s, size_t n)
{
    if (con_path != CON_KERNEL) {
        int r = console_write(AK_SLOT_CONSOLE, s, n);
        if (r != -AK_EBADF) {
            con_path = CON_SERVER;
            if (n)
                last_out = s[n - 1];
            return r;
        }
        con_path = CON_KERNEL;
    }
    return ak_console_write(s, n);
}

int fflush_stdout(void)
{
    int r = line_len ? out_write(line, line_len) : 0;
    line_len = 0;
    return r;
}

int fflush_stdout_at_exit(void)
{
    int r = fflush_stdout();
    /* The console writes a line once it is finished; this one never will be otherwise. */
    if (r == 0 && con_path == CON_SERVER && last_out != '\n')
        r = out_write("\n", 1);
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

/* ---- input ---- */

struct ak_stream {
    int unused;
};
static struct ak_stream stdin_stream;
FILE *const stdin = &stdin_stream;

static uint8_t in_buf[AK_CON_READ_MAX];
static size_t in_len, in_pos;

int getchar(void)
{
    if (in_pos == in_len) {
        fflush_stdout();
        if (con_path == CON_KERNEL)
            return EOF;
        uint64_t n = 0;
        int r = console_read(AK_SLOT_CONSOLE, AK_CON_READ_MAX, AK_CON_READ_LINE, in_buf, &n);
        if (r == -AK_EBADF)
            con_path = CON_KERNEL;
        if (r || n == 0)
            return EOF;
        in_len = (size_t)n;
        in_pos = 0;
    }
    return in_buf[in_pos++];
}

char *fgets(char *s, int size, FILE *stream)
{
    if (stream != stdin || size < 1)
        return NULL;
    int n = 0;
    while (n < size - 1) {
        int c = getchar();
        if (c == EOF)
            break;
        s[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0 && size > 1)
        return NULL;
    s[n] = '\0';
    return s;
}
