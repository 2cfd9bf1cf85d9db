/*
 * The C allocation functions (akuma/malloc.h) for chunk mode: linking this
 * file, and not the other mode's, chooses the mode.  Each call works on the
 * calling thread's heap (thread.c), found through the glue's thread slot,
 * without a lock; errors become errno here, at the POSIX edge.  A thread
 * that cannot get a heap of its own works on the shared heap under the
 * glue's lock.  malloc and free inline their fast paths (small.h) when
 * the program is built with link-time optimisation, as guest programs and
 * the LD_PRELOAD library are.
 */
#include <akuma/malloc.h>

#include <akuma/abi/errno.h>
#include <malloc/glue.h>
#include <malloc/small.h>

/* The calling thread's heap, made or adopted on its first call; NULL if none can be had. */
static inline akm_chunk_heap_t *thread_heap(void)
{
    akm_chunk_heap_t *h = ak_malloc_thread_get();
    if (__builtin_expect(h == NULL, 0))
        h = akm_heap_attach();
    return h;
}

/*
 * Runs stmt with h the caller's heap, or the shared one under the lock.
 * h names the variable it declares and stmt is a statement, so neither
 * can take the parentheses clang-tidy asks macro arguments for.
 */
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WITH_HEAP(h, stmt)                         \
    do {                                           \
        akm_chunk_heap_t *h = thread_heap();       \
        if (__builtin_expect(h != NULL, 1)) {      \
            stmt;                                  \
        } else {                                   \
            h = akm_heap_shared_lock();            \
            stmt;                                  \
            akm_heap_shared_unlock();              \
        }                                          \
    } while (0)
// NOLINTEND(bugprone-macro-parentheses)

/* The result of an allocating call: p, or NULL with errno set from err. */
static void *result(int err, void *p)
{
    if (__builtin_expect(err != 0, 0)) {
        ak_malloc_set_errno(-err);
        return NULL;
    }
    return p;
}

static __attribute__((noinline)) void *malloc_slow(size_t size)
{
    void *p = NULL;
    int err;
    WITH_HEAP(h, err = akm_chunk_malloc(h, size, &p));
    return result(err, p);
}

void *malloc(size_t size)
{
    akm_chunk_heap_t *h = ak_malloc_thread_get();
    void *p;
    if (__builtin_expect(h != NULL, 1) && (p = akm_small_try_malloc(h, size)) != NULL)
        return p;
    return malloc_slow(size);
}

static __attribute__((noinline)) void free_slow(void *p)
{
    WITH_HEAP(h, akm_chunk_free(h, p));
}

__attribute__((always_inline)) void free(void *p)
{
    akm_chunk_heap_t *h = ak_malloc_thread_get();
    if (__builtin_expect(h != NULL, 1)) {
        if (p != NULL)
            akm_small_free(h, p);
        return;
    }
    if (p != NULL)
        free_slow(p);
}

void *calloc(size_t n, size_t size)
{
    void *p = NULL;
    int err;
    WITH_HEAP(h, err = akm_chunk_calloc(h, n, size, &p));
    return result(err, p);
}

void *realloc(void *p, size_t size)
{
    void *q = NULL;
    int err;
    WITH_HEAP(h, err = akm_chunk_realloc(h, p, size, &q));
    return result(err, q);
}

void *memalign(size_t align, size_t size)
{
    void *p = NULL;
    int err;
    WITH_HEAP(h, err = akm_chunk_memalign(h, align, size, &p));
    return result(err, p);
}

void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0)
        return AK_EINVAL;
    void *p = NULL;
    int err;
    WITH_HEAP(h, err = akm_chunk_memalign(h, align, size, &p));
    if (err != 0)
        return -err;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return memalign(AK_MALLOC_PAGE_SIZE, size);
}

void *pvalloc(size_t size)
{
    size_t rounded = (size + AK_MALLOC_PAGE_SIZE - 1) & ~(AK_MALLOC_PAGE_SIZE - 1);
    return memalign(AK_MALLOC_PAGE_SIZE, rounded < size ? size : rounded);
}

size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    size_t n;
    WITH_HEAP(h, n = akm_chunk_usable_size(h, p));
    return n;
}

int malloc_trim(size_t pad)
{
    (void)pad;
    return akm_heaps_trim(ak_malloc_thread_get());
}

void ak_malloc_stats(ak_malloc_stats_t *out)
{
    akm_heaps_stats(out);
}
