/*
 * The allocator's messages (akm.h), formatted here without any library
 * call so that they work inside the allocator, with its lock held, before
 * anything else is set up.  The OUT OF MEMORY text keeps the lines of the
 * original libakuma's alloc_error handler, then names the request.
 */
#include <malloc/akm.h>

enum {
    OOM_REPORT_MAX = 320,  /* the longest report: five lines of 20-digit numbers fit */
    PANIC_MSG_MAX  = 160,
    KIB            = 1024,
};

/* An append-only text in a caller's buffer; output past cap is dropped. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
} text_t;

static void put_str(text_t *t, const char *s)
{
    for (; *s && t->len < t->cap; s++)
        t->buf[t->len++] = *s;
}

static void put_digits(text_t *t, uint64_t v, unsigned base)
{
    char tmp[20];  /* 2^64 - 1 has 20 decimal digits */
    size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0 && t->len < t->cap)
        t->buf[t->len++] = tmp[--n];
}

static void put_dec(text_t *t, uint64_t v)
{
    put_digits(t, v, 10);
}

size_t akm_format_oom(char *buf, size_t cap, const ak_malloc_stats_t *s, size_t request,
                      size_t align)
{
    text_t t = { buf, cap, 0 };
    put_str(&t, "OUT OF MEMORY!\n  Net memory: ");
    put_dec(&t, s->user_bytes);
    put_str(&t, " bytes (");
    put_dec(&t, s->user_bytes / KIB);
    put_str(&t, " KB)\n  Total allocated: ");
    put_dec(&t, s->kernel_bytes_in);
    put_str(&t, " bytes\n  Total freed: ");
    put_dec(&t, s->kernel_bytes_out);
    put_str(&t, " bytes\n  Allocation count: ");
    put_dec(&t, s->alloc_count);
    put_str(&t, "\n  Failed request: ");
    put_dec(&t, request);
    put_str(&t, " bytes, alignment ");
    put_dec(&t, align);
    put_str(&t, "\n");
    return t.len;
}

void akm_report_oom(const ak_malloc_stats_t *s, size_t request, size_t align)
{
    char buf[OOM_REPORT_MAX];
    ak_malloc_oom(buf, akm_format_oom(buf, sizeof buf, s, request, align));
}

_Noreturn void akm_panic(const char *op, const void *p, const char *why)
{
    char buf[PANIC_MSG_MAX];
    text_t t = { buf, sizeof buf, 0 };
    put_str(&t, "akuma malloc: ");
    put_str(&t, op);
    put_str(&t, "(0x");
    put_digits(&t, akm_addr(p), 16);
    put_str(&t, "): ");
    put_str(&t, why);
    ak_malloc_panic(buf, t.len);
}
