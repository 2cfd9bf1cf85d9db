/*
 * The ipc-sched test (tests/system/idl/sequence.idl), in three roles:
 *
 *   server   records events in arrival order (the highest priority, so
 *            every report is recorded the moment it is made)
 *   spin     reports START, spins a fixed number of iterations without a
 *            system call, reports END; only the timer can take the CPU
 *            from it, and only for a thread of its own or a higher priority
 *   check    runs at the lowest priority, so only once every spinner has
 *            ended, and judges the recorded order
 *
 * Judgements, from the spinners' badges (argument: the badge of the one
 * of the higher priority, then of the two of the lower one):
 *   ipc-priority   the high one's START and END come before anything of
 *                  the others, though it was started last
 *   ipc-preempt    the two of one priority both START before either ENDs:
 *                  the tick shared the CPU between them
 *
 * Slot 1: the sequence endpoint (recv for the server, send for the rest).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/ipc.h>
#include <idl/sequence_client.h>
#include <idl/sequence_server.h>

#define SLOT_SEQ   1
#define EV_START   1
#define EV_END     2
#define MAX_EVENTS 16
/* Long enough to span many 20 ms time slices under QEMU. */
#define SPIN_ITERATIONS UINT64_C(100000000)

static struct {
    uint64_t what, sender;
} events[MAX_EVENTS];
static uint64_t nevents;

static int on_mark(void *ctx, uint64_t badge, uint64_t what)
{
    (void)ctx;
    if (nevents == MAX_EVENTS)
        return -AK_ENOSPC;
    events[nevents].what = what;
    events[nevents].sender = badge;
    nevents++;
    return 0;
}

static int on_event(void *ctx, uint64_t badge, uint64_t n, uint64_t *what, uint64_t *sender)
{
    (void)ctx;
    (void)badge;
    if (n >= nevents)
        return -AK_ENOENT;
    *what = events[n].what;
    *sender = events[n].sender;
    return 0;
}

static int serve(void)
{
    static const sequence_handlers_t handlers = { .mark = on_mark, .event = on_event };
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_SEQ, &m);
    while (badge >= 0) {
        sequence_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_SEQ, &m);
    }
    return 1;
}

static int spin(void)
{
    if (sequence_mark(SLOT_SEQ, EV_START) != 0)
        return 1;
    for (uint64_t i = 0; i < SPIN_ITERATIONS; i++)
        __asm__ volatile("" : : "r"(i)); /* keeps the loop, makes no call */
    return sequence_mark(SLOT_SEQ, EV_END) != 0;
}

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    if (s[0] == '0' && s[1] == 'x') {
        for (s += 2; *s; s++)
            v = v * 16 + (uint64_t)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
        return v;
    }
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* Position of sender's event what in the recorded order, or -1. */
static int position(uint64_t sender, uint64_t what, uint64_t n, const uint64_t *w, const uint64_t *s)
{
    for (uint64_t i = 0; i < n; i++)
        if (w[i] == what && s[i] == sender)
            return (int)i;
    return -1;
}

static int check(uint64_t hi, uint64_t a, uint64_t b)
{
    uint64_t w[MAX_EVENTS], s[MAX_EVENTS], n = 0;
    while (n < MAX_EVENTS && sequence_event(SLOT_SEQ, n, &w[n], &s[n]) == 0)
        n++;
    printf("sequence:");
    for (uint64_t i = 0; i < n; i++)
        printf(" %s:0x%lx", w[i] == EV_START ? "start" : "end", (unsigned long)s[i]);
    printf("\n");
    int hs = position(hi, EV_START, n, w, s), he = position(hi, EV_END, n, w, s);
    int as = position(a, EV_START, n, w, s), ae = position(a, EV_END, n, w, s);
    int bs = position(b, EV_START, n, w, s), be = position(b, EV_END, n, w, s);
    int failures = 0;
    if (n != 6 || hs < 0 || he < 0 || as < 0 || ae < 0 || bs < 0 || be < 0) {
        printf("AKTEST FAIL ipc-priority: %lu events recorded, want 6\n", (unsigned long)n);
        printf("AKTEST FAIL ipc-preempt: %lu events recorded, want 6\n", (unsigned long)n);
        return 2;
    }
    if (hs == 0 && he == 1) {
        printf("AKTEST PASS ipc-priority\n");
    } else {
        printf("AKTEST FAIL ipc-priority: the high-priority spinner started at %d, ended at %d\n", hs, he);
        failures++;
    }
    if (as < ae && bs < be && as < be && bs < ae) {
        printf("AKTEST PASS ipc-preempt\n");
    } else {
        printf("AKTEST FAIL ipc-preempt: one spinner ran to its end before the other started\n");
        failures++;
    }
    return failures;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "server"))
        return serve();
    if (!strcmp(role, "spin"))
        return spin();
    if (!strcmp(role, "check") && argc > 4)
        return check(parse(argv[2]), parse(argv[3]), parse(argv[4]));
    printf("sequence: usage: server | spin | check HI A B\n");
    return 2;
}
