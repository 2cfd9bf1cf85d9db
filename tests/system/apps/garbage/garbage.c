/*
 * Sends the kernel garbage and checks every answer: invalid system call
 * numbers, slots out of range or holding the wrong kind of capability or
 * lacking the right, malformed message info, kernel addresses where a
 * slot or length goes, huge console lengths, malformed invocations of
 * an address space and well-formed ones naming kernel or unaligned
 * addresses.  Then checks the kernel still works.  Expects in its slots (see the image's manifest):
 *   1: an endpoint with the send right only
 *   2: an endpoint with the receive right only
 *   3: an address space (not an endpoint)
 */
#include <stdint.h>
#include <stdio.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/syscall.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>
#include <idl/kernel_types.h>

#define SLOT_SEND_ONLY 1
#define SLOT_RECV_ONLY 2
#define SLOT_ASPACE    3
#define KERNEL_ADDR    UINT64_C(0xFFFFFF8040100000)

static int failures;

static void expect_eq(const char *test, const char *what, int64_t got, int64_t want)
{
    if (got != want) {
        printf("AKTEST FAIL %s: %s returned %ld, want %ld\n", test, what, (long)got, (long)want);
        failures++;
    }
}

static void test_bad_numbers(void)
{
    int before = failures;
    const uint64_t numbers[] = { AK_SYS_COUNT, AK_SYS_COUNT + 1, 100, 0xFFFF, UINT64_C(1) << 32, UINT64_MAX,
                                 KERNEL_ADDR };
    for (unsigned i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        expect_eq("ipc-garbage-numbers", "unknown syscall", ak_sys_raw(0, 0, 0, 0, 0, 0, numbers[i]),
                  -AK_ENOSYS);
    if (failures == before)
        printf("AKTEST PASS ipc-garbage-numbers\n");
}

static void test_bad_slots(void)
{
    int before = failures;
    const uint64_t slots[] = { 0, 7, AK_CAP_SLOTS, AK_CAP_SLOTS + 1, UINT64_MAX, KERNEL_ADDR,
                               UINT64_C(1) << 63 };
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        uint64_t s = slots[i];
        expect_eq("ipc-cap-errors", "call on an empty slot", ak_sys_raw(s, 0, 0, 0, 0, 0, AK_SYS_CALL), -AK_EBADF);
        expect_eq("ipc-cap-errors", "send on an empty slot", ak_sys_raw(s, 0, 0, 0, 0, 0, AK_SYS_SEND), -AK_EBADF);
        expect_eq("ipc-cap-errors", "recv on an empty slot", ak_sys_raw(s, 0, 0, 0, 0, 0, AK_SYS_RECV), -AK_EBADF);
        expect_eq("ipc-cap-errors", "reply_recv on an empty slot",
                  ak_sys_raw(s, 0, 0, 0, 0, 0, AK_SYS_REPLY_RECV), -AK_EBADF);
    }
    /* An endpoint operation on another kind of capability. */
    expect_eq("ipc-cap-errors", "send on an address space",
              ak_sys_raw(SLOT_ASPACE, 0, 0, 0, 0, 0, AK_SYS_SEND), -AK_ENOTSUP);
    expect_eq("ipc-cap-errors", "recv on an address space",
              ak_sys_raw(SLOT_ASPACE, 0, 0, 0, 0, 0, AK_SYS_RECV), -AK_ENOTSUP);
    expect_eq("ipc-cap-errors", "reply_recv on an address space",
              ak_sys_raw(SLOT_ASPACE, 0, 0, 0, 0, 0, AK_SYS_REPLY_RECV), -AK_ENOTSUP);
    /* The right kind, without the right. */
    expect_eq("ipc-cap-errors", "recv on a send-only endpoint",
              ak_sys_raw(SLOT_SEND_ONLY, 0, 0, 0, 0, 0, AK_SYS_RECV), -AK_EPERM);
    expect_eq("ipc-cap-errors", "call on a receive-only endpoint",
              ak_sys_raw(SLOT_RECV_ONLY, 0, 0, 0, 0, 0, AK_SYS_CALL), -AK_EPERM);
    expect_eq("ipc-cap-errors", "send on a receive-only endpoint",
              ak_sys_raw(SLOT_RECV_ONLY, 0, 0, 0, 0, 0, AK_SYS_SEND), -AK_EPERM);
    if (failures == before)
        printf("AKTEST PASS ipc-cap-errors\n");
}

static void test_bad_info(void)
{
    int before = failures;
    /* Reserved bits [11:7] set, and lengths beyond 64 words. */
    const uint64_t bad_reserved[] = { ak_msginfo(1, 0) | 0x80, ak_msginfo(1, 2) | 0xF80 };
    for (unsigned i = 0; i < 2; i++)
        expect_eq("ipc-garbage-info", "call with reserved bits",
                  ak_sys_raw(SLOT_SEND_ONLY, bad_reserved[i], 0, 0, 0, 0, AK_SYS_CALL), -AK_EINVAL);
    const uint64_t too_long[] = { ak_msginfo(1, 65), ak_msginfo(1, 127) };
    for (unsigned i = 0; i < 2; i++)
        expect_eq("ipc-garbage-info", "call with a length over 64",
                  ak_sys_raw(SLOT_SEND_ONLY, too_long[i], 0, 0, 0, 0, AK_SYS_CALL), -AK_EMSGSIZE);
    if (failures == before)
        printf("AKTEST PASS ipc-garbage-info\n");
}

/*
 * Invocations of an address space built by hand: the kernel's generated
 * dispatch refuses a malformed one with a reply of no words, whichever
 * path brings it (the fastpath takes a call of at most 4 words with clean
 * info, the general path the rest), and serves a well-formed one.
 */
static void test_bad_invocations(void)
{
    int before = failures;
    const struct {
        const char *what;
        uint64_t info;
        uint64_t label;  /* the reply's */
    } bad[] = {
        { "a query of 2 words", ak_msginfo(ASPACE_LABEL_QUERY, 2), AK_EBADMSG },
        { "a query of 5 words", ak_msginfo(ASPACE_LABEL_QUERY, 5), AK_EBADMSG },
        { "a query with reserved bits", ak_msginfo(ASPACE_LABEL_QUERY, 1) | 0x80, AK_EBADMSG },
        { "a query of 65 words", ak_msginfo(ASPACE_LABEL_QUERY, 65), AK_EBADMSG },
        { "an unknown method", ak_msginfo(99, 1), AK_ENOSYS },
        { "an unknown method of 6 words", ak_msginfo(99, 6), AK_ENOSYS },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ak_msg_t m = { bad[i].info, { AK_IPCBUF_VA, 0, 0, 0 } };
        int64_t r = ak_ipc_call(SLOT_ASPACE, &m);
        if (r != 0 || ak_msginfo_label(m.info) != bad[i].label || ak_msginfo_len(m.info) != 0) {
            printf("AKTEST FAIL ipc-garbage-invoke: %s returned %ld, label %lu, %lu words; "
                   "want 0, label %lu, no words\n", bad[i].what, (long)r,
                   (unsigned long)ak_msginfo_label(m.info), (unsigned long)ak_msginfo_len(m.info),
                   (unsigned long)bad[i].label);
            failures++;
        }
    }
    ak_msg_t q = { ak_msginfo(ASPACE_LABEL_QUERY, 1), { AK_IPCBUF_VA, 0, 0, 0 } };
    int64_t r = ak_ipc_call(SLOT_ASPACE, &q);
    if (r != 0 || ak_msginfo_label(q.info) != 0 || ak_msginfo_len(q.info) != ASPACE_QUERY_REP_WORDS) {
        printf("AKTEST FAIL ipc-garbage-invoke: a query of the IPC buffer returned %ld, label %lu\n",
               (long)r, (unsigned long)ak_msginfo_label(q.info));
        failures++;
    }
    if (failures == before)
        printf("AKTEST PASS ipc-garbage-invoke\n");
}

/*
 * Well-formed invocations whose addresses are wrong: a kernel (high-half)
 * va, an unaligned va or pa, a pa beyond the physical address space.  The
 * kernel checks every one before it touches a table: each is AK_EINVAL,
 * where a map that got past the checks would be AK_EPERM (last case).
 */
static void test_bad_addresses(void)
{
    int before = failures;
    const char *t = "ipc-garbage-addresses";
    const uint64_t as = SLOT_ASPACE, k = KERNEL_ADDR, m = AK_USER_MMAP_MIN;
    const uint64_t ram = UINT64_C(0x40000000); /* the start of the virt board's RAM */
    const uint64_t va_end = AK_USER_VA_END;
    const uint32_t ro = AK_PROT_READ;
    uint8_t level = 0;
    uint64_t va = 0, pa = 0;
    uint32_t prot = 0;
    expect_eq(t, "map at a kernel va", aspace_map(as, k, ram, ro, &level, &va), -AK_EINVAL);
    expect_eq(t, "map at an unaligned va", aspace_map(as, m + 8, ram, ro, &level, &va), -AK_EINVAL);
    expect_eq(t, "map of an unaligned pa", aspace_map(as, m, ram + 8, ro, &level, &va), -AK_EINVAL);
    expect_eq(t, "map of a pa past 2^48", aspace_map(as, m, UINT64_C(1) << 50, ro, &level, &va),
              -AK_EINVAL);
    expect_eq(t, "map of a kernel va as pa", aspace_map(as, m, k, ro, &level, &va), -AK_EINVAL);
    expect_eq(t, "query of a kernel va", aspace_query(as, k, &pa, &prot), -AK_EINVAL);
    expect_eq(t, "query of 2^39", aspace_query(as, va_end, &pa, &prot), -AK_EINVAL);
    expect_eq(t, "unmap at a kernel va", aspace_unmap(as, k, 1), -AK_EINVAL);
    expect_eq(t, "unmap at an unaligned va", aspace_unmap(as, m + 1, 1), -AK_EINVAL);
    expect_eq(t, "unmap running past 2^39", aspace_unmap(as, m, va_end >> AK_PAGE_SHIFT), -AK_EINVAL);
    expect_eq(t, "unmap of UINT64_MAX pages", aspace_unmap(as, m, UINT64_MAX), -AK_EINVAL);
    expect_eq(t, "protect at a kernel va", aspace_protect(as, k, 1, ro), -AK_EINVAL);
    expect_eq(t, "table at a kernel va", aspace_table(as, k, 3, ram), -AK_EINVAL);
    expect_eq(t, "table of an unaligned pa", aspace_table(as, m, 3, ram + 16), -AK_EINVAL);
    expect_eq(t, "table of level 1", aspace_table(as, m, 1, ram), -AK_EINVAL);
    expect_eq(t, "take at a kernel va", aspace_take(as, k, &pa), -AK_EINVAL);
    expect_eq(t, "take at an unaligned va", aspace_take(as, m + 4, &pa), -AK_EINVAL);
    /* Well-formed but without authority: this program holds no physical memory. */
    expect_eq(t, "map of a frame not the caller's", aspace_map(as, m, ram, ro, &level, &va), -AK_EPERM);
    if (failures == before)
        printf("AKTEST PASS %s\n", t);
}

static void test_bad_console(void)
{
    int before = failures;
    const uint64_t lens[] = { AK_CONSOLE_MAX + 1, UINT64_MAX, KERNEL_ADDR, UINT64_C(1) << 40 };
    for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
        expect_eq("ipc-garbage-console", "console with a huge length",
                  ak_sys_raw(KERNEL_ADDR, lens[i], 0, 0, 0, 0, AK_SYS_CONSOLE), -AK_EINVAL);
    expect_eq("ipc-garbage-console", "console of 0 bytes", ak_sys_raw(0, 0, 0, 0, 0, 0, AK_SYS_CONSOLE), 0);
    if (failures == before)
        printf("AKTEST PASS ipc-garbage-console\n");
}

/* reply with nobody to answer, or a bad message; drop with a bad slot: errors, nothing changed. */
static void test_bad_reply_drop(void)
{
    int before = failures;
    const char *t = "ipc-garbage-reply-drop";
    expect_eq(t, "reply with no caller", ak_sys_raw(0, 0, 0, 0, 0, 0, AK_SYS_REPLY), -AK_ENOENT);
    expect_eq(t, "reply of 65 words", ak_sys_raw(0, AK_MSG_MAX_WORDS + 1, 0, 0, 0, 0, AK_SYS_REPLY), -AK_EMSGSIZE);
    expect_eq(t, "reply with reserved info bits", ak_sys_raw(0, UINT64_C(1) << 7, 0, 0, 0, 0, AK_SYS_REPLY), -AK_EINVAL);
    const uint64_t slots[] = { AK_CAP_SLOTS, UINT64_MAX, KERNEL_ADDR, 0 /* empty */ };
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++)
        expect_eq(t, "drop of a bad or empty slot", ak_sys_raw(slots[i], 0, 0, 0, 0, 0, AK_SYS_DROP), -AK_EBADF);
    /* The slots are all still there. */
    ak_msg_t m = { .info = ak_msginfo(1, 0) };
    expect_eq(t, "a call on the aspace slot after the drops", ak_ipc_call(SLOT_ASPACE, &m) < 0, 0);
    if (failures == before)
        printf("AKTEST PASS %s\n", t);
}

int main(void)
{
    test_bad_numbers();
    test_bad_slots();
    test_bad_info();
    test_bad_invocations();
    test_bad_addresses();
    test_bad_console();
    test_bad_reply_drop();
    /* The kernel still answers. */
    if (ak_sys_null() == 0 && ak_yield() == 0)
        printf("AKTEST PASS ipc-garbage-survived\n");
    else
        printf("AKTEST FAIL ipc-garbage-survived: null syscall or yield failed after the garbage\n");
    return failures;
}
