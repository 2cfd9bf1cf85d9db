/*
 * Contract of the generated console client stubs (idl/console.idl): write
 * sends exactly its label, its length word and the bytes from a word
 * boundary with zero padding (against an image built here from the wire
 * format of idl/README.md); bytes past the bound are -AK_E2BIG with
 * nothing sent; every reply maps to the documented result, and a
 * malformed read or stats reply (a length past the bound or the message,
 * a wrapping length, a nonzero byte after the data, a word too many) is
 * -AK_EBADMSG with no out pointer written.
 *
 * ak_ipc_call and ak_ipc_buffer are replaced by the fakes below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/ipc.h>
#include <idl/console_client.h>

#define EP AK_SLOT_CONSOLE
#define UNTOUCHED 0x5a

_Static_assert(CONSOLE_LABEL_WRITE == 1 && CONSOLE_LABEL_READ == 2 && CONSOLE_LABEL_FOREGROUND == 3 &&
               CONSOLE_LABEL_STATS == 4, "console labels never change");

static ak_ipcbuf_t ipcbuf;

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return &ipcbuf;
}

typedef struct reply {
    int64_t rc;
    ak_msginfo_t info;
    uint64_t w[AK_MSG_MAX_WORDS];
} reply_t;

int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m)
{
    uint64_t label = ak_msginfo_label(m->info);
    uint64_t len = ak_msginfo_len(m->info);
    uint64_t words[AK_MSG_MAX_WORDS] = { 0 };
    for (uint64_t i = 0; i < len && i < AK_MSG_MAX_WORDS; i++)
        words[i] = i < AK_MSG_REG_WORDS ? m->w[i] : ipcbuf.words[i];
    check_expected(slot);
    check_expected(label);
    check_expected(len);
    check_expected_ptr(words);
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

static void expect_call(uint64_t label, const uint64_t *w, uint64_t len)
{
    static uint64_t words[16][AK_MSG_MAX_WORDS];
    static unsigned k;
    uint64_t *copy = words[k++ % 16];
    memset(copy, 0, AK_MSG_MAX_WORDS * sizeof *copy);
    memcpy(copy, w, len * sizeof *w);
    expect_value(ak_ipc_call, slot, EP);
    expect_value(ak_ipc_call, label, label);
    expect_value(ak_ipc_call, len, len);
    expect_memory(ak_ipc_call, words, copy, AK_MSG_MAX_WORDS * sizeof *copy);
}

static void put_bytes(uint64_t *w, const void *src, size_t n)
{
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        w[i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
}

static reply_t make_reply(uint64_t label, uint64_t len)
{
    reply_t r;
    memset(&r, 0, sizeof r);
    r.info = ak_msginfo(label, len);
    return r;
}

static void test_write(void **state)
{
    (void)state;
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = 11;
    put_bytes(&w[1], "hello world", 11);
    expect_call(CONSOLE_LABEL_WRITE, w, 3);
    reply_t r = make_reply(0, 0);
    will_return(ak_ipc_call, &r);
    assert_int_equal(console_write(EP, "hello world", 11), 0);

    /* At the bound: 256 bytes, 33 words. */
    static char big[AK_CON_WRITE_MAX];
    memset(big, 'z', sizeof big);
    memset(w, 0, sizeof w);
    w[0] = sizeof big;
    put_bytes(&w[1], big, sizeof big);
    expect_call(CONSOLE_LABEL_WRITE, w, 33);
    will_return(ak_ipc_call, &r);
    assert_int_equal(console_write(EP, big, sizeof big), 0);

    /* Nothing (NULL with length 0). */
    memset(w, 0, sizeof w);
    expect_call(CONSOLE_LABEL_WRITE, w, 1);
    will_return(ak_ipc_call, &r);
    assert_int_equal(console_write(EP, NULL, 0), 0);

    /* An error reply, and a kernel error. */
    memset(w, 0, sizeof w);
    w[0] = 1;
    w[1] = 'x';
    expect_call(CONSOLE_LABEL_WRITE, w, 2);
    reply_t e = make_reply(AK_ENOSPC, 0);
    will_return(ak_ipc_call, &e);
    assert_int_equal(console_write(EP, "x", 1), -AK_ENOSPC);
    expect_call(CONSOLE_LABEL_WRITE, w, 2);
    reply_t k = make_reply(0, 0);
    k.rc = -AK_EBADF;
    will_return(ak_ipc_call, &k);
    assert_int_equal(console_write(EP, "x", 1), -AK_EBADF);
}

/* Past the bound, wrapping: refused before anything is sent (no call expected). */
static void test_write_refused_locally(void **state)
{
    (void)state;
    static char big[AK_CON_WRITE_MAX + 1];
    assert_int_equal(console_write(EP, big, sizeof big), -AK_E2BIG);
    assert_int_equal(console_write(EP, big, UINT64_MAX), -AK_E2BIG);
    assert_int_equal(console_write(EP, big, UINT64_MAX - 6), -AK_E2BIG);
}

static void test_read(void **state)
{
    (void)state;
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = 100;
    w[1] = AK_CON_READ_LINE;
    expect_call(CONSOLE_LABEL_READ, w, 2);
    reply_t r = make_reply(0, 2);
    r.w[0] = 6;
    put_bytes(&r.w[1], "hello\n", 6);
    will_return(ak_ipc_call, &r);
    uint8_t out[AK_CON_READ_MAX];
    uint64_t n = 0;
    assert_int_equal(console_read(EP, 100, AK_CON_READ_LINE, out, &n), 0);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "hello\n", 6);

    /* The documented errors come back as they are. */
    const uint64_t errs[] = { AK_EINVAL, AK_EAGAIN, AK_EBUSY, AK_ENOSPC, AK_ESRCH };
    for (unsigned i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        expect_call(CONSOLE_LABEL_READ, w, 2);
        reply_t e = make_reply(errs[i], 0);
        will_return(ak_ipc_call, &e);
        assert_int_equal(console_read(EP, 100, AK_CON_READ_LINE, out, &n), -(int)errs[i]);
    }
}

static void test_read_bad_replies(void **state)
{
    (void)state;
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = 8;
    w[1] = AK_CON_READ_BYTES;
    struct {
        uint64_t len;   /* reply words */
        uint64_t n;     /* its length word */
        uint64_t tail;  /* word 1 */
    } bad[] = {
        { 1, 8, 0 },                        /* a length without its bytes */
        { 2, 9, 0 },                        /* a length past the message */
        { 2, AK_CON_READ_MAX + 1, 0 },      /* past the bound */
        { 2, UINT64_MAX, 0 },               /* wrapping */
        { 2, UINT64_MAX - 6, 0 },
        { 3, 8, 0x4141414141414141ull },    /* a word too many */
        { 2, 3, 0x41414141ull },            /* a nonzero byte after the data */
        { 0, 0, 0 },                        /* no length at all */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_call(CONSOLE_LABEL_READ, w, 2);
        reply_t r = make_reply(0, bad[i].len);
        r.w[0] = bad[i].n;
        r.w[1] = bad[i].tail;
        will_return(ak_ipc_call, &r);
        uint8_t out[AK_CON_READ_MAX];
        uint64_t n = UNTOUCHED;
        memset(out, UNTOUCHED, sizeof out);
        assert_int_equal(console_read(EP, 8, AK_CON_READ_BYTES, out, &n), -AK_EBADMSG);
        assert_int_equal(n, UNTOUCHED);
        for (unsigned j = 0; j < sizeof out; j++)
            assert_int_equal(out[j], UNTOUCHED);
    }
}

static void test_foreground_stats(void **state)
{
    (void)state;
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = 7;
    w[1] = 42;
    expect_call(CONSOLE_LABEL_FOREGROUND, w, 2);
    reply_t r = make_reply(0, 0);
    will_return(ak_ipc_call, &r);
    assert_int_equal(console_foreground(EP, 7, 42), 0);
    expect_call(CONSOLE_LABEL_FOREGROUND, w, 2);
    reply_t e = make_reply(AK_EPERM, 0);
    will_return(ak_ipc_call, &e);
    assert_int_equal(console_foreground(EP, 7, 42), -AK_EPERM);

    memset(w, 0, sizeof w);
    expect_call(CONSOLE_LABEL_STATS, w, 0);
    reply_t s = make_reply(0, 5);
    for (unsigned i = 0; i < 5; i++)
        s.w[i] = 100 + i;
    will_return(ak_ipc_call, &s);
    uint64_t b, o, n, l, rd;
    assert_int_equal(console_stats(EP, &b, &o, &n, &l, &rd), 0);
    assert_true(b == 100 && o == 101 && n == 102 && l == 103 && rd == 104);

    /* Short by a word: refused, nothing written. */
    expect_call(CONSOLE_LABEL_STATS, w, 0);
    reply_t bad = make_reply(0, 4);
    will_return(ak_ipc_call, &bad);
    b = o = n = l = rd = UNTOUCHED;
    assert_int_equal(console_stats(EP, &b, &o, &n, &l, &rd), -AK_EBADMSG);
    assert_true(b == UNTOUCHED && o == UNTOUCHED && n == UNTOUCHED && l == UNTOUCHED && rd == UNTOUCHED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_write_refused_locally),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_bad_replies),
        cmocka_unit_test(test_foreground_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
