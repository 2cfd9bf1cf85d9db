/*
 * Contract of the generated vmm client stubs (idl/vmm.idl): each sends
 * exactly its label, length and words (unused register words zero, reserved
 * info bits zero) on the slot given, and maps every reply to the result the
 * client header documents: 0 with the outs, -E for an error reply E, the
 * kernel's error, or -AK_EBADMSG for a malformed reply, writing no out
 * pointer unless it succeeds.
 *
 * ak_ipc_call and ak_ipc_buffer are replaced by the fakes below (link-time
 * substitution); the fake checks the request with check_expected and answers
 * with the reply queued by will_return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/ipc.h>
#include <idl/vmm_client.h>

#define EP 7u                           /* the slot every call uses */
#define UNTOUCHED UINT64_C(0x5a5a5a5a5a5a5a5a)

/* The wire ABI is fixed: these numbers must never change. */
_Static_assert(VMM_LABEL_MMAP == 1 && VMM_LABEL_MUNMAP == 2 && VMM_LABEL_MPROTECT == 3 &&
               VMM_LABEL_STATS == 4, "vmm labels");

static ak_ipcbuf_t ipcbuf;

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return &ipcbuf;
}

/* A reply the fake kernel delivers: rc < 0 is a kernel error, m unchanged. */
typedef struct reply {
    int64_t rc;
    ak_msginfo_t info;
    uint64_t w[AK_MSG_MAX_WORDS];
} reply_t;

int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m)
{
    uint64_t label = ak_msginfo_label(m->info);
    uint64_t len = ak_msginfo_len(m->info);
    uint64_t reserved = m->info & AK_MSGINFO_ZERO_MASK;
    uint64_t words[AK_MSG_MAX_WORDS] = { 0 };
    for (uint64_t i = 0; i < len && i < AK_MSG_MAX_WORDS; i++)
        words[i] = i < AK_MSG_REG_WORDS ? m->w[i] : ipcbuf.words[i];
    check_expected(slot);
    check_expected(label);
    check_expected(len);
    check_expected(reserved);
    if (len > 0)
        check_expected_ptr(words);
    for (uint64_t i = len; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);

    const reply_t *r = mock_ptr_type(const reply_t *);
    if (r->rc < 0)
        return r->rc;
    m->info = r->info;
    for (unsigned i = 0; i < AK_MSG_MAX_WORDS; i++) {
        if (i < AK_MSG_REG_WORDS)
            m->w[i] = r->w[i];
        else
            ipcbuf.words[i] = r->w[i];
    }
    return r->rc;
}

static void expect_request(uint64_t label, uint64_t len, const uint64_t *words)
{
    expect_value(ak_ipc_call, slot, EP);
    expect_value(ak_ipc_call, label, label);
    expect_value(ak_ipc_call, len, len);
    expect_value(ak_ipc_call, reserved, 0);
    if (len > 0)
        expect_memory(ak_ipc_call, words, words, len * sizeof(uint64_t));
}

/* A reply with label and len, words 0, 1, 2 ... set to base + i. */
static reply_t make_reply(uint64_t label, uint64_t len, uint64_t base)
{
    reply_t r;
    memset(&r, 0, sizeof r);
    r.info = ak_msginfo(label, len);
    for (unsigned i = 0; i < AK_MSG_MAX_WORDS; i++)
        r.w[i] = base + i;
    return r;
}

static const uint64_t mmap_words[4] = {
    UINT64_C(0x10000000), UINT64_C(0x3000), AK_PROT_READ | AK_PROT_WRITE,
    AK_MAP_PRIVATE | AK_MAP_ANONYMOUS | AK_MAP_ALIGNED(16),
};

static int call_mmap(uint64_t *out)
{
    expect_request(1, 4, mmap_words);
    return vmm_mmap(EP, mmap_words[0], mmap_words[1], (uint32_t)mmap_words[2], (uint32_t)mmap_words[3], out);
}

static void test_mmap_success(void **state)
{
    (void)state;
    reply_t r = make_reply(0, 1, UINT64_C(0x10010000));
    will_return(ak_ipc_call, &r);
    uint64_t addr = UNTOUCHED;
    assert_int_equal(call_mmap(&addr), 0);
    assert_int_equal(addr, UINT64_C(0x10010000));

    /* Full-width values pass through unchanged. */
    static const uint64_t max_words[4] = { UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX };
    expect_request(1, 4, max_words);
    r = make_reply(0, 1, UINT64_MAX);
    will_return(ak_ipc_call, &r);
    assert_int_equal(vmm_mmap(EP, UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX, &addr), 0);
    assert_int_equal(addr, UINT64_MAX);
}

static void test_mmap_errors(void **state)
{
    (void)state;
    static const uint64_t errs[] = { AK_EPERM, AK_ENOMEM, AK_EINVAL, AK_EEXIST, AK_EACCES, AK_ENOTABLE, AK_ERRNO_MAX };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        /* An undeclared error may carry words; they are ignored. */
        for (uint64_t len = 0; len <= 2; len += 2) {
            reply_t r = make_reply(errs[i], len, 1);
            will_return(ak_ipc_call, &r);
            uint64_t addr = UNTOUCHED;
            assert_int_equal(call_mmap(&addr), -(int)errs[i]);
            assert_int_equal(addr, UNTOUCHED);
        }
    }
}

static void test_mmap_bad_replies(void **state)
{
    (void)state;
    reply_t bad[] = {
        make_reply(AK_ERRNO_MAX + 1, 0, 0),     /* a label that is no result */
        make_reply(AK_MSGINFO_LABEL_MAX, 1, 0),
        make_reply(0, 0, 0),                    /* success, too short */
        make_reply(0, 2, 0),                    /* success, too long */
        make_reply(0, AK_MSG_MAX_WORDS, 0),
        make_reply(0, 1, 0),                    /* success with a reserved bit */
        make_reply(AK_ENOMEM, 0, 0),            /* an error with a reserved bit */
    };
    bad[5].info |= UINT64_C(1) << 7;
    bad[6].info |= UINT64_C(1) << 11;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        will_return(ak_ipc_call, &bad[i]);
        uint64_t addr = UNTOUCHED;
        assert_int_equal(call_mmap(&addr), -AK_EBADMSG);
        assert_int_equal(addr, UNTOUCHED);
    }
}

static void test_kernel_errors(void **state)
{
    (void)state;
    static const int64_t errs[] = { -AK_EBADF, -AK_ENOTSUP, -AK_EPERM, -AK_ERRNO_MAX };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        reply_t r = { .rc = errs[i] };
        will_return(ak_ipc_call, &r);
        uint64_t addr = UNTOUCHED;
        assert_int_equal(call_mmap(&addr), (int)errs[i]);
        assert_int_equal(addr, UNTOUCHED);
    }
    /* Not an error number: reported as a malformed reply, never truncated. */
    reply_t r = { .rc = INT64_MIN };
    will_return(ak_ipc_call, &r);
    uint64_t addr = UNTOUCHED;
    assert_int_equal(call_mmap(&addr), -AK_EBADMSG);
    assert_int_equal(addr, UNTOUCHED);
}

static void test_munmap(void **state)
{
    (void)state;
    static const uint64_t words[2] = { UINT64_C(0x10002000), UINT64_C(0x1000) };
    reply_t ok = make_reply(0, 0, 0);
    reply_t err = make_reply(AK_EINVAL, 0, 0);
    reply_t long_ok = make_reply(0, 1, 0);
    reply_t alien = make_reply(AK_ERRNO_MAX + 7, 0, 0);
    const struct { reply_t *r; int want; } cases[] = {
        { &ok, 0 }, { &err, -AK_EINVAL }, { &long_ok, -AK_EBADMSG }, { &alien, -AK_EBADMSG },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_request(2, 2, words);
        will_return(ak_ipc_call, cases[i].r);
        assert_int_equal(vmm_munmap(EP, words[0], words[1]), cases[i].want);
    }
    reply_t kerr = { .rc = -AK_EBADF };
    expect_request(2, 2, words);
    will_return(ak_ipc_call, &kerr);
    assert_int_equal(vmm_munmap(EP, words[0], words[1]), -AK_EBADF);
}

static void test_inject(void **state)
{
    (void)state;
    static const uint64_t words[1] = { UINT64_C(3) };
    reply_t ok = make_reply(0, 0, 0);
    reply_t perm = make_reply(AK_EPERM, 0, 0);
    reply_t long_ok = make_reply(0, 1, 0);
    const struct { reply_t *r; int want; } cases[] = {
        { &ok, 0 }, { &perm, -AK_EPERM }, { &long_ok, -AK_EBADMSG },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_request(5, 1, words);
        will_return(ak_ipc_call, cases[i].r);
        assert_int_equal(vmm_inject(EP, words[0]), cases[i].want);
    }
}

static void test_mprotect(void **state)
{
    (void)state;
    static const uint64_t words[3] = { UINT64_C(0x10004000), UINT64_C(0x2000), AK_PROT_READ };
    reply_t ok = make_reply(0, 0, 0);
    reply_t err = make_reply(AK_EACCES, 0, 0);
    reply_t nomem = make_reply(AK_ENOMEM, 0, 0);
    reply_t inval = make_reply(AK_EINVAL, 0, 0);
    reply_t long_ok = make_reply(0, 3, 0);
    const struct { reply_t *r; int want; } cases[] = {
        { &ok, 0 }, { &err, -AK_EACCES }, { &nomem, -AK_ENOMEM }, { &inval, -AK_EINVAL },
        { &long_ok, -AK_EBADMSG },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_request(3, 3, words);
        will_return(ak_ipc_call, cases[i].r);
        assert_int_equal(vmm_mprotect(EP, words[0], words[1], (uint32_t)words[2]), cases[i].want);
    }
}

/* stats' reply is 18 words: 4 in registers, 14 in the IPC buffer. */
#define STATS_WORDS 18
static int call_stats(uint64_t out[STATS_WORDS])
{
    expect_request(4, 0, NULL);
    return vmm_stats(EP, &out[0], &out[1], &out[2], &out[3], &out[4], &out[5], &out[6], &out[7], &out[8],
                     &out[9], &out[10], &out[11], &out[12], &out[13], &out[14], &out[15], &out[16], &out[17]);
}

static void test_stats(void **state)
{
    (void)state;
    _Static_assert(VMM_STATS_REP_WORDS == STATS_WORDS, "stats reply");
    reply_t r = make_reply(0, STATS_WORDS, 100);
    will_return(ak_ipc_call, &r);
    uint64_t out[STATS_WORDS];
    assert_int_equal(call_stats(out), 0);
    for (unsigned i = 0; i < STATS_WORDS; i++)
        assert_int_equal(out[i], 100 + i);

    /* Words 4..17 really come from the IPC buffer. */
    r = make_reply(0, STATS_WORDS, 0);
    r.w[4] = UINT64_C(0xfeed);
    r.w[STATS_WORDS - 1] = UINT64_MAX;
    will_return(ak_ipc_call, &r);
    assert_int_equal(call_stats(out), 0);
    assert_int_equal(out[4], 0xfeed);
    assert_int_equal(out[STATS_WORDS - 1], UINT64_MAX);

    reply_t bad[] = { make_reply(0, STATS_WORDS - 1, 0), make_reply(0, STATS_WORDS + 1, 0), make_reply(0, 4, 0),
                      make_reply(0, 0, 0) };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        will_return(ak_ipc_call, &bad[i]);
        for (unsigned k = 0; k < STATS_WORDS; k++)
            out[k] = UNTOUCHED;
        assert_int_equal(call_stats(out), -AK_EBADMSG);
        for (unsigned k = 0; k < STATS_WORDS; k++)
            assert_int_equal(out[k], UNTOUCHED);
    }
    reply_t err = make_reply(AK_ESRCH, 0, 0);
    will_return(ak_ipc_call, &err);
    assert_int_equal(call_stats(out), -AK_ESRCH);
}

/* totals' reply is 7 words: 4 in registers, 3 in the IPC buffer. */
#define TOTALS_WORDS 7
static int call_totals(uint64_t out[TOTALS_WORDS])
{
    expect_request(VMM_LABEL_TOTALS, 0, NULL);
    return vmm_totals(EP, &out[0], &out[1], &out[2], &out[3], &out[4], &out[5], &out[6]);
}

static void test_totals(void **state)
{
    (void)state;
    _Static_assert(VMM_LABEL_TOTALS == 9 && VMM_TOTALS_REP_WORDS == TOTALS_WORDS, "totals: label and reply");
    reply_t r = make_reply(0, TOTALS_WORDS, 300);
    r.w[6] = UINT64_MAX;                    /* word 6 really comes from the IPC buffer */
    will_return(ak_ipc_call, &r);
    uint64_t out[TOTALS_WORDS];
    assert_int_equal(call_totals(out), 0);
    for (unsigned i = 0; i < TOTALS_WORDS - 1; i++)
        assert_int_equal(out[i], 300 + i);
    assert_int_equal(out[6], UINT64_MAX);

    reply_t bad[] = { make_reply(0, TOTALS_WORDS - 1, 0), make_reply(0, TOTALS_WORDS + 1, 0), make_reply(0, 4, 0),
                      make_reply(0, 0, 0), make_reply(0, AK_MSG_MAX_WORDS, 0), make_reply(AK_ERRNO_MAX + 1, 0, 0),
                      make_reply(0, TOTALS_WORDS, 0) };
    bad[6].info |= UINT64_C(1) << 9;        /* a reserved info bit */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        will_return(ak_ipc_call, &bad[i]);
        for (unsigned k = 0; k < TOTALS_WORDS; k++)
            out[k] = UNTOUCHED;
        if (call_totals(out) != -AK_EBADMSG)
            fail_msg("bad totals reply %zu accepted", i);
        for (unsigned k = 0; k < TOTALS_WORDS; k++)
            assert_int_equal(out[k], UNTOUCHED);
    }
    /* A caller that is not init: EPERM, nothing written. */
    reply_t err = make_reply(AK_EPERM, 0, 0);
    will_return(ak_ipc_call, &err);
    for (unsigned k = 0; k < TOTALS_WORDS; k++)
        out[k] = UNTOUCHED;
    assert_int_equal(call_totals(out), -AK_EPERM);
    for (unsigned k = 0; k < TOTALS_WORDS; k++)
        assert_int_equal(out[k], UNTOUCHED);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmap_success),
        cmocka_unit_test(test_mmap_errors),
        cmocka_unit_test(test_mmap_bad_replies),
        cmocka_unit_test(test_kernel_errors),
        cmocka_unit_test(test_munmap),
        cmocka_unit_test(test_mprotect),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_inject),
        cmocka_unit_test(test_totals),
    };
    return cmocka_run_group_tests_name("vmm_client", tests, NULL, NULL);
}
