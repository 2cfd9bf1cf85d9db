/*
 * glue.h on Linux, for the LD_PRELOAD library, the host benchmarks and the
 * threaded tests: anonymous mmap/munmap for pages, one pthread mutex for
 * the lock (held across fork, and reset in the child, so a fork from a
 * threaded program cannot inherit it locked), write(2) for reports.  As
 * glibc's malloc does, the lock is skipped while the process has one
 * thread (__libc_single_threaded): no other thread can then exist until
 * this one, which is inside malloc, creates it; a thread-local flag
 * remembers whether this call took the mutex, so unlock always matches
 * lock.  The thread's heap is an initial-exec thread-local variable (one
 * load from the thread pointer); a pthread key whose value is the heap
 * gets akm_thread_exit called when the thread ends.  Out of memory is
 * silent, as glibc's is (malloc returns NULL with ENOMEM), unless the
 * environment has AKUMA_MALLOC_VERBOSE set, which prints the report to
 * stderr.  A panic prints its line and aborts.
 */
#define _GNU_SOURCE
#include <malloc/glue.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool holds_lock __attribute__((tls_model("initial-exec")));
static __thread void *thread_heap __attribute__((tls_model("initial-exec")));
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t heap_key;
static bool key_made;
static bool verbose;

/* Linux maps on first touch and page mode is not built here: the same call. */
void *ak_malloc_pages_in_now(size_t len, size_t align)
{
    return ak_malloc_pages_in(len, align);
}

/*
 * Where the next aligned mapping is asked for: just below the last one.
 * Linux places mappings top-down, so a request at the hint usually lands
 * there, aligned, in one system call; over-mapping and cutting (three
 * calls, and two unmaps that each interrupt the process's other threads
 * to flush their TLBs) is then only the fallback.  A stale hint from
 * another thread costs a fallback, nothing more: it is only a hint.
 */
static uintptr_t aligned_hint;

static void *pages_in_aligned(size_t len, size_t align)
{
    uintptr_t hint = __atomic_load_n(&aligned_hint, __ATOMIC_RELAXED);
    if (hint > len && (hint & (align - 1)) == 0) {
        char *p = mmap((void *)(hint - len), len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            if (((uintptr_t)p & (align - 1)) == 0) {
                __atomic_store_n(&aligned_hint, (uintptr_t)p, __ATOMIC_RELAXED);
                return p;
            }
            munmap(p, len);
        }
    }
    /* Over-map by align - one page, then cut the unaligned head and the tail. */
    size_t span = len + align - AK_MALLOC_PAGE_SIZE;
    if (span < len)
        return NULL;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)p;
    if (head != 0)
        munmap(p, head);
    if (span - head > len)
        munmap((char *)start + len, span - head - len);
    __atomic_store_n(&aligned_hint, start, __ATOMIC_RELAXED);
    return (void *)start;
}

void *ak_malloc_pages_in(size_t len, size_t align)
{
    if (align <= AK_MALLOC_PAGE_SIZE) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
    }
    return pages_in_aligned(len, align);
}

int ak_malloc_pages_out(void *p, size_t len)
{
    return munmap(p, len) == 0 ? 0 : -errno;
}

void ak_malloc_lock(void)
{
    if (__libc_single_threaded)
        return;
    pthread_mutex_lock(&lock);
    holds_lock = true;
}

void ak_malloc_unlock(void)
{
    if (holds_lock) {
        holds_lock = false;
        pthread_mutex_unlock(&lock);
    }
}

static void heap_key_destroy(void *heap)
{
    thread_heap = NULL;
    akm_thread_exit(heap);
}

static void heap_key_make(void)
{
    key_made = pthread_key_create(&heap_key, heap_key_destroy) == 0;
}

void *ak_malloc_thread_get(void)
{
    return thread_heap;
}

void ak_malloc_thread_set(void *heap)
{
    thread_heap = heap;
    pthread_once(&key_once, heap_key_make);
    if (key_made)
        pthread_setspecific(heap_key, heap);
}

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

_Noreturn void ak_malloc_panic(const char *msg, size_t len)
{
    write_all(msg, len);
    write_all("\n", 1);
    abort();
}

void ak_malloc_oom(const char *report, size_t len)
{
    if (verbose)
        write_all(report, len);
}

uint64_t ak_malloc_clock_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ak_malloc_set_errno(int err)
{
    errno = err;
}

static void child_after_fork(void)
{
    holds_lock = false;
    pthread_mutex_init(&lock, NULL);
    akm_fork_child();
}

__attribute__((constructor)) static void glue_init(void)
{
    verbose = getenv("AKUMA_MALLOC_VERBOSE") != NULL;
    pthread_atfork(ak_malloc_lock, ak_malloc_unlock, child_after_fork);
}
