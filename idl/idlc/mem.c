/*
 * idlc's memory: an arena for the syntax tree and growable strings for
 * diagnostics and output.  idlc is a short-lived host tool, so running out
 * of memory ends it with a message (exit status 2) instead of threading a
 * failure through every stage.
 *
 * Invariants: every arena block is aligned for max_align_t and zeroed; an
 * idlc_sbuf_t with data != NULL always has data[len] == '\0' and len < cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idlc/idlc.h>

typedef struct idlc_arena_block {
    struct idlc_arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
} idlc_arena_block_t;

enum { IDLC_BLOCK_MIN = 64 * 1024 };

static void idlc_oom(void)
{
    fputs("idlc: out of memory\n", stderr);
    exit(2);
}

void *idlc_alloc(idlc_arena_t *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2)
        idlc_oom();
    n = (n + align - 1) / align * align;
    idlc_arena_block_t *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > IDLC_BLOCK_MIN ? n : IDLC_BLOCK_MIN;
        b = calloc(1, sizeof *b + size);
        if (b == NULL)
            idlc_oom();
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *idlc_strndup(idlc_arena_t *a, const char *s, size_t n)
{
    char *p = idlc_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void idlc_arena_free(idlc_arena_t *a)
{
    idlc_arena_block_t *b = a->head;
    while (b != NULL) {
        idlc_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* Makes room for n more bytes plus the terminator. */
static void idlc_sbuf_reserve(idlc_sbuf_t *b, size_t n)
{
    if (n >= SIZE_MAX / 2 - b->len)
        idlc_oom();
    if (b->len + n < b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + n)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        idlc_oom();
    b->data = p;
    b->cap = cap;
}

void idlc_sbuf_put(idlc_sbuf_t *b, const char *s, size_t n)
{
    idlc_sbuf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void idlc_sbuf_puts(idlc_sbuf_t *b, const char *s)
{
    idlc_sbuf_put(b, s, strlen(s));
}

void idlc_sbuf_vprintf(idlc_sbuf_t *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        idlc_oom();
    idlc_sbuf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
}

void idlc_sbuf_printf(idlc_sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    idlc_sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *idlc_sbuf_str(const idlc_sbuf_t *b)
{
    return b->data ? b->data : "";
}

void idlc_sbuf_free(idlc_sbuf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
