/*
 * A program run with chunk mode's LD_PRELOAD library (libakuma_malloc.so)
 * by test_preload.c.  Built without sanitizers, it checks that the library
 * really replaced glibc's malloc, that the POSIX edge behaves (errno,
 * posix_memalign's return values, glibc's own callers such as strdup and
 * qsort), and that threads allocating and freeing at once leave the heap
 * consistent.  Prints "preload ok" and exits 0, or says what failed.
 *
 * Usage: preload_prog [threads | oom | double-free]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <akuma/malloc.h>

#define THREADS 4
#define THREAD_OPS 200000
#define THREAD_SLOTS 512

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "preload_prog: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

typedef void (*stats_fn)(ak_malloc_stats_t *);

static stats_fn stats(void)
{
    stats_fn f = (stats_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "ak_malloc_stats");
    CHECK(f != NULL);  /* the library is loaded */
    return f;
}

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void basics(void)
{
    ak_malloc_stats_t before, after;
    stats()(&before);
    char *p = malloc(100);
    CHECK(p != NULL && (uintptr_t)p % 16 == 0);
    stats()(&after);
    CHECK(after.alloc_count == before.alloc_count + 1);  /* our malloc, not glibc's */
    CHECK(malloc_usable_size(p) >= 100);
    char *s = strdup("a string glibc allocates through malloc");
    CHECK(s != NULL && strcmp(s, "a string glibc allocates through malloc") == 0);
    free(s);
    char *q = realloc(p, 100000);
    CHECK(q != NULL);
    free(q);
    int *v = calloc(1000, sizeof *v);
    CHECK(v != NULL && v[999] == 0);
    for (int i = 0; i < 1000; i++)
        v[i] = (i * 7919) % 1000;
    qsort(v, 1000, sizeof *v, by_value);
    CHECK(v[0] == 0 && v[999] == 999);
    free(v);

    errno = 0;
    CHECK(malloc(SIZE_MAX) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(calloc(SIZE_MAX / 2, 4) == NULL && errno == ENOMEM);
    volatile size_t bad_align = 24;  /* hidden from the compiler's alignment check */
    errno = 0;
    CHECK(aligned_alloc(bad_align, 48) == NULL && errno == EINVAL);
    void *a = NULL;
    errno = 0;
    CHECK(posix_memalign(&a, 24, 10) == EINVAL && errno == 0 && a == NULL);
    CHECK(posix_memalign(&a, 8, 10) == 0 && a != NULL);
    free(a);
}

static void alignment_family(void)
{
    void *a = NULL;
    CHECK(posix_memalign(&a, 4096, 10) == 0 && (uintptr_t)a % 4096 == 0);
    free(a);
    void *b = aligned_alloc(65536, 100);
    CHECK(b != NULL && (uintptr_t)b % 65536 == 0);
    free(b);
    void *c = memalign(256, 1000);
    CHECK(c != NULL && (uintptr_t)c % 256 == 0);
    free(c);
    void *d = valloc(10);
    CHECK(d != NULL && (uintptr_t)d % 4096 == 0);
    free(d);
    void *e = pvalloc(5000);
    CHECK(e != NULL && (uintptr_t)e % 4096 == 0 && malloc_usable_size(e) >= 8192);
    free(e);
}

static void *worker(void *arg)
{
    uint64_t x = (uintptr_t)arg * UINT64_C(0x9E3779B97F4A7C15) + 1;
    void *slots[THREAD_SLOTS] = { 0 };
    for (int op = 0; op < THREAD_OPS; op++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned i = (unsigned)(x % THREAD_SLOTS);
        size_t size = (x >> 16) % 2000 == 0 ? 70000 + (x >> 32) % 100000 : (x >> 16) % 3000;
        if (slots[i] != NULL) {
            CHECK(*(unsigned char *)slots[i] == (unsigned char)i);
            free(slots[i]);
            slots[i] = NULL;
        } else if ((x >> 40) % 4 == 0) {
            slots[i] = realloc(NULL, size + 1);
            CHECK(slots[i] != NULL);
            *(unsigned char *)slots[i] = (unsigned char)i;
            slots[i] = realloc(slots[i], size / 2 + 1);
            CHECK(slots[i] != NULL && *(unsigned char *)slots[i] == (unsigned char)i);
        } else {
            slots[i] = malloc(size + 1);
            CHECK(slots[i] != NULL);
            *(unsigned char *)slots[i] = (unsigned char)i;
        }
    }
    for (unsigned i = 0; i < THREAD_SLOTS; i++)
        free(slots[i]);
    return NULL;
}

static void threads(void)
{
    ak_malloc_stats_t before, after;
    stats()(&before);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, worker, (void *)(i + 1)) == 0);
    pid_t pid = fork();  /* while the others allocate: the child must not inherit a held lock */
    CHECK(pid >= 0);
    if (pid == 0) {
        void *p = malloc(1000);
        _exit(p != NULL ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    stats()(&after);
    CHECK(after.live_blocks <= before.live_blocks + THREADS);  /* pthread's own, at most */
    CHECK(after.alloc_count >= before.alloc_count + THREADS * THREAD_OPS / 3);
}

/* Runs out of address space: malloc fails with ENOMEM after the report (AKUMA_MALLOC_VERBOSE). */
static void oom(void)
{
    struct rlimit lim = { 256u << 20, 256u << 20 };
    CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
    errno = 0;
    void *p = malloc(512u << 20);
    CHECK(p == NULL && errno == ENOMEM);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "basics";
    if (strcmp(mode, "basics") == 0) {
        basics();
        alignment_family();
    } else if (strcmp(mode, "threads") == 0) {
        threads();
    } else if (strcmp(mode, "oom") == 0) {
        oom();
    } else if (strcmp(mode, "double-free") == 0) {
        char *volatile p = malloc(64);
        char *volatile keep = malloc(64);
        free(p);
        free(p);  // NOLINT(clang-analyzer-unix.Malloc): the mistake under test
        (void)keep;
    } else {
        fprintf(stderr, "preload_prog: unknown mode %s\n", mode);
        return 2;
    }
    printf("preload ok\n");
    return 0;
}
