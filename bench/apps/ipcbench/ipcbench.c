/*
 * IPC and syscall path lengths.  Run as "server" (replies to every call,
 * forever) and as "client" (measures).  The client reads PMCCNTR_EL0,
 * which under QEMU -icount counts guest instructions exactly, and the
 * virtual counter for host time.  It prints one line per result:
 *     BENCH benchmark,variant,metric,value,unit
 * Every run prints both the instruction count (meaningful under -icount)
 * and the host time (meaningful without it); the bench driver keeps the
 * right one from each of its two runs.  Each figure is per iteration of a loop around the operation, so it
 * includes the libakuma wrapper (a handful of instructions) and, for the
 * IPC round trip, the server's loop and reply_recv wrapper: the cost as
 * user code sees it.  The primitive is measured raw on purpose: this is
 * the kernel's IPC, not an interface.
 *
 * Slots: 1 = the endpoint (send for the client, recv for the server).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "akuma/counter.h"
#include "akuma/ipc.h"
#include "akuma/sys.h"

#define SLOT_EP 1
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

static void report(const char *bench, const char *variant, const char *metric, uint64_t total,
                   uint64_t rounds, const char *unit)
{
    /* Two decimals, in integers: the guest has no floating point. */
    uint64_t hundredths = (total * 100 + rounds / 2) / rounds;
    printf("BENCH %s,%s,%s,%lu.%02lu,%s\n", bench, variant, metric, (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100), unit);
}

static int call_rounds(unsigned words, unsigned rounds)
{
    ak_ipcbuf_t *buf = ak_ipc_buffer();
    for (unsigned i = 4; i < words; i++)
        buf->words[i] = i;
    for (unsigned i = 0; i < rounds; i++) {
        ak_msg_t m = { ak_msginfo(1, words), { 1, 2, 3, 4 } };
        int64_t r = ak_ipc_call(SLOT_EP, &m);
        if (r < 0 || ak_msginfo_len(m.info) != words || m.w[3] != 4) {
            printf("ipcbench: call %u failed: %ld\n", i, (long)r);
            return -1;
        }
    }
    return 0;
}

static int measure_call(const char *variant, unsigned words)
{
    if (call_rounds(words, WARMUP))
        return -1;
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    if (call_rounds(words, ROUNDS))
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
    measure_syscall("null", ak_sys_null);
    measure_syscall("yield", ak_yield);
    if (measure_call("call-4w", 4) || measure_call("call-32w", 32))
        return 1;
    return 0;
}
