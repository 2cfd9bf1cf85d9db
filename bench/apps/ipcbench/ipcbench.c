/*
 * IPC and syscall path lengths.  Run as "server" (echoes every message
 * with the raw IPC primitive, forever), "idlserver" (serves
 * bench/idl/echo.idl through its generated dispatch) and "client"
 * (measures both).  The client reads PMCCNTR_EL0,
 * which under QEMU -icount counts guest instructions exactly, and the
 * virtual counter for host time.  It prints one line per result:
 *     BENCH benchmark,variant,metric,value,unit
 * Every run prints both the instruction count (meaningful under -icount)
 * and the host time (meaningful without it); the bench driver keeps the
 * right one from each of its two runs.  Each figure is per iteration of
 * a loop around the operation, so it
 * includes the libakuma wrapper (a handful of instructions) and, for the
 * IPC round trip, the server's loop and reply_recv wrapper: the cost as
 * user code sees it.  The ipc rows use the primitive raw on purpose, to
 * measure the kernel's IPC; the idl row measures the same round trip
 * through the generated stub and dispatch, which is what an interface
 * call costs.
 *
 * "replycap" serves slot 3 by keeping each call in a reply capability
 * and answering through it (save_reply, reply_to, then recv): the row
 * ipc,call-4w-reply-cap, a call answered later, as a server holding many
 * callers answers each.
 *
 * Slots: 1 = the raw endpoint, 2 = the echo endpoint, 3 = the reply-cap
 * endpoint (send for the client, recv for the servers).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/counter.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/echo_client.h>
#include <idl/echo_server.h>

#define SLOT_EP   1
#define SLOT_ECHO 2
#define SLOT_RC   3
#define SLOT_REPLY 20  /* where the replycap server keeps the reply capability */
#define WARMUP  100
#define ROUNDS  10000

static int serve(void)
{
    ak_msg_t m = { 0 };
    int64_t r = ak_ipc_recv(SLOT_EP, &m);
    for (;;) {
        if (r < 0) {
            printf("ipcbench server: receive failed: %ld\n", (long)r);
            return 1;
        }
        /* Echo the request: same label and length, words 4+ stay in the buffer. */
        r = ak_ipc_reply_recv(SLOT_EP, &m);
    }
}

static int serve_reply_cap(void)
{
    ak_msg_t m = { 0 };
    for (;;) {
        int64_t r = ak_ipc_recv(SLOT_RC, &m);
        if (r >= 0)
            r = ak_save_reply(SLOT_REPLY);
        if (r >= 0)
            r = ak_reply_to(SLOT_REPLY, &m); /* echo: same label, length and words */
        if (r < 0) {
            printf("ipcbench replycap: failed: %ld\n", (long)r);
            return 1;
        }
    }
}

static int on_echo4(void *ctx, uint64_t badge, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                    uint64_t *ra, uint64_t *rb, uint64_t *rc, uint64_t *rd)
{
    (void)ctx;
    (void)badge;
    *ra = a;
    *rb = b;
    *rc = c;
    *rd = d;
    return 0;
}

static int serve_idl(void)
{
    static const echo_handlers_t handlers = { .echo4 = on_echo4 };
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_ECHO, &m);
    while (badge >= 0) {
        echo_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_ECHO, &m);
    }
    printf("ipcbench idlserver: receive failed: %ld\n", (long)badge);
    return 1;
}

static void report(const char *bench, const char *variant, const char *metric, uint64_t total,
                   uint64_t rounds, const char *unit)
{
    /* Two decimals, in integers: the guest has no floating point. */
    uint64_t hundredths = (total * 100 + rounds / 2) / rounds;
    printf("BENCH %s,%s,%s,%lu.%02lu,%s\n", bench, variant, metric, (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100), unit);
}

static int call_rounds_on(uint64_t slot, unsigned words, unsigned rounds)
{
    ak_ipcbuf_t *buf = ak_ipc_buffer();
    for (unsigned i = 4; i < words; i++)
        buf->words[i] = i;
    for (unsigned i = 0; i < rounds; i++) {
        ak_msg_t m = { ak_msginfo(1, words), { 1, 2, 3, 4 } };
        int64_t r = ak_ipc_call(slot, &m);
        if (r < 0 || ak_msginfo_len(m.info) != words || m.w[3] != 4) {
            printf("ipcbench: call %u failed: %ld\n", i, (long)r);
            return -1;
        }
    }
    return 0;
}

static int measure_call(const char *variant, uint64_t slot, unsigned words)
{
    if (call_rounds_on(slot, words, WARMUP))
        return -1;
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    if (call_rounds_on(slot, words, ROUNDS))
        return -1;
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    report("ipc", variant, "instructions", i1 - i0, ROUNDS, "guest instructions");
    report("ipc", variant, "ns", (t1 - t0) * 1000000000u / ak_counter_freq(), ROUNDS, "host ns");
    return 0;
}

/*
 * A syscall in a loop: null is answered in the exception vector (the trap
 * alone); yield, with nothing else to run, goes through the full entry,
 * the C dispatch and the scheduler (the general path).
 */
static int idl_rounds(unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++) {
        uint64_t a, b, c, d;
        int r = echo_echo4(SLOT_ECHO, i, 2, 3, 4, &a, &b, &c, &d);
        if (r != 0 || a != i || d != 4) {
            printf("ipcbench: echo4 %u failed: %d\n", i, r);
            return -1;
        }
    }
    return 0;
}

static int measure_idl(void)
{
    if (idl_rounds(WARMUP))
        return -1;
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    if (idl_rounds(ROUNDS))
        return -1;
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    report("ipc", "idl-call-4w", "instructions", i1 - i0, ROUNDS, "guest instructions");
    report("ipc", "idl-call-4w", "ns", (t1 - t0) * 1000000000u / ak_counter_freq(), ROUNDS, "host ns");
    return 0;
}

static void measure_syscall(const char *variant, int64_t (*sys)(void))
{
    for (unsigned i = 0; i < WARMUP; i++)
        sys();
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    for (unsigned i = 0; i < ROUNDS; i++)
        sys();
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    report("syscall", variant, "instructions", i1 - i0, ROUNDS, "guest instructions");
    report("syscall", variant, "ns", (t1 - t0) * 1000000000u / ak_counter_freq(), ROUNDS, "host ns");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "server"))
        return serve();
    if (argc > 1 && !strcmp(argv[1], "idlserver"))
        return serve_idl();
    if (argc > 1 && !strcmp(argv[1], "replycap"))
        return serve_reply_cap();
    measure_syscall("null", ak_sys_null);
    measure_syscall("yield", ak_yield);
    if (measure_call("call-4w", SLOT_EP, 4) || measure_call("call-32w", SLOT_EP, 32) || measure_idl() ||
        measure_call("call-4w-reply-cap", SLOT_RC, 4))
        return 1;
    return 0;
}
