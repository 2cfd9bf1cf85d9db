/*
 * Chunk mode with threads (chunk/thread.c over the Linux glue: a heap per
 * thread in thread-local storage, a pthread key to learn of a thread's
 * end, the lock held across fork): threads allocating blocks of every kind
 * (size classes, TLSF, large mappings) and freeing each other's through
 * queues; threads that end with blocks still live, freed later by others
 * and adopted by a new thread; fork() while threads allocate, the child
 * using its allocator at once; the depot of empty chunks between a
 * thread that ends and one that starts.  After each test the registry's heaps are
 * checked as one (akm_chunk_check_heaps) and the process's counters must
 * be back where they started: every block freed by another thread came
 * home, nothing leaked, nothing counted twice.
 *
 * Built twice: with AddressSanitizer (test_malloc_threads) and with
 * ThreadSanitizer (test_malloc_threads_tsan), which fails the test on any
 * data race in the allocator.  It links the allocator's core, not its
 * public functions, so the sanitizers' own malloc serves the test.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <malloc/chunk.h>
#include <malloc/glue.h>

#define THREADS   4
#define OPS       60000
#define QUEUE     256
#define HEAPS_MAX 64

/* Fails from any thread: cmocka's checks are for the main thread only. */
#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "test_threads: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* The calling thread's heap, as chunk/malloc.c finds it. */
static akm_chunk_heap_t *me(void)
{
    akm_chunk_heap_t *h = ak_malloc_thread_get();
    if (h == NULL)
        h = akm_heap_attach();
    CHECK(h != NULL);
    return h;
}

/* A block of n bytes (n >= 16) carrying tag at both ends. */
static unsigned char *make(size_t n, uint64_t tag)
{
    void *p = NULL;
    CHECK(akm_chunk_malloc(me(), n, &p) == 0);
    memcpy(p, &tag, 8);
    memcpy((unsigned char *)p + n - 8, &tag, 8);
    return p;
}

static void verify(const unsigned char *p, size_t n, uint64_t tag)
{
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + n - 8, 8);
    CHECK(a == tag && b == tag);
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Mostly size classes, some TLSF, a few large mappings. */
static size_t random_size(uint64_t r)
{
    unsigned kind = (unsigned)(r % 100);
    r >>= 8;
    if (kind < 90)
        return 16 + (size_t)(r % 4081);
    if (kind < 98)
        return 4097 + (size_t)(r % 56000);
    return 70000 + (size_t)(r % 200000);
}

/* --- queues between threads ------------------------------------------------ */

typedef struct {
    unsigned char *p;
    size_t n;
    uint64_t tag;
} item_t;

typedef struct {
    pthread_mutex_t lock;
    item_t items[QUEUE];
    size_t head, count;
} queue_t;

static queue_t queues[THREADS];
static int done[THREADS];  /* the thread has finished: its queue is no longer taken from */

static int queue_put(queue_t *q, item_t it)
{
    pthread_mutex_lock(&q->lock);
    int ok = q->count < QUEUE;
    if (ok)
        q->items[(q->head + q->count++) % QUEUE] = it;
    pthread_mutex_unlock(&q->lock);
    return ok;
}

static int queue_take(queue_t *q, item_t *it)
{
    pthread_mutex_lock(&q->lock);
    int ok = q->count > 0;
    if (ok) {
        *it = q->items[q->head];
        q->head = (q->head + 1) % QUEUE;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

/* Frees (or first reallocates, through this thread's heap) a block another thread made. */
static void consume(item_t it, uint64_t r)
{
    verify(it.p, it.n, it.tag);
    if (r % 8 == 0) {
        size_t n = random_size(r >> 3);
        void *q = NULL;
        CHECK(akm_chunk_realloc(me(), it.p, n, &q) == 0);
        size_t kept = n < it.n ? n : it.n;
        if (kept >= 8) {
            uint64_t a;
            memcpy(&a, q, 8);
            CHECK(a == it.tag);
        }
        it.p = q;
        it.n = n;
        it.tag = ~it.tag;
        memcpy(it.p, &it.tag, 8);
        memcpy(it.p + n - 8, &it.tag, 8);
    }
    akm_chunk_free(me(), it.p);
}

static void *cross_worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    uint64_t rng = 0x9E3779B97F4A7C15u * (id + 1);
    queue_t *mine = &queues[id], *next = &queues[(id + 1) % THREADS];
    for (unsigned op = 0; op < OPS; op++) {
        uint64_t r = next_random(&rng);
        size_t n = random_size(r);
        item_t it = { make(n, r), n, r };
        if (r % 5 == 0) {  /* some blocks stay home */
            consume(it, next_random(&rng));
        } else {
            while (!queue_put(next, it)) {
                item_t got;
                if (__atomic_load_n(&done[(id + 1) % THREADS], __ATOMIC_ACQUIRE)) {
                    consume(it, next_random(&rng));  /* nobody will take it */
                    break;
                }
                if (queue_take(mine, &got))
                    consume(got, next_random(&rng));
            }
        }
        item_t got;
        if (queue_take(mine, &got))
            consume(got, next_random(&rng));
    }
    __atomic_store_n(&done[id], 1, __ATOMIC_RELEASE);
    return NULL;
}

/* --- the registry as a whole ------------------------------------------------ */

static ak_malloc_stats_t baseline;

static int setup(void **state)
{
    (void)state;
    me();
    akm_heaps_stats(&baseline);
    return 0;
}

/* Every heap consistent, every block home, the counters where they started. */
static void check_all(void)
{
    akm_heaps_trim(me());  /* collects the remote frees of this heap and of the ended threads' */
    akm_chunk_heap_t *heaps[HEAPS_MAX];
    size_t n = akm_heaps_list(heaps, HEAPS_MAX);
    assert_true(n <= HEAPS_MAX);
    akm_chunk_check_heaps((const akm_chunk_heap_t *const *)heaps, n);
    ak_malloc_stats_t s;
    akm_heaps_stats(&s);
    assert_int_equal(s.live_blocks, baseline.live_blocks);
    assert_int_equal(s.user_bytes, baseline.user_bytes);
    assert_true(s.alloc_count > baseline.alloc_count);
}

static void test_cross_thread_frees(void **state)
{
    (void)state;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_mutex_init(&queues[i].lock, NULL);
        done[i] = 0;
    }
    pthread_t t[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, cross_worker, (void *)(uintptr_t)i), 0);
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    uint64_t rng = 1;
    for (unsigned i = 0; i < THREADS; i++) {  /* what the ended threads left queued */
        item_t it;
        while (queue_take(&queues[i], &it))
            consume(it, next_random(&rng));
    }
    check_all();
}

/* --- threads that end with blocks live ---------------------------------------- */

#define LEFT 3000

static item_t left[LEFT];

static void *leave_blocks(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    for (unsigned i = 0; i < LEFT; i++) {
        uint64_t r = next_random(&rng);
        size_t n = random_size(r);
        left[i] = (item_t){ make(n, r), n, r };
    }
    return NULL;  /* ends with every block live */
}

static void *free_left_half(void *arg)
{
    (void)arg;
    for (unsigned i = LEFT / 2; i < LEFT; i++)
        consume(left[i], 1);
    return NULL;
}

/* The pages out of the ABANDONED heaps among heaps[0..n); UINT64_MAX if there is none. */
static uint64_t abandoned_bytes_out(akm_chunk_heap_t *const *heaps, size_t n)
{
    uint64_t out = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (__atomic_load_n(&heaps[i]->state, __ATOMIC_RELAXED) != AKM_HEAP_ABANDONED)
            continue;
        ak_malloc_stats_t s;
        akm_chunk_stats(heaps[i], &s);
        out += s.kernel_bytes_out;
        any = true;
    }
    return any ? out : UINT64_MAX;
}

static void test_thread_exit_with_live_blocks(void **state)
{
    (void)state;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, leave_blocks, (void *)1), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    akm_chunk_heap_t *heaps[HEAPS_MAX];
    size_t before = akm_heaps_list(heaps, HEAPS_MAX);
    assert_true(before <= HEAPS_MAX);
    uint64_t out_before = abandoned_bytes_out(heaps, before);
    assert_true(out_before != UINT64_MAX);
    /* Freed into a heap no thread owns: drained at once, its large mappings unmapped. */
    for (unsigned i = 0; i < LEFT / 2; i++)
        consume(left[i], 2);
    assert_true(abandoned_bytes_out(heaps, before) > out_before);
    for (size_t i = 0; i < before; i++)
        assert_null(__atomic_load_n(&heaps[i]->remote, __ATOMIC_RELAXED));
    /* A new thread adopts a heap left behind (none is mapped) and frees the rest. */
    assert_int_equal(pthread_create(&t, NULL, free_left_half, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(akm_heaps_list(heaps, HEAPS_MAX), before);
    check_all();
}

/* --- the depot of empty chunks ---------------------------------------------------- */

#define DEPOT_BLOCKS 32  /* each of 40,000 bytes: a TLSF chunk of its own */

static uint64_t freed_at;  /* ak_malloc_clock_ms() when the first thread freed its blocks */

static void *use_chunks_and_end(void *arg)
{
    (void)arg;
    unsigned char *b[DEPOT_BLOCKS];
    for (unsigned i = 0; i < DEPOT_BLOCKS; i++)
        b[i] = make(40000, i);
    freed_at = ak_malloc_clock_ms();
    for (unsigned i = 0; i < DEPOT_BLOCKS; i++)
        akm_chunk_free(me(), b[i]);
    return NULL;  /* the thread's end trims its heap: its spare goes to the depot too */
}

static void *take_chunks(void *arg)
{
    ak_malloc_stats_t *mapped_by_then = arg;
    unsigned char *b[AKM_DEPOT_MIN];
    for (unsigned i = 0; i < AKM_DEPOT_MIN; i++)
        b[i] = make(40000, i);
    akm_heaps_stats(mapped_by_then);
    for (unsigned i = 0; i < AKM_DEPOT_MIN; i++)
        akm_chunk_free(me(), b[i]);
    return NULL;
}

/*
 * A thread's empty chunks wait in the depot, where a later thread takes
 * them instead of mapping new ones; malloc_trim (akm_heaps_trim) gives
 * them back.  The reuse is asserted only when the second thread ran
 * within the depot's age of the first one's frees (it always does but on
 * a machine too loaded to run the test in time, which the test says).
 */
static void test_depot_between_threads(void **state)
{
    (void)state;
    akm_heaps_trim(me());  /* an empty depot to start from */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, use_chunks_and_end, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    size_t count, mapped, peak;
    akm_depot_state(&count, &mapped, &peak);
    assert_true(count >= AKM_DEPOT_MIN);  /* the limit is at least that many */
    assert_true(count <= DEPOT_BLOCKS);
    ak_malloc_stats_t before, during;
    akm_heaps_stats(&before);
    assert_int_equal(pthread_create(&t, NULL, take_chunks, &during), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (ak_malloc_clock_ms() - freed_at < AKM_DEPOT_AGE_MS)
        assert_int_equal(during.kernel_bytes_in, before.kernel_bytes_in);  /* nothing mapped */
    else
        print_message("test_depot_between_threads: the machine took longer than the depot's age: reuse not asserted\n");
    ak_malloc_stats_t after;
    assert_int_equal(akm_heaps_trim(me()), 1);
    akm_heaps_stats(&after);
    akm_depot_state(&count, &mapped, &peak);
    assert_int_equal(count, 0);
    assert_true(after.kernel_bytes_out > before.kernel_bytes_out);
    check_all();
}

/* --- fork ---------------------------------------------------------------------- */

static volatile int stop;
static unsigned char *parents_block;

static void *busy(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    unsigned char *held[64] = { 0 };
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        uint64_t r = next_random(&rng);
        unsigned k = (unsigned)(r % 64);
        if (held[k] != NULL)
            akm_chunk_free(me(), held[k]);
        held[k] = make(random_size(r >> 6), r);
    }
    for (unsigned k = 0; k < 64; k++)
        akm_chunk_free(me(), held[k]);
    return NULL;
}

/* The child of a fork: allocates at once, frees a block of a heap left behind; exits 0 if all is well. */
static void child(void)
{
    ak_malloc_stats_t before, after;
    akm_heaps_stats(&before);
    uint64_t rng = 77;
    unsigned char *held[256] = { 0 };
    for (unsigned i = 0; i < 5000; i++) {
        uint64_t r = next_random(&rng);
        unsigned k = (unsigned)(r % 256);
        if (held[k] != NULL)
            akm_chunk_free(me(), held[k]);
        held[k] = make(random_size(r >> 8), r);
    }
    verify(parents_block, 100, 42);
    akm_chunk_free(me(), parents_block);  /* a block of a heap whose thread is not in the child */
    for (unsigned k = 0; k < 256; k++)
        akm_chunk_free(me(), held[k]);
    akm_heaps_stats(&after);
    _exit(after.live_blocks == before.live_blocks - 1 && after.user_bytes == before.user_bytes - 100 ? 0 : 1);
}

static void *make_parents_block(void *arg)
{
    (void)arg;
    parents_block = make(100, 42);
    return NULL;
}

static void test_fork_while_threads_allocate(void **state)
{
    (void)state;
    pthread_t maker, t[2];
    stop = 0;
    assert_int_equal(pthread_create(&maker, NULL, make_parents_block, NULL), 0);
    assert_int_equal(pthread_join(maker, NULL), 0);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, busy, (void *)(uintptr_t)(i + 5)), 0);
    for (unsigned i = 0; i < 10; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child();
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    akm_chunk_free(me(), parents_block);
    check_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cross_thread_frees, setup),
        cmocka_unit_test_setup(test_thread_exit_with_live_blocks, setup),
        cmocka_unit_test_setup(test_depot_between_threads, setup),
        cmocka_unit_test_setup(test_fork_while_threads_allocate, setup),
    };
    return cmocka_run_group_tests_name("malloc chunk mode with threads", tests, NULL, NULL);
}
