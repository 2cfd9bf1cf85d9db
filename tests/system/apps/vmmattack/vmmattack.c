/*
 * Attacks on a real vmm (issue 15), run against every vmm: a process
 * tries to reach another's memory through the vmm, to pass for the kernel
 * or for another process, and sends raw malformed messages; the vmm must
 * answer each with an error and go on serving everyone.  Roles, by first
 * argument:
 *
 *   victim    keeps a secret page at VICTIM_VA and checks it between
 *             yields while the attacker (same priority) runs:
 *             vmm-attack-victim-intact
 *   attacker  vmm-attack-unmap-other (munmap, mprotect of the victim's
 *             address act on its own space only), vmm-attack-name-other
 *             (MAP_FIXED there gives it a fresh zero page, never the
 *             victim's), vmm-attack-forged-kmsg (START, FAULT, EXIT sent
 *             as a client, for every pid), vmm-attack-malformed (unknown
 *             labels, wrong lengths, reserved bits, lengths and addresses
 *             that wrap past 2^64), vmm-attack-still-served
 *   reader, writer  touch VICTIM_VA in their own space: killed
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/vmm_client.h>
#include <idl/vmm_types.h>

#define PAGE      ((size_t)4096)
#define VICTIM_VA UINT64_C(0x20000000)
#define SECRET    UINT64_C(0x5EC2E75EC2E75EC2)
#define ROUNDS    3000
#define RW        (PROT_READ | PROT_WRITE)
#define ANON      (MAP_PRIVATE | MAP_ANONYMOUS)

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

static volatile uint64_t *victim_page(void)
{
    return (volatile uint64_t *)(uintptr_t)VICTIM_VA;
}

static int victim(void)
{
    void *p = mmap((void *)(uintptr_t)VICTIM_VA, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) {
        verdict("vmm-attack-victim-intact", 0, "cannot map the secret page");
        return 1;
    }
    volatile uint64_t *w = victim_page();
    for (unsigned i = 0; i < PAGE / 8; i++)
        w[i] = SECRET ^ i;
    int ok = 1;
    for (unsigned r = 0; r < ROUNDS && ok; r++) {
        ak_yield();
        for (unsigned i = 0; i < PAGE / 8 && ok; i++)
            ok = w[i] == (SECRET ^ i);
        /* It is still served: a page of its own, zeroed. */
        if (ok && r % 100 == 0) {
            char *q = mmap(NULL, PAGE, RW, ANON, -1, 0);
            ok = q != MAP_FAILED && q[0] == 0 && munmap(q, PAGE) == 0;
        }
    }
    verdict("vmm-attack-victim-intact", ok, "the secret page changed or the vmm stopped serving it");
    return failures;
}

/* A raw call on the vmm's endpoint: the reply's label (its result), or the kernel's negative error. */
static int64_t raw(uint64_t label, uint64_t len, const uint64_t *words, uint64_t extra_info)
{
    ak_msg_t m = { ak_msginfo(label, len) | extra_info, { 0 } };
    ak_ipcbuf_t *buf = ak_ipc_buffer();
    for (uint64_t i = 0; i < len; i++) {
        if (i < AK_MSG_REG_WORDS)
            m.w[i] = words ? words[i] : 0;
        else
            buf->words[i] = words ? words[i] : 0;
    }
    int64_t rc = ak_ipc_call(AK_SLOT_VMM, &m);
    return rc < 0 ? rc : (int64_t)ak_msginfo_label(m.info);
}

static void expect_label(int *ok, const char *what, int64_t got, int64_t want)
{
    if (got != want) {
        printf("vmmattack: %s answered %ld, want %ld\n", what, (long)got, (long)want);
        *ok = 0;
    }
}

static int attacker(void)
{
    ak_yield(); /* the victim maps its page first */
    /* Its own space has nothing at the victim's address. */
    int ok = munmap((void *)(uintptr_t)VICTIM_VA, PAGE) == 0;
    errno = 0;
    ok = ok && mprotect((void *)(uintptr_t)VICTIM_VA, PAGE, PROT_NONE) == -1 && errno == ENOMEM;
    verdict("vmm-attack-unmap-other", ok, "munmap or mprotect of another's address did not act on its own space");

    volatile uint64_t *w = mmap((void *)(uintptr_t)VICTIM_VA, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    ok = (uint64_t)(uintptr_t)w == VICTIM_VA;
    for (unsigned i = 0; ok && i < PAGE / 8; i++)
        ok = w[i] == 0;
    if (ok)
        w[0] = 0xBAD;
    ok = ok && mmap((void *)(uintptr_t)VICTIM_VA, PAGE, RW, ANON | MAP_FIXED, -1, 0) == (void *)(uintptr_t)VICTIM_VA &&
         w[0] == 0;
    munmap((void *)(uintptr_t)VICTIM_VA, PAGE);
    verdict("vmm-attack-name-other", ok, "mapping at another's address did not give a fresh zero page");

    ok = 1;
    for (uint64_t pid = 0; pid <= 32; pid++) {
        uint64_t start[1] = { pid }, exit_w[2] = { pid, 0 }, fault[4] = { VICTIM_VA, 0x92000047, 0x400000, 2 };
        expect_label(&ok, "a START from a client", raw(AK_PAGER_START, AK_PAGER_START_WORDS, start, 0), AK_EPERM);
        expect_label(&ok, "an EXIT from a client", raw(AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS, exit_w, 0), AK_EPERM);
        expect_label(&ok, "a FAULT from a client", raw(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS, fault, 0), AK_EPERM);
    }
    verdict("vmm-attack-forged-kmsg", ok, "a client passed for the kernel");

    ok = 1;
    static const uint64_t unknown[] = { 0, 10, 11, 0xFFF, 0xA0000, 0xA0004, AK_MSGINFO_LABEL_MAX };
    for (unsigned i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        expect_label(&ok, "an unknown label", raw(unknown[i], 0, NULL, 0), AK_ENOSYS);
    uint64_t mm[8] = { 0, PAGE, RW, ANON, 0, 0, 0, 0 };
    expect_label(&ok, "mmap of 3 words", raw(VMM_LABEL_MMAP, 3, mm, 0), AK_EBADMSG);
    expect_label(&ok, "adopt of 3 words", raw(VMM_LABEL_ADOPT, 3, mm, 0), AK_EBADMSG);
    expect_label(&ok, "mmap of 5 words", raw(VMM_LABEL_MMAP, 5, mm, 0), AK_EBADMSG);
    expect_label(&ok, "munmap of 64 words", raw(VMM_LABEL_MUNMAP, 64, NULL, 0), AK_EBADMSG);
    expect_label(&ok, "stats of 1 word", raw(VMM_LABEL_STATS, 1, mm, 0), AK_EBADMSG);
    uint64_t prot_big[3] = { VICTIM_VA, PAGE, UINT64_C(1) << 32 };
    expect_label(&ok, "mprotect with prot past 32 bits", raw(VMM_LABEL_MPROTECT, 3, prot_big, 0), AK_EBADMSG);
    for (unsigned bit = 7; bit <= 11; bit++)
        expect_label(&ok, "reserved info bits", raw(VMM_LABEL_MMAP, 4, mm, UINT64_C(1) << bit), -AK_EINVAL);
    /* Lengths and addresses that wrap past 2^64. */
    const uint64_t top = UINT64_MAX - PAGE + 1;
    uint64_t w1[4] = { 0, UINT64_MAX, RW, ANON }, w2[4] = { 0, UINT64_MAX - PAGE + 2, RW, ANON };
    uint64_t w3[4] = { top, 2 * PAGE, RW, ANON | MAP_FIXED };
    expect_label(&ok, "mmap of 2^64-1 bytes", raw(VMM_LABEL_MMAP, 4, w1, 0), AK_EINVAL);
    expect_label(&ok, "mmap of 2^64-4094 bytes", raw(VMM_LABEL_MMAP, 4, w2, 0), AK_EINVAL);
    expect_label(&ok, "MAP_FIXED wrapping past 2^64", raw(VMM_LABEL_MMAP, 4, w3, 0), AK_EINVAL);
    uint64_t u1[2] = { top, 2 * PAGE }, u2[2] = { VICTIM_VA, UINT64_MAX - PAGE + 1 };
    expect_label(&ok, "munmap wrapping past 2^64", raw(VMM_LABEL_MUNMAP, 2, u1, 0), AK_EINVAL);
    expect_label(&ok, "munmap of 2^64-4095 bytes", raw(VMM_LABEL_MUNMAP, 2, u2, 0), AK_EINVAL);
    uint64_t p1[3] = { top, 2 * PAGE, PROT_READ }, p2[3] = { VICTIM_VA, UINT64_MAX, PROT_READ };
    expect_label(&ok, "mprotect wrapping past 2^64", raw(VMM_LABEL_MPROTECT, 3, p1, 0), AK_EINVAL);
    expect_label(&ok, "mprotect of 2^64-1 bytes", raw(VMM_LABEL_MPROTECT, 3, p2, 0), AK_EINVAL);
    uint64_t inj[1] = { 1 };
    expect_label(&ok, "inject without the vmm's consent", raw(VMM_LABEL_INJECT, 1, inj, 0), AK_EPERM);
    verdict("vmm-attack-malformed", ok, "a malformed message was not refused as documented (see above)");

    char *p = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
    ok = p != MAP_FAILED && p[0] == 0;
    if (ok)
        p[3 * PAGE] = 1;
    ok = ok && munmap(p, 4 * PAGE) == 0;
    verdict("vmm-attack-still-served", ok, "the vmm stopped serving the attacker after its attacks");
    return failures;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "attacker";
    if (!strcmp(role, "victim"))
        return victim();
    if (!strcmp(role, "reader")) {
        printf("vmmattack: reading 0x%lx, mapped only in another process\n", (unsigned long)VICTIM_VA);
        return (int)victim_page()[0];
    }
    if (!strcmp(role, "writer")) {
        printf("vmmattack: writing 0x%lx, mapped only in another process\n", (unsigned long)VICTIM_VA);
        victim_page()[0] = 0;
        return 0;
    }
    return attacker();
}
