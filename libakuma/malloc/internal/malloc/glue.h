/*
 * The allocator's only contract with the rest of the system, as musl
 * mallocng's glue.h: swap the file that implements it and the allocator
 * lifts out unchanged.  Three implementations exist:
 *   - the guest's (libakuma): mmap()/munmap() through the vmm, no-op locks
 *     while programs have one thread, the console and ak_exit();
 *   - libakuma/malloc/linux/glue.c: Linux mmap/munmap and a pthread mutex,
 *     for the LD_PRELOAD library and the host benchmark;
 *   - the unit tests' (tests/unit/malloc_conform/testglue.c): a checked page
 *     arena, injected failures, and a panic that longjmps back to the test.
 *
 * Both allocator modes (page/ and chunk/) call only these functions.  Page
 * mode calls every one of them, except ak_malloc_lock/unlock, with the
 * allocator lock held (taken by its public wrappers, page_api.inc).  Chunk mode
 * gives each thread a heap of its own and takes the lock only to register
 * heaps, sum their counters and trim (chunk/thread.c): its pages in and
 * out, reports and errno may come from several threads at once.  No glue
 * function may call malloc or free, except ak_malloc_thread_set (below).
 */
#ifndef AKUMA_MALLOC_GLUE_H
#define AKUMA_MALLOC_GLUE_H

#include <stddef.h>
#include <stdint.h>

/* The unit of pages in and out: every length and address the allocator passes is a multiple. */
#define AK_MALLOC_PAGE_SIZE ((size_t)4096)

/*
 * Pages in: maps len bytes of zero-filled, readable and writable memory
 * whose address is a multiple of align.  len is a non-zero multiple of
 * AK_MALLOC_PAGE_SIZE; align is a power of two, at least
 * AK_MALLOC_PAGE_SIZE.  Returns the address, or NULL when the memory or
 * the address space is exhausted (the allocator then reports out of
 * memory).  Never returns a mapping that overlaps a live one.
 */
void *ak_malloc_pages_in(size_t len, size_t align);

/*
 * The same, for memory the caller will touch at once (page mode's
 * allocations): the glue may map it eagerly rather than on first touch,
 * where that is cheaper.
 */
void *ak_malloc_pages_in_now(size_t len, size_t align);

/*
 * Pages out: unmaps [p, p + len), which lies inside one range returned by
 * ak_malloc_pages_in and not yet unmapped (the whole range, or its tail when
 * an allocation shrinks).  p and len are multiples of AK_MALLOC_PAGE_SIZE,
 * len non-zero.  Returns 0, or a negated AK_E* error, which the allocator
 * treats as its own broken invariant (it panics).
 */
int ak_malloc_pages_out(void *p, size_t len);

/*
 * The allocator lock, around every public entry point.  Not recursive.
 * No-ops where a process has one thread.
 */
void ak_malloc_lock(void);
void ak_malloc_unlock(void);

/*
 * A broken invariant: corrupted metadata, a double or invalid free, a
 * failed pages out.  msg is one line without its newline, len bytes, not
 * NUL-terminated.  Reports it and ends the process (or, in tests, leaves
 * the allocator by longjmp); never returns.
 */
_Noreturn void ak_malloc_panic(const char *msg, size_t len);

/*
 * Out of memory: pages in failed.  report is the text of the original
 * libakuma ("OUT OF MEMORY!" and the four counters, lines ending in '\n'),
 * len bytes, not NUL-terminated.  May end the process (the guest prints it
 * and exits, as the original did); if it returns, the allocation fails
 * with ENOMEM.
 */
void ak_malloc_oom(const char *report, size_t len);

/*
 * The calling thread's heap (chunk mode): what ak_malloc_thread_set last
 * stored in this thread, NULL before.  Read on every malloc and free: one
 * load (a static variable where a process has one thread, an initial-exec
 * thread-local one on Linux, inlined by link-time optimisation).
 */
void *ak_malloc_thread_get(void);

/*
 * Stores the calling thread's heap (not NULL).  Where threads end while
 * the process goes on, the glue arranges that when this thread ends,
 * akm_thread_exit(heap) runs in it, after its slot reads NULL again.  May
 * allocate (a thread-specific key's storage): the slot is set first, so the
 * allocation finds the heap.
 */
void ak_malloc_thread_set(void *heap);

/*
 * What chunk mode gives the glue to call (chunk/thread.c):
 *   akm_thread_exit(heap)  a thread that set `heap` ends: the heap is
 *                          trimmed and left for a later thread to adopt;
 *   akm_fork_child()       in the child of fork(), once the glue's lock is
 *                          usable again: the heaps of the threads that did
 *                          not survive are never used again (their blocks
 *                          can still be freed; the child usually execs).
 * The glue also holds its lock across fork(), so that the child never
 * inherits the registry half-changed.
 */
void akm_thread_exit(void *heap);
void akm_fork_child(void);

/*
 * A monotonic clock in milliseconds, for the depot of empty chunks
 * (chunk/depot.c), or AK_MALLOC_NO_CLOCK where there is none: the depot is
 * then off and every chunk a heap gives up is unmapped at once.
 */
#define AK_MALLOC_NO_CLOCK UINT64_MAX
uint64_t ak_malloc_clock_ms(void);

/* Sets the caller's errno to err (a positive AK_E* number, Linux's numbering). */
void ak_malloc_set_errno(int err);

#endif /* AKUMA_MALLOC_GLUE_H */
