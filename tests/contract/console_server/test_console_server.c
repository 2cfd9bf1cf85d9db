/*
 * Contract of the generated console dispatch (idl/console.idl), the code
 * the console answers write, read, foreground and stats with: a
 * well-formed request reaches exactly its handler with the decoded
 * arguments and the caller's badge, and the handler's result becomes the
 * reply.  Every malformed request runs no handler: a length past the
 * message or its bound (wrapping lengths included), bytes without their
 * length, a nonzero byte after the data, a word too wide for its type, a
 * word too many or too few, reserved info bits (AK_EBADMSG), an unknown
 * label (AK_ENOSYS).  A handler whose out length passes its bound is
 * replied AK_EIO.
 *
 * Messages are built here from the wire format of idl/README.md, not with
 * the generated code, so the test pins the format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <idl/console_server.h>

#define BADGE (UINT64_C(0x17) | AK_CON_BADGE_CONTROL)

_Static_assert(CONSOLE_WRITE_REQ_WORDS == 1 && CONSOLE_WRITE_REQ_MAX_WORDS == 33, "write layout");
_Static_assert(CONSOLE_READ_REP_WORDS == 1 && CONSOLE_READ_REP_MAX_WORDS == 33, "read layout");

static ak_ipcbuf_t buf;

typedef struct server {
    unsigned calls;
    uint64_t badge;
    uint8_t data[AK_CON_WRITE_MAX];
    uint64_t len;
    uint32_t a, b;
    uint8_t mode;
    int rc;
    uint64_t out_len;   /* what read answers with */
} server_t;

static server_t srv;

static int h_write(void *ctx, uint64_t badge, const uint8_t *data, uint64_t data_len)
{
    server_t *s = ctx;
    s->calls++;
    s->badge = badge;
    s->len = data_len;
    if (data_len)
        memcpy(s->data, data, data_len);
    return s->rc;
}

static int h_read(void *ctx, uint64_t badge, uint32_t max, uint8_t mode, uint8_t *out_data, uint64_t *out_data_len)
{
    server_t *s = ctx;
    s->calls++;
    s->badge = badge;
    s->a = max;
    s->mode = mode;
    for (uint64_t i = 0; i < s->out_len && i < AK_CON_READ_MAX; i++)
        out_data[i] = (uint8_t)('a' + i % 26);
    *out_data_len = s->out_len;
    return s->rc;
}

static int h_foreground(void *ctx, uint64_t badge, uint32_t client, uint32_t pid)
{
    server_t *s = ctx;
    s->calls++;
    s->badge = badge;
    s->a = client;
    s->b = pid;
    return s->rc;
}

static int h_stats(void *ctx, uint64_t badge, uint64_t *b, uint64_t *o, uint64_t *i, uint64_t *l, uint64_t *r)
{
    server_t *s = ctx;
    s->calls++;
    s->badge = badge;
    *b = 1;
    *o = 2;
    *i = 3;
    *l = 4;
    *r = 5;
    return s->rc;
}

static const console_handlers_t handlers = {
    .write = h_write, .read = h_read, .foreground = h_foreground, .stats = h_stats,
};

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    memset(&buf, 0, sizeof buf);
    return 0;
}

/* Dispatches a request of label and words w[0..len); returns the reply's label. */
static uint64_t call(uint64_t label, const uint64_t *w, uint64_t len, ak_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->info = ak_msginfo(label, len);
    for (uint64_t i = 0; i < len; i++) {
        if (i < AK_MSG_REG_WORDS)
            m->w[i] = w[i];
        else
            buf.words[i] = w[i];
    }
    console_dispatch(&handlers, &srv, BADGE, m, &buf);
    return ak_msginfo_label(m->info);
}

/* Word i (below AK_MSG_MAX_WORDS) of the reply in m. */
static uint64_t word(const ak_msg_t *m, unsigned i)
{
    if (i < AK_MSG_REG_WORDS)
        return m->w[i];
    return i < AK_MSG_MAX_WORDS ? buf.words[i] : 0;
}

static void test_write(void **state)
{
    (void)state;
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = 10;
    memcpy(&w[1], "0123456789", 10);   /* little-endian host: memory order is the wire's */
    ak_msg_t m;
    assert_int_equal(call(CONSOLE_LABEL_WRITE, w, 3, &m), 0);
    assert_int_equal(ak_msginfo_len(m.info), 0);
    assert_int_equal(srv.calls, 1);
    assert_int_equal(srv.badge, BADGE);
    assert_int_equal(srv.len, 10);
    assert_memory_equal(srv.data, "0123456789", 10);

    /* At the bound, through the IPC buffer. */
    memset(w, 0, sizeof w);
    w[0] = AK_CON_WRITE_MAX;
    memset(&w[1], 'q', AK_CON_WRITE_MAX);
    assert_int_equal(call(CONSOLE_LABEL_WRITE, w, 33, &m), 0);
    assert_int_equal(srv.len, AK_CON_WRITE_MAX);
    assert_int_equal(srv.data[AK_CON_WRITE_MAX - 1], 'q');

    /* The handler's error is the reply. */
    srv.rc = -AK_ENOSPC;
    w[0] = 0;
    assert_int_equal(call(CONSOLE_LABEL_WRITE, w, 1, &m), AK_ENOSPC);
}

static void test_write_malformed(void **state)
{
    (void)state;
    struct {
        const char *what;
        uint64_t len, w0, w1;
    } bad[] = {
        { "no words", 0, 0, 0 },
        { "a length past the message", 2, 9, 0 },
        { "bytes without their length word's worth", 1, 1, 0 },
        { "past the bound", 2, AK_CON_WRITE_MAX + 1, 0 },
        { "wrapping", 2, UINT64_MAX, 0 },
        { "wrapping to a word", 2, UINT64_MAX - 6, 0 },
        { "a nonzero byte after the data", 2, 2, 0x00434241ull },
        { "a word too many", 3, 1, 'x' },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t w[4] = { bad[i].w0, bad[i].w1, 0, 0 };
        ak_msg_t m;
        assert_int_equal(call(CONSOLE_LABEL_WRITE, w, bad[i].len, &m), AK_EBADMSG);
        assert_int_equal(ak_msginfo_len(m.info), 0);
    }
    /* A message past 64 words cannot be described; past the maximum of 33 is refused. */
    uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
    w[0] = AK_CON_WRITE_MAX;
    ak_msg_t m;
    assert_int_equal(call(CONSOLE_LABEL_WRITE, w, 34, &m), AK_EBADMSG);
    assert_int_equal(srv.calls, 0);
}

static void test_read(void **state)
{
    (void)state;
    uint64_t w[2] = { 200, AK_CON_READ_LINE };
    srv.out_len = 12;
    ak_msg_t m;
    assert_int_equal(call(CONSOLE_LABEL_READ, w, 2, &m), 0);
    assert_int_equal(srv.a, 200);
    assert_int_equal(srv.mode, AK_CON_READ_LINE);
    assert_int_equal(ak_msginfo_len(m.info), 1 + 2);
    assert_int_equal(word(&m, 0), 12);
    assert_int_equal(word(&m, 1) & 0xff, 'a');
    assert_int_equal(word(&m, 2) >> 32, 0);   /* zero after the 12th byte */
    assert_int_equal(word(&m, 2) >> 24, (uint64_t)'l');

    /* A full answer: 33 words, the tail in the IPC buffer. */
    srv.out_len = AK_CON_READ_MAX;
    assert_int_equal(call(CONSOLE_LABEL_READ, w, 2, &m), 0);
    assert_int_equal(ak_msginfo_len(m.info), 33);
    assert_int_equal(word(&m, 0), AK_CON_READ_MAX);

    /* A handler that answers past the bound is a bug: AK_EIO. */
    srv.out_len = AK_CON_READ_MAX + 1;
    assert_int_equal(call(CONSOLE_LABEL_READ, w, 2, &m), AK_EIO);
    assert_int_equal(ak_msginfo_len(m.info), 0);

    /* Errors pass through with no words. */
    srv.out_len = 0;
    srv.rc = -AK_EAGAIN;
    assert_int_equal(call(CONSOLE_LABEL_READ, w, 2, &m), AK_EAGAIN);
    assert_int_equal(ak_msginfo_len(m.info), 0);
}

static void test_read_malformed(void **state)
{
    (void)state;
    struct {
        uint64_t len, w0, w1;
    } bad[] = {
        { 1, 16, 0 },                      /* a word too few */
        { 3, 16, 1 },                      /* a word too many */
        { 2, UINT64_C(1) << 32, 1 },       /* max wider than u32 */
        { 2, UINT64_MAX, 1 },
        { 2, 16, 0x100 },                  /* mode wider than u8 */
        { 2, 16, UINT64_MAX },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t w[3] = { bad[i].w0, bad[i].w1, 0 };
        ak_msg_t m;
        assert_int_equal(call(CONSOLE_LABEL_READ, w, bad[i].len, &m), AK_EBADMSG);
    }
    assert_int_equal(srv.calls, 0);
}

static void test_foreground_stats_unknown(void **state)
{
    (void)state;
    uint64_t w[2] = { 5, 77 };
    ak_msg_t m;
    assert_int_equal(call(CONSOLE_LABEL_FOREGROUND, w, 2, &m), 0);
    assert_true(srv.a == 5 && srv.b == 77 && srv.badge == BADGE);
    w[1] = UINT64_C(1) << 32;
    assert_int_equal(call(CONSOLE_LABEL_FOREGROUND, w, 2, &m), AK_EBADMSG);
    assert_int_equal(call(CONSOLE_LABEL_FOREGROUND, w, 1, &m), AK_EBADMSG);
    assert_int_equal(srv.calls, 1);

    assert_int_equal(call(CONSOLE_LABEL_STATS, w, 0, &m), 0);
    assert_int_equal(ak_msginfo_len(m.info), 5);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(word(&m, i), i + 1);
    assert_int_equal(call(CONSOLE_LABEL_STATS, w, 1, &m), AK_EBADMSG);

    /* Labels no method has, 0 included. */
    const uint64_t labels[] = { 0, 5, 99, AK_MSGINFO_LABEL_MAX };
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        assert_int_equal(call(labels[i], w, 0, &m), AK_ENOSYS);
    assert_int_equal(srv.calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_write, setup),
        cmocka_unit_test_setup(test_write_malformed, setup),
        cmocka_unit_test_setup(test_read, setup),
        cmocka_unit_test_setup(test_read_malformed, setup),
        cmocka_unit_test_setup(test_foreground_stats_unknown, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
