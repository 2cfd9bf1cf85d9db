/*
 * The sched-fair image: time a server spends on a call is charged to the
 * caller (ukernel/include/ukernel/sched.h).  Run under -icount, so that
 * the virtual counter is guest time, the same on every run.  Roles, by
 * first argument:
 *
 *   board      the notice board (tests/system/idl/board.idl) the others
 *              start and stop each other through; the highest priority
 *   work       a server whose every answer spins (work.idl); priority 200
 *   hog WHAT K waits until board word K is set, then loops on heavy
 *              requests (WHAT: "vmm", 20,000-page mmap + mprotect +
 *              munmap, or "work", a spin of about 20 ms of guest time in
 *              the work server) until word K+1 is set; puts its count of
 *              requests in word K+2 and ends
 *   peer       priority 100, the hogs' equal: counts the rounds of an
 *              empty loop it makes in a span alone, then in the same span
 *              beside a hog of its priority, for each kind of hog:
 *                sched-fair-vmm, sched-fair-echo  beside is at least 40%
 *                of alone (round-robin gives about 50%; a scheduler that
 *                charges the server's time to the server gives ~0%), and
 *                the hog completed a request within the span;
 *              then, as the middle priority of sched-fair-inherit, spins
 *              while told to, for twice the span at most
 *   high       priority 150, asleep through the peer's phases: counts its
 *              loop in a span after a sleep, alone, then while a hog of
 *              priority 100 has a vmm request in flight:
 *                sched-fair-priority  at least 95% (the span starts when
 *                the sleep ends): the vmm serving a lower caller runs at
 *                that caller's priority, not its own, so it does not
 *                delay the wake-up
 *              then times a one-page mmap + munmap while a hog of priority
 *              50 has a vmm request in flight and the peer (100) spins:
 *                sched-fair-inherit  answered well within the peer's spin:
 *                the vmm inherits the waiting caller's priority
 *
 * Slots: 1 the vmm (AK_SLOT_VMM), 2 the board, 3 the work server.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <akuma/abi/errno.h>
#include <akuma/counter.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/board_client.h>
#include <idl/board_server.h>
#include <idl/work_client.h>
#include <idl/work_server.h>

#define SLOT_BOARD 2
#define SLOT_WORK  3

#define BOARD_WORDS 16u
/* Board words: each hog's start word K, then K+1 stop, K+2 its count. */
#define K_VMM      0u    /* the peer's vmm hog */
#define K_ECHO     3u    /* the peer's work-server hog */
#define K_PRIO     6u    /* the hog (priority 100) of sched-fair-priority */
#define K_LOW      9u    /* the hog (priority 50) of sched-fair-inherit */
#define K_HIGH_GO  12u   /* the peer is done with its phases: high may start */
#define K_MID      13u   /* the peer spins as the middle priority while this is 1 */

#define HEAVY_PAGES 20000u
#define WORK_ROUNDS UINT64_C(10000000) /* about 20 ms of guest time */
#define SPAN_MS     UINT64_C(200)
#define POLL_MS     UINT64_C(10)
#define HIGH_SLEEP_MS UINT64_C(3000)  /* longer than the peer's phases, on any scheduler */

static int failures;

static void verdict(const char *name, int ok, const char *why)
{
    if (ok) {
        printf("AKTEST PASS %s\n", name);
    } else {
        printf("AKTEST FAIL %s: %s\n", name, why);
        failures++;
    }
}

/* ---- the servers --------------------------------------------------------- */

static uint64_t words[BOARD_WORDS];

static int on_set(void *ctx, uint64_t badge, uint64_t key, uint64_t value)
{
    (void)ctx;
    (void)badge;
    if (key >= BOARD_WORDS)
        return -AK_EINVAL;
    words[key] = value;
    return 0;
}

static int on_get(void *ctx, uint64_t badge, uint64_t key, uint64_t *value)
{
    (void)ctx;
    (void)badge;
    if (key >= BOARD_WORDS)
        return -AK_EINVAL;
    *value = words[key];
    return 0;
}

static void spin(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("" : : "r"(i)); /* keeps the loop, makes no call */
}

static int on_spin(void *ctx, uint64_t badge, uint64_t n, uint64_t *done)
{
    (void)ctx;
    (void)badge;
    spin(n);
    *done = n;
    return 0;
}

static int serve_board(void)
{
    static const board_handlers_t handlers = { .set = on_set, .get = on_get };
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_BOARD, &m);
    while (badge >= 0) {
        board_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_BOARD, &m);
    }
    return 1;
}

static int serve_work(void)
{
    static const work_handlers_t handlers = { .spin = on_spin };
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_WORK, &m);
    while (badge >= 0) {
        work_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_WORK, &m);
    }
    return 1;
}

/* ---- helpers ------------------------------------------------------------- */

static uint64_t get(uint64_t key)
{
    uint64_t v = 0;
    if (board_get(SLOT_BOARD, key, &v) != 0)
        return 0;
    return v;
}

static void set(uint64_t key, uint64_t value)
{
    if (board_set(SLOT_BOARD, key, value) != 0)
        printf("fair: board_set(%lu) failed\n", (unsigned long)key);
}

/* Sleeps until board word key is not 0; returns it. */
static uint64_t await(uint64_t key)
{
    uint64_t v;
    while ((v = get(key)) == 0)
        ak_sleep(POLL_MS);
    return v;
}

static uint64_t ms_to_counter(uint64_t ms)
{
    return ak_counter_freq() * ms / 1000u;
}

/* Rounds of an empty loop made until the counter reaches end (under icount, every thread's instructions count). */
static uint64_t progress_until(uint64_t end)
{
    uint64_t rounds = 0;
    while (ak_counter() < end) {
        spin(1000);
        rounds++;
    }
    return rounds;
}

/* Rounds of an empty loop made in ms of guest time. */
static uint64_t progress(uint64_t ms)
{
    return progress_until(ak_counter() + ms_to_counter(ms));
}

/*
 * Rounds made in a span that starts when a sleep of 3 polls ends, whether
 * the thread gets the CPU then or later.
 */
static uint64_t progress_after_sleep(void)
{
    uint64_t start = ak_counter() + ms_to_counter(3 * POLL_MS);
    ak_sleep(3 * POLL_MS);
    return progress_until(start + ms_to_counter(SPAN_MS));
}

/* One heavy request of a hog; 0 or the error. */
static int heavy(const char *what)
{
    if (!strcmp(what, "work")) {
        uint64_t done = 0;
        int rc = work_spin(SLOT_WORK, WORK_ROUNDS, &done);
        return rc ? rc : done == WORK_ROUNDS ? 0 : -AK_EIO;
    }
    size_t len = (size_t)HEAVY_PAGES * 4096u;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -AK_ENOMEM;
    int rc = mprotect(p, len, PROT_READ);
    if (munmap(p, len) != 0 && rc == 0)
        rc = -AK_EIO;
    return rc;
}

/* ---- the roles ----------------------------------------------------------- */

static int hog(const char *what, uint64_t k)
{
    await(k);
    uint64_t n = 0;
    do {
        int rc = heavy(what);
        if (rc != 0) {
            printf("fair: hog %s: request %lu failed: %d\n", what, (unsigned long)n, rc);
            return 1;
        }
        n++;
    } while (get(k + 1) == 0);
    set(k + 2, n);
    return 0;
}

/* The peer's span alone, then beside the hog of word k; judged as name. */
static void fair_phase(const char *name, uint64_t k)
{
    uint64_t alone = progress(SPAN_MS);
    set(k, 1);
    uint64_t beside = progress(SPAN_MS);
    set(k + 1, 1);
    uint64_t requests = await(k + 2);
    uint64_t pct = alone ? beside * 100 / alone : 0;
    printf("fair: %s: the peer made %lu rounds alone, %lu (%lu%%) beside a hog making %lu requests "
           "in %lu ms\n", name, (unsigned long)alone, (unsigned long)beside, (unsigned long)pct,
           (unsigned long)requests, (unsigned long)SPAN_MS);
    char why[96];
    snprintf(why, sizeof why, "%lu%% of its progress alone, want at least 40%%", (unsigned long)pct);
    if (requests < 2)
        snprintf(why, sizeof why, "the hog completed no request within the span");
    verdict(name, alone > 0 && pct >= 40 && requests >= 2, why);
}

static int peer(void)
{
    fair_phase("sched-fair-vmm", K_VMM);
    fair_phase("sched-fair-echo", K_ECHO);
    set(K_HIGH_GO, 1);
    /* The middle priority of sched-fair-inherit: spins while high says so. */
    await(K_MID);
    uint64_t end = ak_counter() + ms_to_counter(2 * SPAN_MS);
    while (get(K_MID) == 1 && ak_counter() < end)
        spin(100000);
    return failures;
}

static int high(void)
{
    /* Out of the way of the fair phases: a thread of a higher priority waking at every tick would
       preempt the peer and the hogs at every tick. */
    ak_sleep(HIGH_SLEEP_MS);
    await(K_HIGH_GO);
    /* sched-fair-priority: alone, then with a vmm request of a lower hog in flight. */
    uint64_t alone = progress_after_sleep();
    set(K_PRIO, 1);
    uint64_t beside = progress_after_sleep(); /* meanwhile the hog runs, and calls the vmm */
    set(K_PRIO + 1, 1);
    uint64_t pct = alone ? beside * 100 / alone : 0;
    printf("fair: sched-fair-priority: priority 150 made %lu rounds alone, %lu (%lu%%) while the vmm "
           "served a caller of priority 100\n", (unsigned long)alone, (unsigned long)beside,
           (unsigned long)pct);
    char why[96];
    snprintf(why, sizeof why, "%lu%% of its progress alone, want at least 95%%", (unsigned long)pct);
    verdict("sched-fair-priority", alone > 0 && pct >= 95, why);
    await(K_PRIO + 2);

    /* sched-fair-inherit: the vmm serves the low hog when the peer (100) starts to spin. */
    set(K_LOW, 1);
    ak_sleep(3 * POLL_MS); /* the low hog runs (nothing else can), and calls the vmm */
    set(K_MID, 1);
    ak_sleep(3 * POLL_MS); /* the peer spins; the vmm, at the low hog's priority, waits */
    uint64_t t0 = ak_counter();
    size_t len = 4096;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED && munmap(p, len) == 0;
    uint64_t ms = (ak_counter() - t0) * 1000u / ak_counter_freq();
    set(K_MID, 2);
    set(K_LOW + 1, 1);
    printf("fair: sched-fair-inherit: a one-page mmap + munmap of priority 150 took %lu ms while the "
           "vmm served a caller of priority 50 and priority 100 spun\n", (unsigned long)ms);
    snprintf(why, sizeof why, "it took %lu ms, want under %lu", (unsigned long)ms, (unsigned long)SPAN_MS);
    verdict("sched-fair-inherit", ok && ms < SPAN_MS, ok ? why : "mmap or munmap failed");
    await(K_LOW + 2);
    return failures;
}

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "board"))
        return serve_board();
    if (!strcmp(role, "work"))
        return serve_work();
    if (!strcmp(role, "hog") && argc > 3)
        return hog(argv[2], parse(argv[3]));
    if (!strcmp(role, "peer"))
        return peer();
    if (!strcmp(role, "high"))
        return high();
    printf("fair: usage: board | work | hog vmm|work K | peer | high\n");
    return 2;
}
