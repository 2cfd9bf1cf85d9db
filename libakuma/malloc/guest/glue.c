/*
 * The allocator's glue in programs (<malloc/glue.h>): pages come
 * from the vmm through mmap, errors go to errno, and a broken heap or an
 * exhausted memory ends the process with a report on the console, as the
 * original libakuma did.  One thread per process: the lock is a no-op and
 * the thread's heap slot a static variable (no thread ever ends or forks,
 * so akm_thread_exit and akm_fork_child are never called).
 */
#include <malloc/glue.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <akuma/sys.h>

/* The statuses a program ends with when its allocator gives up. */
#define STATUS_OUT_OF_MEMORY (-1)
#define STATUS_HEAP_BROKEN   134   /* as a shell reports SIGABRT */

static void *pages_in(size_t len, size_t align, int flags)
{
    flags |= MAP_PRIVATE | MAP_ANONYMOUS;
    if (align > AK_MALLOC_PAGE_SIZE)
        flags |= (int)MAP_ALIGNED(63 - __builtin_clzll(align));
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Mapped on first touch: a chunk's pages are touched as it fills. */
void *ak_malloc_pages_in(size_t len, size_t align)
{
    return pages_in(len, align, 0);
}

/*
 * Mapped at once: a fault costs a round trip to the vmm, MAP_POPULATE
 * none (measured: allocstress,page takes 716 guest instructions more per
 * allocation lazily, README "Benchmarks").
 */
void *ak_malloc_pages_in_now(size_t len, size_t align)
{
    return pages_in(len, align, MAP_POPULATE);
}

int ak_malloc_pages_out(void *p, size_t len)
{
    return munmap(p, len) == 0 ? 0 : -errno;
}

void ak_malloc_lock(void)
{
}

void ak_malloc_unlock(void)
{
}

static void *thread_heap;

void *ak_malloc_thread_get(void)
{
    return thread_heap;
}

void ak_malloc_thread_set(void *heap)
{
    thread_heap = heap;
}

_Noreturn void ak_malloc_panic(const char *msg, size_t len)
{
    fflush_stdout();
    ak_console_write("malloc: ", 8);
    ak_console_write(msg, len);
    ak_console_write("\n", 1);
    ak_exit(STATUS_HEAP_BROKEN);
}

void ak_malloc_oom(const char *report, size_t len)
{
    fflush_stdout();
    ak_console_write(report, len);
    ak_exit(STATUS_OUT_OF_MEMORY);
}

/* Programs have one thread: their heap's own caches suffice, so no depot. */
uint64_t ak_malloc_clock_ms(void)
{
    return AK_MALLOC_NO_CLOCK;
}

void ak_malloc_set_errno(int err)
{
    errno = err;
}
