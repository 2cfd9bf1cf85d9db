/*
 * What the kernel's IPC must not carry, tested with the raw primitive
 * (the generated stubs would hide it):
 *
 *   ipc-no-extra-words  a message of 0 words leaves the receiver's own
 *                       x2..x5 as they were, whatever the sender had there;
 *                       the same for a reply
 *   ipc-tls-private     the user thread pointer (TPIDR_EL0) is each
 *                       thread's own: a peer never sees another's, on the
 *                       fastpath (a short call) or the slow path (a long one)
 *   ipc-server-gone     a caller whose server ends without replying gets a
 *                       reply with label AK_ESRCH instead of waiting for ever
 *   ipc-recv-busy       a server holding an unanswered caller may not take
 *                       another message (-AK_EBUSY)
 *
 * Roles (first argument): "server" answers; "quitter" receives one call
 * and exits without replying; "client" runs the tests.  Slot 1: the
 * server's endpoint; slot 2 (client): the quitter's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/ipc.h>

#define SLOT_SERVER  1
#define SLOT_QUITTER 2
#define MINE(i)   (UINT64_C(0x5E1F000000000000) | (i))
#define THEIRS(i) (UINT64_C(0xC11E000000000000) | (i))
#define TLS_CLIENT UINT64_C(0x7357C0DE)

static uint64_t tls_read(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
    return v;
}

static void tls_write(uint64_t v)
{
    __asm__ volatile("msr tpidr_el0, %0" : : "r"(v));
}

/* Receives with its own markers in the words; reports what arrived in reply words. */
static int serve(void)
{
    ak_msg_t m = { 0, { MINE(0), MINE(1), MINE(2), MINE(3) } };
    int64_t badge = ak_ipc_recv(SLOT_SERVER, &m);
    while (badge >= 0) {
        /* Reply: word 0 = how many of my markers survived, word 1 = my TLS. */
        uint64_t kept = 0;
        for (unsigned i = 0; i < 4; i++)
            kept += m.w[i] == MINE(i);
        uint64_t tls = tls_read();
        m = (ak_msg_t){ ak_msginfo(0, 2), { kept, tls, MINE(2), MINE(3) } };
        badge = ak_ipc_reply_recv(SLOT_SERVER, &m);
        /* The next request arrives in m: put my markers back beyond its length. */
        for (uint64_t i = ak_msginfo_len(m.info); i < 4; i++)
            m.w[i] = MINE(i);
    }
    return 1;
}

static int quit(void)
{
    ak_msg_t m = { 0 };
    ak_ipc_recv(SLOT_SERVER, &m);
    /* Holding a caller, it may not take another message. */
    int64_t r = ak_ipc_recv(SLOT_SERVER, &m);
    if (r == -AK_EBUSY)
        printf("AKTEST PASS ipc-recv-busy\n");
    else
        printf("AKTEST FAIL ipc-recv-busy: recv while holding a caller returned %ld\n", (long)r);
    return 0; /* ends holding the caller */
}

static int client(void)
{
    int failures = 0;
    tls_write(TLS_CLIENT);
    /* A 0-word call carrying values in x2..x5 it does not send. */
    ak_msg_t m = { ak_msginfo(7, 0), { THEIRS(0), THEIRS(1), THEIRS(2), THEIRS(3) } };
    int64_t r = ak_ipc_call(SLOT_SERVER, &m);
    uint64_t len = ak_msginfo_len(m.info);
    if (r != 0 || len != 2 || m.w[0] != 4 || m.w[2] != THEIRS(2) || m.w[3] != THEIRS(3)) {
        /* w[2], w[3]: beyond the 2-word reply they must still hold what this client had. */
        printf("AKTEST FAIL ipc-no-extra-words: call %ld, reply of %lu words, server kept %lu "
               "of its 4 words, client words 2,3 = 0x%lx 0x%lx\n",
               (long)r, (unsigned long)len, (unsigned long)m.w[0], (unsigned long)m.w[2],
               (unsigned long)m.w[3]);
        failures++;
    } else {
        printf("AKTEST PASS ipc-no-extra-words\n");
    }
    uint64_t seen_short = m.w[1];
    /* A 6-word call takes the slow path (words 4 and 5 through the IPC buffer). */
    ak_ipc_buffer()->words[4] = THEIRS(4);
    ak_ipc_buffer()->words[5] = THEIRS(5);
    ak_msg_t l = { ak_msginfo(7, 6), { THEIRS(0), THEIRS(1), THEIRS(2), THEIRS(3) } };
    int64_t rl = ak_ipc_call(SLOT_SERVER, &l);
    if (r != 0 || rl != 0 || seen_short != 0 || l.w[1] != 0 || tls_read() != TLS_CLIENT) {
        printf("AKTEST FAIL ipc-tls-private: the server saw TPIDR_EL0 = 0x%lx (short call), 0x%lx "
               "(long call), mine is now 0x%lx\n",
               (unsigned long)seen_short, (unsigned long)l.w[1], (unsigned long)tls_read());
        failures++;
    } else {
        printf("AKTEST PASS ipc-tls-private\n");
    }
    m = (ak_msg_t){ ak_msginfo(1, 0), { 0 } };
    r = ak_ipc_call(SLOT_QUITTER, &m);
    if (r != 0 || ak_msginfo_label(m.info) != AK_ESRCH) {
        printf("AKTEST FAIL ipc-server-gone: call returned %ld with label %lu\n", (long)r,
               (unsigned long)ak_msginfo_label(m.info));
        failures++;
    } else {
        printf("AKTEST PASS ipc-server-gone\n");
    }
    return failures;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "server"))
        return serve();
    if (!strcmp(role, "quitter"))
        return quit();
    return client();
}
