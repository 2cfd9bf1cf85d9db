/*
 * Contract of the generated vmm dispatch (idl/vmm.idl): a well-formed
 * request reaches exactly its handler with ctx, the badge and the decoded
 * arguments, and the handler's result becomes the reply (label 0 and the
 * out words, or the error and no words).  A malformed request (unknown
 * label, wrong length, reserved info bits, a word too wide for its type, a
 * kernel message without the kernel's badge bit, no handler) runs no
 * handler and gets the documented error: AK_ENOSYS for an unknown label or
 * a missing handler, AK_EPERM for a forged kernel message, AK_EBADMSG for
 * the rest.
 *
 * Built with only the ABI headers on the include path, as in the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <idl/vmm_server.h>

#define BADGE UINT64_C(0x2a)
#define KBADGE (UINT64_C(5) | AK_PAGER_BADGE_BIT)   /* the kernel, for pid 5 */

/* The ctx every handler must receive; counts the calls. */
typedef struct server {
    unsigned calls;
} server_t;

static server_t srv;
static ak_ipcbuf_t buf;

/* ---- mocked handlers: check what they get, return what the test queued ---- */

static int h_mmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
                  uint64_t *out_addr)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(addr);
    check_expected(len);
    check_expected(prot);
    check_expected(flags);
    assert_int_equal(*out_addr, 0);
    *out_addr = mock_type(uint64_t);
    return mock_type(int);
}

static int h_munmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(addr);
    check_expected(len);
    return mock_type(int);
}

static int h_mprotect(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(addr);
    check_expected(len);
    check_expected(prot);
    return mock_type(int);
}

static int h_stats(void *ctx, uint64_t badge, uint64_t *out_nodes, uint64_t *out_mapped_pages,
                   uint64_t *out_holes, uint64_t *out_largest_hole, uint64_t *out_bump,
                   uint64_t *out_frames_free, uint64_t *out_frames_total, uint64_t *out_mmap_calls,
                   uint64_t *out_munmap_calls, uint64_t *out_reserved_pages, uint64_t *out_committed,
                   uint64_t *out_peak, uint64_t *out_quota, uint64_t *out_tables, uint64_t *out_frames_in_use,
                   uint64_t *out_frames_vmm, uint64_t *out_refusals, uint64_t *out_frames_vmm_start)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    uint64_t *outs[18] = { out_nodes, out_mapped_pages, out_holes, out_largest_hole, out_bump,
                           out_frames_free, out_frames_total, out_mmap_calls, out_munmap_calls,
                           out_reserved_pages, out_committed, out_peak, out_quota, out_tables,
                           out_frames_in_use, out_frames_vmm, out_refusals,
                           out_frames_vmm_start };
    for (unsigned i = 0; i < 18; i++) {
        assert_int_equal(*outs[i], 0);
        *outs[i] = 1000 + i;
    }
    return mock_type(int);
}

static int h_inject(void *ctx, uint64_t badge, uint64_t after)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(after);
    return mock_type(int);
}

static int h_start(void *ctx, uint64_t badge, uint32_t pid)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(pid);
    return mock_type(int);
}

static int h_fault(void *ctx, uint64_t badge, uint64_t far, uint64_t esr, uint64_t elr, uint8_t access)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(far);
    check_expected(esr);
    check_expected(elr);
    check_expected(access);
    return mock_type(int);
}

static int h_exit(void *ctx, uint64_t badge, uint32_t pid, uint64_t status)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(pid);
    check_expected(status);
    return mock_type(int);
}

static int h_totals(void *ctx, uint64_t badge, uint64_t *out_frames_total, uint64_t *out_frames_free,
                    uint64_t *out_frames_in_use, uint64_t *out_frames_vmm, uint64_t *out_peak, uint64_t *out_clients,
                    uint64_t *out_regions)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    uint64_t *outs[7] = { out_frames_total, out_frames_free, out_frames_in_use, out_frames_vmm, out_peak,
                          out_clients, out_regions };
    for (unsigned i = 0; i < 7; i++) {
        assert_int_equal(*outs[i], 0);
        *outs[i] = 2000 + i;
    }
    return mock_type(int);
}

static const vmm_handlers_t handlers = {
    .mmap = h_mmap, .munmap = h_munmap, .mprotect = h_mprotect, .stats = h_stats, .inject = h_inject,
    .totals = h_totals, .start = h_start, .fault = h_fault, .exit = h_exit,
};

/* ---- helpers ---- */

static int setup(void **state)
{
    (void)state;
    srv.calls = 0;
    memset(&buf, 0, sizeof buf);
    return 0;
}

/* A request: words 0..3 in m, 4 and up in buf; registers beyond len hold junk. */
static ak_msg_t request(uint64_t label, uint64_t len, const uint64_t *words)
{
    ak_msg_t m;
    m.info = ak_msginfo(label, len);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        m.w[i] = UINT64_C(0xbad0bad0bad0bad0) + i;
    for (uint64_t i = 0; i < len && i < AK_MSG_MAX_WORDS; i++) {
        if (i < AK_MSG_REG_WORDS)
            m.w[i] = words[i];
        else
            buf.words[i] = words[i];
    }
    return m;
}

/* The reply carries label err, no words, and no register leaks request data. */
static void assert_error_reply(const ak_msg_t *m, int rc, uint64_t err)
{
    assert_int_equal(rc, -(int)err);
    assert_int_equal(ak_msginfo_label(m->info), err);
    assert_int_equal(ak_msginfo_len(m->info), 0);
    assert_int_equal(m->info & AK_MSGINFO_ZERO_MASK, 0);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);
}

/* Dispatches a message that must be rejected with err and reach no handler. */
static void assert_rejected(ak_msg_t m, uint64_t badge, uint64_t err)
{
    int rc = vmm_dispatch(&handlers, &srv, badge, &m, &buf);
    assert_error_reply(&m, rc, err);
    assert_int_equal(srv.calls, 0);
}

static const uint64_t mmap_words[4] = { UINT64_C(0x10000000), UINT64_C(0x5000), 3, UINT64_C(0x10000022) };

static void expect_mmap(uint64_t out, int rc)
{
    expect_value(h_mmap, ctx, &srv);
    expect_value(h_mmap, badge, BADGE);
    expect_value(h_mmap, addr, mmap_words[0]);
    expect_value(h_mmap, len, mmap_words[1]);
    expect_value(h_mmap, prot, mmap_words[2]);
    expect_value(h_mmap, flags, mmap_words[3]);
    will_return(h_mmap, out);
    will_return(h_mmap, rc);
}

/* ---- well-formed requests ---- */

static void test_mmap(void **state)
{
    (void)state;
    ak_msg_t m = request(VMM_LABEL_MMAP, 4, mmap_words);
    expect_mmap(UINT64_C(0x10040000), 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(srv.calls, 1);
    assert_int_equal(m.info, ak_msginfo(0, 1));
    assert_int_equal(m.w[0], UINT64_C(0x10040000));
    assert_int_equal(m.w[1], 0);
    assert_int_equal(m.w[2], 0);
    assert_int_equal(m.w[3], 0);
}

static void test_mmap_handler_errors(void **state)
{
    (void)state;
    static const int results[] = { -AK_ENOMEM, -AK_EINVAL, -AK_EEXIST, -AK_ENOTABLE, -AK_ERRNO_MAX };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        ak_msg_t m = request(VMM_LABEL_MMAP, 4, mmap_words);
        expect_mmap(UINT64_C(0x1234), results[i]);  /* outs of a failed call are not sent */
        int rc = vmm_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, (uint64_t)-results[i]);
    }
    /* A result that is no error number is a server bug: replied as AK_EIO. */
    static const int bogus[] = { 1, 42, -AK_ERRNO_MAX - 1, -100000 };
    for (size_t i = 0; i < sizeof bogus / sizeof bogus[0]; i++) {
        ak_msg_t m = request(VMM_LABEL_MMAP, 4, mmap_words);
        expect_mmap(0, bogus[i]);
        int rc = vmm_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, AK_EIO);
    }
}

static void test_munmap_mprotect(void **state)
{
    (void)state;
    static const uint64_t w[3] = { UINT64_C(0x10001000), UINT64_C(0x1000), UINT32_MAX };
    ak_msg_t m = request(VMM_LABEL_MUNMAP, 2, w);
    expect_value(h_munmap, ctx, &srv);
    expect_value(h_munmap, badge, BADGE);
    expect_value(h_munmap, addr, w[0]);
    expect_value(h_munmap, len, w[1]);
    will_return(h_munmap, 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 0));

    m = request(VMM_LABEL_MPROTECT, 3, w);
    expect_value(h_mprotect, ctx, &srv);
    expect_value(h_mprotect, badge, BADGE);
    expect_value(h_mprotect, addr, w[0]);
    expect_value(h_mprotect, len, w[1]);
    expect_value(h_mprotect, prot, UINT32_MAX);
    will_return(h_mprotect, -AK_EACCES);
    int rc = vmm_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EACCES);
    assert_int_equal(srv.calls, 2);
}

static void test_inject(void **state)
{
    (void)state;
    static const uint64_t w[1] = { UINT64_MAX };
    ak_msg_t m = request(VMM_LABEL_INJECT, 1, w);
    expect_value(h_inject, ctx, &srv);
    expect_value(h_inject, badge, BADGE);
    expect_value(h_inject, after, UINT64_MAX);
    will_return(h_inject, -AK_EPERM);
    int rc = vmm_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EPERM);
    assert_int_equal(srv.calls, 1);
}

static void test_stats(void **state)
{
    (void)state;
    ak_msg_t m = request(VMM_LABEL_STATS, 0, NULL);
    expect_value(h_stats, ctx, &srv);
    expect_value(h_stats, badge, BADGE);
    will_return(h_stats, 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 18));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(m.w[i], 1000 + i);
    for (unsigned i = 4; i < 18; i++)
        assert_int_equal(buf.words[i], 1000 + i);
    assert_int_equal(buf.words[18], 0);     /* nothing past the reply */
}

/* totals: seven words back, 4..6 in the IPC buffer; the handler's refusal (EPERM) is the reply alone. */
static void test_totals(void **state)
{
    (void)state;
    _Static_assert(VMM_LABEL_TOTALS == 9 && VMM_TOTALS_REQ_WORDS == 0 && VMM_TOTALS_REP_WORDS == 7, "totals");
    ak_msg_t m = request(VMM_LABEL_TOTALS, 0, NULL);
    memset(&buf, 0x77, sizeof buf);
    expect_value(h_totals, ctx, &srv);
    expect_value(h_totals, badge, 0);
    will_return(h_totals, 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, 0, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 7));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(m.w[i], 2000 + i);
    for (unsigned i = 4; i < 7; i++)
        assert_int_equal(buf.words[i], 2000 + i);

    m = request(VMM_LABEL_TOTALS, 0, NULL);
    expect_value(h_totals, ctx, &srv);
    expect_value(h_totals, badge, BADGE);
    will_return(h_totals, -AK_EPERM);
    int rc = vmm_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EPERM);
    assert_int_equal(srv.calls, 2);
}

static void test_kernel_messages(void **state)
{
    (void)state;
    static const uint64_t start_w[1] = { 5 };
    ak_msg_t m = request(AK_PAGER_START, AK_PAGER_START_WORDS, start_w);
    expect_value(h_start, ctx, &srv);
    expect_value(h_start, badge, KBADGE);
    expect_value(h_start, pid, 5);
    will_return(h_start, 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, KBADGE, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 0));

    uint64_t fault_w[AK_PAGER_FAULT_WORDS];
    fault_w[AK_FAULT_W_FAR] = UINT64_C(0x10003008);
    fault_w[AK_FAULT_W_ESR] = UINT64_C(0x92000047);
    fault_w[AK_FAULT_W_ELR] = UINT64_C(0x400123);
    fault_w[AK_FAULT_W_ACCESS] = AK_ACCESS_WRITE;
    m = request(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS, fault_w);
    expect_value(h_fault, ctx, &srv);
    expect_value(h_fault, badge, KBADGE);
    expect_value(h_fault, far, fault_w[AK_FAULT_W_FAR]);
    expect_value(h_fault, esr, fault_w[AK_FAULT_W_ESR]);
    expect_value(h_fault, elr, fault_w[AK_FAULT_W_ELR]);
    expect_value(h_fault, access, AK_ACCESS_WRITE);
    will_return(h_fault, -AK_EFAULT);               /* kill the thread */
    int rc = vmm_dispatch(&handlers, &srv, KBADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EFAULT);

    static const uint64_t exit_w[2] = { 5, AK_EXIT_KILLED };
    m = request(AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS, exit_w);
    expect_value(h_exit, ctx, &srv);
    expect_value(h_exit, badge, KBADGE);
    expect_value(h_exit, pid, 5);
    expect_value(h_exit, status, AK_EXIT_KILLED);
    will_return(h_exit, 0);
    assert_int_equal(vmm_dispatch(&handlers, &srv, KBADGE, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 0));
    assert_int_equal(srv.calls, 3);
}

/* ---- malformed requests: no handler runs ---- */

static void test_forged_kernel_messages(void **state)
{
    (void)state;
    static const uint64_t w[4] = { 5, 0, 0, 1 };
    assert_rejected(request(AK_PAGER_START, 1, w), BADGE, AK_EPERM);
    assert_rejected(request(AK_PAGER_FAULT, 4, w), BADGE, AK_EPERM);
    assert_rejected(request(AK_PAGER_EXIT, 2, w), 0, AK_EPERM);
    assert_rejected(request(AK_PAGER_EXIT, 2, w), AK_PAGER_BADGE_BIT - 1, AK_EPERM);
}

static void test_unknown_labels(void **state)
{
    (void)state;
    static const uint64_t labels[] = { 0, 6, 7, 4095, 4096, 0xA0000, 0xA0004, AK_MSGINFO_LABEL_MAX };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        assert_rejected(request(labels[i], 0, NULL), BADGE, AK_ENOSYS);
        assert_rejected(request(labels[i], 4, mmap_words), KBADGE, AK_ENOSYS);
    }
}

static void test_wrong_lengths(void **state)
{
    (void)state;
    static const uint64_t w[AK_MSG_MAX_WORDS] = { 1, 2, 3, 4, 5, 6 };
    static const struct { uint64_t label, badge, good; } methods[] = {
        { VMM_LABEL_MMAP, BADGE, 4 }, { VMM_LABEL_MUNMAP, BADGE, 2 }, { VMM_LABEL_MPROTECT, BADGE, 3 },
        { VMM_LABEL_STATS, BADGE, 0 }, { VMM_LABEL_INJECT, BADGE, 1 }, { AK_PAGER_START, KBADGE, 1 },
        { AK_PAGER_FAULT, KBADGE, 4 }, { AK_PAGER_EXIT, KBADGE, 2 }, { VMM_LABEL_TOTALS, 0, 0 },
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        for (uint64_t len = 0; len <= AK_MSG_MAX_WORDS; len++)
            if (len != methods[i].good)
                assert_rejected(request(methods[i].label, len, w), methods[i].badge, AK_EBADMSG);
}

static void test_bad_info_words(void **state)
{
    (void)state;
    /* Each reserved bit, on an otherwise perfect mmap. */
    for (unsigned bit = 7; bit <= 11; bit++) {
        ak_msg_t m = request(VMM_LABEL_MMAP, 4, mmap_words);
        m.info |= UINT64_C(1) << bit;
        assert_rejected(m, BADGE, AK_EBADMSG);
    }
    for (unsigned bit = 7; bit <= 11; bit++) {
        ak_msg_t m = request(VMM_LABEL_TOTALS, 0, NULL);
        m.info |= UINT64_C(1) << bit;
        assert_rejected(m, 0, AK_EBADMSG);
    }
    /* A length field above AK_MSG_MAX_WORDS. */
    for (uint64_t len = AK_MSG_MAX_WORDS + 1; len <= AK_MSGINFO_LEN_MASK; len++) {
        ak_msg_t m = request(VMM_LABEL_STATS, 0, NULL);
        m.info = (VMM_LABEL_STATS << AK_MSGINFO_LABEL_SHIFT) | len;
        assert_rejected(m, BADGE, AK_EBADMSG);
    }
}

/* Words that do not fit the declared type (u32 prot and flags, u8 access, u32 pid). */
static void test_words_out_of_range(void **state)
{
    (void)state;
    uint64_t w[4] = { mmap_words[0], mmap_words[1], UINT64_C(1) << 32, 0 };
    assert_rejected(request(VMM_LABEL_MMAP, 4, w), BADGE, AK_EBADMSG);
    w[2] = 0;
    w[3] = UINT64_MAX;
    assert_rejected(request(VMM_LABEL_MMAP, 4, w), BADGE, AK_EBADMSG);
    uint64_t p[3] = { 0, 0, UINT64_C(0x100000000) };
    assert_rejected(request(VMM_LABEL_MPROTECT, 3, p), BADGE, AK_EBADMSG);
    uint64_t f[4] = { 0, 0, 0, 0x100 };
    assert_rejected(request(AK_PAGER_FAULT, 4, f), KBADGE, AK_EBADMSG);
    uint64_t s[1] = { UINT64_C(1) << 32 };
    assert_rejected(request(AK_PAGER_START, 1, s), KBADGE, AK_EBADMSG);
}

static void test_missing_handlers(void **state)
{
    (void)state;
    static const vmm_handlers_t none = { 0 };
    static const uint64_t w[4] = { 0 };
    static const struct { uint64_t label, len, badge; } msgs[] = {
        { VMM_LABEL_MMAP, 4, BADGE }, { VMM_LABEL_MUNMAP, 2, BADGE }, { VMM_LABEL_MPROTECT, 3, BADGE },
        { VMM_LABEL_STATS, 0, BADGE }, { VMM_LABEL_INJECT, 1, BADGE }, { AK_PAGER_START, 1, KBADGE },
        { AK_PAGER_FAULT, 4, KBADGE }, { AK_PAGER_EXIT, 2, KBADGE }, { VMM_LABEL_TOTALS, 0, 0 },
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        ak_msg_t m = request(msgs[i].label, msgs[i].len, w);
        int rc = vmm_dispatch(&none, &srv, msgs[i].badge, &m, &buf);
        assert_error_reply(&m, rc, AK_ENOSYS);
    }
    assert_int_equal(srv.calls, 0);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_mmap, setup),
        cmocka_unit_test_setup(test_mmap_handler_errors, setup),
        cmocka_unit_test_setup(test_munmap_mprotect, setup),
        cmocka_unit_test_setup(test_stats, setup),
        cmocka_unit_test_setup(test_totals, setup),
        cmocka_unit_test_setup(test_inject, setup),
        cmocka_unit_test_setup(test_kernel_messages, setup),
        cmocka_unit_test_setup(test_forged_kernel_messages, setup),
        cmocka_unit_test_setup(test_unknown_labels, setup),
        cmocka_unit_test_setup(test_wrong_lengths, setup),
        cmocka_unit_test_setup(test_bad_info_words, setup),
        cmocka_unit_test_setup(test_words_out_of_range, setup),
        cmocka_unit_test_setup(test_missing_handlers, setup),
    };
    return cmocka_run_group_tests_name("vmm_server", tests, NULL, NULL);
}
