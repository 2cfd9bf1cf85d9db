/*
 * Round trips through the code idlc generates for golden.idl, which uses
 * every feature of the IDL: fastpath and long messages (IPC buffer) both
 * ways, the 64-word maximum, narrow signed and unsigned types, declared
 * error replies with words (short and long), a kernel message, several
 * interfaces in one file, and bounded strings and arrays of a struct with
 * padding (interface texts): round trips, and every malformed tail refused
 * by the dispatch before a handler runs and by the stub before an out
 * pointer is written.
 *
 * A fake kernel stands in for ak_ipc_call: it moves the request the way
 * the real one does (registers as they are, words 4..len-1 from the
 * client's IPC buffer to the server's, everything else in the server's
 * buffer junk), calls the generated dispatch, and moves the reply back.
 * The handlers record what they were given and answer what the test set.
 * A "rogue server" mode replies a crafted message instead, to check that
 * the client rejects what a correct server never sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/ipc.h>
#include <idl/golden_client.h>
#include <idl/golden_server.h>

#define EP_GOLD   3u
#define EP_SECOND 4u
#define EP_TEXTS  5u
#define BADGE     UINT64_C(0x77)
#define JUNK      UINT64_C(0xa5a5a5a5a5a5a5a5)

/* The layouts the generated header promises. */
_Static_assert(GOLD_NARROW_REQ_WORDS == 4 && GOLD_NARROW_REP_WORDS == 4, "narrow");
_Static_assert(GOLD_WIDE_REQ_WORDS == 10 && GOLD_WIDE_REP_WORDS == 6, "wide");
_Static_assert(GOLD_FULL_REQ_WORDS == AK_MSG_MAX_WORDS && GOLD_MAX_WORDS == AK_MSG_MAX_WORDS, "full");
_Static_assert(sizeof(gold_full_req_t) == AK_MSG_MAX_WORDS * sizeof(uint64_t) &&
               offsetof(gold_full_req_t, w63) == 63 * sizeof(uint64_t), "full");
_Static_assert(GOLD_PING_REQ_WORDS == 0 && GOLD_PING_REP_WORDS == 0, "ping");
_Static_assert(GOLD_LOOKUP_ERR_AK_ENOTABLE_WORDS == 2 && GOLD_LOOKUP_ERR_AK_ENOTABLE_W_AT == 1, "lookup");
_Static_assert(GOLD_LOOKUP_ERR_AK_ENOENT_WORDS == 0, "lookup");
_Static_assert(GOLD_OVERFLOW_ERR_AK_E2BIG_WORDS == 6, "overflow");
_Static_assert(GOLD_LABEL_BYE == AK_PAGER_EXIT && GOLD_LABEL_LOOKUP == 5, "labels");
_Static_assert(SECOND_MAX_WORDS == 1, "second");
_Static_assert(GOLD_ITEM_SIZE == 32 && GOLD_ITEM_OFF_DELTA == 2 && GOLD_ITEM_OFF_LABEL == 4 &&
               GOLD_ITEM_OFF_BIG == 16 && GOLD_ITEM_OFF_SMALL == 24, "gold_item");
_Static_assert(TEXTS_ECHO_REQ_WORDS == 5 && TEXTS_ECHO_REQ_MAX_WORDS == 5 + 3 + 4 + 3 + 12, "echo");
_Static_assert(TEXTS_ECHO_REP_WORDS == 5 && TEXTS_ECHO_REP_MAX_WORDS == 27, "echo");
_Static_assert(TEXTS_TINY_REQ_MAX_WORDS == 3 && TEXTS_TINY_REP_MAX_WORDS == 2, "tiny");

/* ---- the fake kernel ----------------------------------------------------------- */

static ak_ipcbuf_t client_buf, server_buf;
static uint64_t stamped_badge = BADGE;  /* what the kernel stamps on a call */
static const ak_msg_t *rogue;           /* non-NULL: reply this instead of dispatching */
static int64_t kernel_rc;               /* non-zero: fail the call with it, m unchanged */
static unsigned kernel_calls;
/* Non-NULL: changes the request before the dispatch, or the reply after it. */
static void (*tamper_request)(ak_msg_t *m, ak_ipcbuf_t *buf);
static void (*tamper_reply)(ak_msg_t *m, ak_ipcbuf_t *buf);
static int dispatched;                  /* the dispatch's return value */

typedef struct seen {
    unsigned calls;
    uint64_t badge;
    uint64_t in[AK_MSG_MAX_WORDS];      /* ins as the handler got them, as words */
} seen_t;

typedef struct answer {
    int rc;
    uint64_t out[AK_MSG_MAX_WORDS];     /* outs (and error words) to store */
} answer_t;

static seen_t seen;
static answer_t answer;
static void *const CTX = &seen;

static const gold_handlers_t gold_handlers;
static const second_handlers_t second_handlers;
static const texts_handlers_t texts_handlers;

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return &client_buf;
}

int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m)
{
    uint64_t len = ak_msginfo_len(m->info);
    kernel_calls++;
    assert_true(ak_msginfo_valid(m->info));
    for (uint64_t i = len; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);
    if (kernel_rc != 0)
        return kernel_rc;
    if (rogue != NULL) {
        *m = *rogue;
        return 0;
    }
    for (unsigned i = 0; i < AK_MSG_MAX_WORDS; i++)
        server_buf.words[i] = i >= AK_MSG_REG_WORDS && i < len ? client_buf.words[i] : JUNK;
    ak_msg_t sm = *m;
    if (tamper_request != NULL)
        tamper_request(&sm, &server_buf);
    if (slot == EP_TEXTS)
        dispatched = texts_dispatch(&texts_handlers, CTX, stamped_badge, &sm, &server_buf);
    else if (slot == EP_GOLD)
        dispatched = gold_dispatch(&gold_handlers, CTX, stamped_badge, &sm, &server_buf);
    else if (slot == EP_SECOND)
        dispatched = second_dispatch(&second_handlers, CTX, stamped_badge, &sm, &server_buf);
    else
        return -AK_EBADF;
    if (tamper_reply != NULL)
        tamper_reply(&sm, &server_buf);
    uint64_t rlen = ak_msginfo_len(sm.info);
    for (unsigned i = 0; i < AK_MSG_MAX_WORDS; i++)
        client_buf.words[i] = i >= AK_MSG_REG_WORDS && i < rlen ? server_buf.words[i] : JUNK;
    *m = sm;
    return 0;
}

/* ---- handlers --------------------------------------------------------------------- */

static void record(void *ctx, uint64_t badge)
{
    assert_ptr_equal(ctx, CTX);
    seen.calls++;
    seen.badge = badge;
}

static int h_narrow(void *ctx, uint64_t badge, uint8_t a, int16_t b, uint32_t c, int64_t d,
                    int8_t *out_e, uint16_t *out_f, int32_t *out_g, uint64_t *out_h)
{
    record(ctx, badge);
    seen.in[0] = a;
    seen.in[1] = (uint64_t)b;
    seen.in[2] = c;
    seen.in[3] = (uint64_t)d;
    *out_e = (int8_t)answer.out[0];
    *out_f = (uint16_t)answer.out[1];
    *out_g = (int32_t)answer.out[2];
    *out_h = answer.out[3];
    return answer.rc;
}

static int h_wide(void *ctx, uint64_t badge, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                  uint64_t x4, int8_t x5, uint64_t x6, uint64_t x7, uint64_t x8, uint64_t x9,
                  uint64_t *out_y0, int32_t *out_y1, uint64_t *out_y2, uint64_t *out_y3,
                  uint16_t *out_y4, int64_t *out_y5)
{
    record(ctx, badge);
    const uint64_t in[10] = { x0, x1, x2, x3, x4, (uint64_t)x5, x6, x7, x8, x9 };
    memcpy(seen.in, in, sizeof in);
    *out_y0 = answer.out[0];
    *out_y1 = (int32_t)answer.out[1];
    *out_y2 = answer.out[2];
    *out_y3 = answer.out[3];
    *out_y4 = (uint16_t)answer.out[4];
    *out_y5 = (int64_t)answer.out[5];
    return answer.rc;
}

static int h_full(void *ctx, uint64_t badge, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                  uint64_t w4, uint64_t w5, uint64_t w6, uint64_t w7, uint64_t w8, uint64_t w9,
                  uint64_t w10, uint64_t w11, uint64_t w12, uint64_t w13, uint64_t w14,
                  uint64_t w15, uint64_t w16, uint64_t w17, uint64_t w18, uint64_t w19,
                  uint64_t w20, uint64_t w21, uint64_t w22, uint64_t w23, uint64_t w24,
                  uint64_t w25, uint64_t w26, uint64_t w27, uint64_t w28, uint64_t w29,
                  uint64_t w30, uint64_t w31, uint64_t w32, uint64_t w33, uint64_t w34,
                  uint64_t w35, uint64_t w36, uint64_t w37, uint64_t w38, uint64_t w39,
                  uint64_t w40, uint64_t w41, uint64_t w42, uint64_t w43, uint64_t w44,
                  uint64_t w45, uint64_t w46, uint64_t w47, uint64_t w48, uint64_t w49,
                  uint64_t w50, uint64_t w51, uint64_t w52, uint64_t w53, uint64_t w54,
                  uint64_t w55, uint64_t w56, uint64_t w57, uint64_t w58, uint64_t w59,
                  uint64_t w60, uint64_t w61, uint64_t w62, uint64_t w63)
{
    record(ctx, badge);
    const uint64_t in[64] = {
        w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, w16, w17, w18, w19,
        w20, w21, w22, w23, w24, w25, w26, w27, w28, w29, w30, w31, w32, w33, w34, w35, w36, w37,
        w38, w39, w40, w41, w42, w43, w44, w45, w46, w47, w48, w49, w50, w51, w52, w53, w54, w55,
        w56, w57, w58, w59, w60, w61, w62, w63,
    };
    memcpy(seen.in, in, sizeof in);
    return answer.rc;
}

static int h_ping(void *ctx, uint64_t badge)
{
    record(ctx, badge);
    return answer.rc;
}

static int h_lookup(void *ctx, uint64_t badge, uint64_t va, uint64_t *out_pa, uint8_t *out_level,
                    uint64_t *out_at)
{
    record(ctx, badge);
    seen.in[0] = va;
    *out_pa = answer.out[0];
    *out_level = (uint8_t)answer.out[1];
    *out_at = answer.out[2];
    return answer.rc;
}

static int h_overflow(void *ctx, uint64_t badge, uint64_t k, uint64_t *out_e0, uint64_t *out_e1,
                      uint64_t *out_e2, uint64_t *out_e3, int16_t *out_e4, uint64_t *out_e5)
{
    record(ctx, badge);
    seen.in[0] = k;
    *out_e0 = answer.out[0];
    *out_e1 = answer.out[1];
    *out_e2 = answer.out[2];
    *out_e3 = answer.out[3];
    *out_e4 = (int16_t)answer.out[4];
    *out_e5 = answer.out[5];
    return answer.rc;
}

static int h_strict(void *ctx, uint64_t badge, uint64_t *out_v, uint64_t *out_why)
{
    record(ctx, badge);
    *out_v = answer.out[0];
    *out_why = answer.out[1];
    return answer.rc;
}

static int h_bye(void *ctx, uint64_t badge, uint32_t pid, int64_t status)
{
    record(ctx, badge);
    seen.in[0] = pid;
    seen.in[1] = (uint64_t)status;
    return answer.rc;
}

static int h_hello(void *ctx, uint64_t badge, uint64_t n, uint64_t *out_twice)
{
    record(ctx, badge);
    *out_twice = 2 * n;
    return 0;
}

static const gold_handlers_t gold_handlers = {
    .narrow = h_narrow, .wide = h_wide, .full = h_full, .ping = h_ping,
    .lookup = h_lookup, .overflow = h_overflow, .strict = h_strict, .bye = h_bye,
};
static const second_handlers_t second_handlers = { .hello = h_hello };

/* texts: echo returns what it got (k negated); tiny answers answer.out[0] bytes of "abcdefghijk". */
static int h_echo(void *ctx, uint64_t badge, const char *s, uint8_t k, const char *l, uint64_t l_len,
                  const uint8_t *b, uint64_t b_len, const gold_item_t *items, uint64_t items_count,
                  uint8_t *out_b, uint64_t *out_b_len, char *out_s, int16_t *out_k, char *out_l,
                  uint64_t *out_l_len, gold_item_t *out_items, uint64_t *out_items_count)
{
    record(ctx, badge);
    assert_true(strlen(s) <= TEXTS_ECHO_REQ_S_MAX);
    assert_true(l_len <= TEXTS_ECHO_REQ_L_MAX && b_len <= TEXTS_ECHO_REQ_B_MAX);
    assert_true(items_count <= TEXTS_ECHO_REQ_ITEMS_MAX);
    assert_true(*out_b_len == 0 && *out_l_len == 0 && *out_items_count == 0 && *out_k == 0);
    assert_true(out_s[0] == '\0' && out_s[TEXTS_ECHO_REP_S_MAX] == '\0');
    memcpy(out_b, b, b_len);
    *out_b_len = b_len;
    memcpy(out_s, s, strlen(s) + 1);
    *out_k = (int16_t)-k;
    memcpy(out_l, l, l_len);
    *out_l_len = l_len;
    for (uint64_t i = 0; i < items_count; i++)
        out_items[i] = items[i];
    *out_items_count = items_count + answer.out[1];    /* answer.out[1]: a handler bug */
    return answer.rc;
}

static int h_tiny(void *ctx, uint64_t badge, const char *s, char *out_t)
{
    record(ctx, badge);
    seen.in[0] = strlen(s);
    memcpy(out_t, "abcdefghijk", answer.out[0]);
    return answer.rc;
}

static const texts_handlers_t texts_handlers = { .echo = h_echo, .tiny = h_tiny };

static int setup(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof seen);
    memset(&answer, 0, sizeof answer);
    memset(&client_buf, 0, sizeof client_buf);
    stamped_badge = BADGE;
    rogue = NULL;
    kernel_rc = 0;
    kernel_calls = 0;
    tamper_request = NULL;
    tamper_reply = NULL;
    dispatched = 1;
    return 0;
}

/* ---- round trips ------------------------------------------------------------------ */

static void test_narrow_extremes(void **state)
{
    (void)state;
    int8_t e = 0;
    uint16_t f = 0;
    int32_t g = 0;
    uint64_t h = 0;
    answer.out[0] = (uint64_t)(int64_t)INT8_MIN;
    answer.out[1] = UINT16_MAX;
    answer.out[2] = (uint64_t)(int64_t)INT32_MIN;
    answer.out[3] = UINT64_MAX;
    assert_int_equal(gold_narrow(EP_GOLD, UINT8_MAX, INT16_MIN, UINT32_MAX, INT64_MIN, &e, &f, &g, &h), 0);
    assert_int_equal(dispatched, 0);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.badge, BADGE);
    assert_int_equal(seen.in[0], UINT8_MAX);
    assert_int_equal((int64_t)seen.in[1], INT16_MIN);
    assert_int_equal(seen.in[2], UINT32_MAX);
    assert_int_equal((int64_t)seen.in[3], INT64_MIN);
    assert_int_equal(e, INT8_MIN);
    assert_int_equal(f, UINT16_MAX);
    assert_int_equal(g, INT32_MIN);
    assert_int_equal(h, UINT64_MAX);

    answer.out[0] = INT8_MAX;
    answer.out[1] = 0;
    answer.out[2] = INT32_MAX;
    answer.out[3] = 0;
    assert_int_equal(gold_narrow(EP_GOLD, 0, INT16_MAX, 0, INT64_MAX, &e, &f, &g, &h), 0);
    assert_int_equal(seen.in[0], 0);
    assert_int_equal(seen.in[1], INT16_MAX);
    assert_int_equal(seen.in[3], INT64_MAX);
    assert_int_equal(e, INT8_MAX);
    assert_int_equal(f, 0);
    assert_int_equal(g, INT32_MAX);
    assert_int_equal(h, 0);
}

static void test_wide_uses_the_ipc_buffer(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 6; i++)
        answer.out[i] = UINT64_C(0x1000) * (i + 1);
    answer.out[1] = (uint64_t)(int64_t)-7;
    answer.out[4] = UINT16_MAX;
    answer.out[5] = (uint64_t)INT64_MIN;
    uint64_t y0, y2, y3;
    int32_t y1;
    uint16_t y4;
    int64_t y5;
    assert_int_equal(gold_wide(EP_GOLD, 10, 11, 12, 13, 14, -1, 16, 17, 18, UINT64_MAX,
                               &y0, &y1, &y2, &y3, &y4, &y5), 0);
    const uint64_t want[10] = { 10, 11, 12, 13, 14, UINT64_MAX, 16, 17, 18, UINT64_MAX };
    assert_memory_equal(seen.in, want, sizeof want);
    assert_int_equal(y0, 0x1000);
    assert_int_equal(y1, -7);
    assert_int_equal(y2, 0x3000);
    assert_int_equal(y3, 0x4000);
    assert_int_equal(y4, UINT16_MAX);
    assert_int_equal(y5, INT64_MIN);
    /* The long words went through the buffers, not the registers. */
    assert_int_equal(server_buf.words[4], UINT16_MAX);
    assert_int_equal(client_buf.words[5], (uint64_t)INT64_MIN);
}

static void test_full_64_words(void **state)
{
    (void)state;
    uint64_t w[64];
    for (unsigned i = 0; i < 64; i++)
        w[i] = UINT64_C(0x0101010101010101) * i ^ i;
    assert_int_equal(gold_full(EP_GOLD, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9],
                               w[10], w[11], w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19],
                               w[20], w[21], w[22], w[23], w[24], w[25], w[26], w[27], w[28], w[29],
                               w[30], w[31], w[32], w[33], w[34], w[35], w[36], w[37], w[38], w[39],
                               w[40], w[41], w[42], w[43], w[44], w[45], w[46], w[47], w[48], w[49],
                               w[50], w[51], w[52], w[53], w[54], w[55], w[56], w[57], w[58], w[59],
                               w[60], w[61], w[62], w[63]), 0);
    assert_memory_equal(seen.in, w, sizeof w);
}

static void test_ping(void **state)
{
    (void)state;
    assert_int_equal(gold_ping(EP_GOLD), 0);
    answer.rc = -AK_EAGAIN;
    assert_int_equal(gold_ping(EP_GOLD), -AK_EAGAIN);
    assert_int_equal(dispatched, -AK_EAGAIN);
    assert_int_equal(seen.calls, 2);
    /* The kernel's refusal comes back as it is. */
    assert_int_equal(gold_ping(99), -AK_EBADF);
    assert_int_equal(seen.calls, 2);
}

static void test_declared_errors(void **state)
{
    (void)state;
    uint64_t pa = 1, at = 1;
    uint8_t level = 1;
    answer.out[0] = UINT64_C(0x40000000);
    assert_int_equal(gold_lookup(EP_GOLD, UINT64_C(0x10000000), &pa, &level, &at), 0);
    assert_int_equal(seen.in[0], UINT64_C(0x10000000));
    assert_int_equal(pa, UINT64_C(0x40000000));
    assert_int_equal(level, 1);                     /* error words untouched on success */

    /* An error with words: they arrive, the success outs stay untouched. */
    pa = 1;
    answer.rc = -AK_ENOTABLE;
    answer.out[1] = 3;
    answer.out[2] = UINT64_C(0x10200000);
    assert_int_equal(gold_lookup(EP_GOLD, 0, &pa, &level, &at), -AK_ENOTABLE);
    assert_int_equal(level, 3);
    assert_int_equal(at, UINT64_C(0x10200000));
    assert_int_equal(pa, 1);

    /* A declared error without words, and an undeclared one. */
    level = 9;
    answer.rc = -AK_ENOENT;
    assert_int_equal(gold_lookup(EP_GOLD, 0, &pa, &level, &at), -AK_ENOENT);
    answer.rc = -AK_EINVAL;
    assert_int_equal(gold_lookup(EP_GOLD, 0, &pa, &level, &at), -AK_EINVAL);
    assert_int_equal(level, 9);
    assert_int_equal(pa, 1);
}

static void test_long_error_reply(void **state)
{
    (void)state;
    uint64_t e0, e1, e2, e3, e5;
    int16_t e4;
    answer.rc = -AK_E2BIG;
    for (unsigned i = 0; i < 6; i++)
        answer.out[i] = 500 + i;
    answer.out[4] = (uint64_t)(int64_t)INT16_MIN;
    assert_int_equal(gold_overflow(EP_GOLD, 77, &e0, &e1, &e2, &e3, &e4, &e5), -AK_E2BIG);
    assert_int_equal(seen.in[0], 77);
    assert_int_equal(e0, 500);
    assert_int_equal(e3, 503);
    assert_int_equal(e4, INT16_MIN);
    assert_int_equal(e5, 505);
    assert_int_equal(client_buf.words[5], 505);
}

static void test_kernel_message(void **state)
{
    (void)state;
    /* No stub exists for bye: send it as the kernel would. */
    ak_msg_t m = { .info = ak_msginfo(AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS), .w = { 9, UINT64_MAX, 0, 0 } };
    int rc = gold_dispatch(&gold_handlers, CTX, 9 | AK_PAGER_BADGE_BIT, &m, &server_buf);
    assert_int_equal(rc, 0);
    assert_int_equal(m.info, ak_msginfo(0, 0));
    assert_int_equal(seen.in[0], 9);
    assert_int_equal((int64_t)seen.in[1], -1);
    assert_int_equal(seen.badge, 9 | AK_PAGER_BADGE_BIT);

    m = (ak_msg_t){ .info = ak_msginfo(AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS), .w = { 9, 0, 0, 0 } };
    rc = gold_dispatch(&gold_handlers, CTX, 9, &m, &server_buf);
    assert_int_equal(rc, -AK_EPERM);
    assert_int_equal(m.info, ak_msginfo(AK_EPERM, 0));
    assert_int_equal(seen.calls, 1);
}

static void test_second_interface(void **state)
{
    (void)state;
    uint64_t twice = 0;
    assert_int_equal(second_hello(EP_SECOND, 21, &twice), 0);
    assert_int_equal(twice, 42);
    /* Each interface has its own labels: gold's label 7 is unknown. */
    assert_int_equal(second_hello(EP_GOLD, 21, &twice), -AK_ENOSYS);
    assert_int_equal(seen.calls, 1);
}

/* ---- what correct peers never send -------------------------------------------------- */

static void test_server_rejects_out_of_range_words(void **state)
{
    (void)state;
    static const uint64_t bad[][4] = {
        { 0x100, 0, 0, 0 },                             /* u8 */
        { 0, 0x8000, 0, 0 },                            /* i16 not sign-extended */
        { 0, UINT64_C(0xffffffffffff7fff), 0, 0 },      /* i16 below INT16_MIN */
        { 0, 0, UINT64_C(0x100000000), 0 },             /* u32 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ak_msg_t m = { .info = ak_msginfo(GOLD_LABEL_NARROW, 4) };
        memcpy(m.w, bad[i], sizeof m.w);
        assert_int_equal(gold_dispatch(&gold_handlers, CTX, BADGE, &m, &server_buf), -AK_EBADMSG);
        assert_int_equal(m.info, ak_msginfo(AK_EBADMSG, 0));
    }
    /* A sign-extended INT16_MIN is fine. */
    ak_msg_t m = { .info = ak_msginfo(GOLD_LABEL_NARROW, 4), .w = { 0, UINT64_C(0xffffffffffff8000), 0, 0 } };
    assert_int_equal(gold_dispatch(&gold_handlers, CTX, BADGE, &m, &server_buf), 0);
    assert_int_equal(seen.calls, 1);
    /* A long request whose buffer word does not fit (x5 is i8). */
    ak_msg_t w = { .info = ak_msginfo(GOLD_LABEL_WIDE, 10) };
    server_buf.words[5] = 200;
    assert_int_equal(gold_dispatch(&gold_handlers, CTX, BADGE, &w, &server_buf), -AK_EBADMSG);
    assert_int_equal(seen.calls, 1);
}

static void test_client_rejects_malformed_replies(void **state)
{
    (void)state;
    int8_t e = 1;
    uint16_t f = 1;
    int32_t g = 1;
    uint64_t h = 1;
    static const ak_msg_t narrow_bad[] = {
        { .info = (0 << 12) | 4, .w = { 0x80, 0, 0, 0 } },          /* i8 not sign-extended */
        { .info = (0 << 12) | 4, .w = { 0, 0x10000, 0, 0 } },       /* u16 */
        { .info = (0 << 12) | 4, .w = { 0, 0, UINT64_C(0x80000000), 0 } },
        { .info = (0 << 12) | 3, .w = { 0, 0, 0, 0 } },             /* short */
    };
    for (size_t i = 0; i < sizeof narrow_bad / sizeof narrow_bad[0]; i++) {
        rogue = &narrow_bad[i];
        assert_int_equal(gold_narrow(EP_GOLD, 0, 0, 0, 0, &e, &f, &g, &h), -AK_EBADMSG);
        assert_int_equal(e, 1);
        assert_int_equal(f, 1);
        assert_int_equal(g, 1);
        assert_int_equal(h, 1);
    }
    uint64_t pa = 1, at = 1;
    uint8_t level = 1;
    static const ak_msg_t lookup_bad[] = {
        { .info = ((uint64_t)AK_ENOTABLE << 12) | 2, .w = { 256, 0, 0, 0 } },   /* level is u8 */
        { .info = ((uint64_t)AK_ENOTABLE << 12) | 1, .w = { 1, 0, 0, 0 } },     /* short */
        { .info = ((uint64_t)AK_ENOTABLE << 12) | 3, .w = { 1, 0, 0, 0 } },     /* long */
        { .info = ((uint64_t)AK_ENOENT << 12) | 1, .w = { 0, 0, 0, 0 } },       /* declared with no words */
    };
    for (size_t i = 0; i < sizeof lookup_bad / sizeof lookup_bad[0]; i++) {
        rogue = &lookup_bad[i];
        assert_int_equal(gold_lookup(EP_GOLD, 0, &pa, &level, &at), -AK_EBADMSG);
        assert_int_equal(level, 1);
        assert_int_equal(at, 1);
    }
    assert_int_equal(seen.calls, 0);
}

/* Error words are taken from a reply with that label, and nothing else. */
static void test_error_words_only_from_real_replies(void **state)
{
    (void)state;
    _Static_assert(GOLD_LABEL_STRICT == AK_EBADMSG, "the request label equals the error");
    uint64_t v = 1, why = 1;
    answer.rc = -AK_EBADMSG;
    answer.out[1] = 5;
    assert_int_equal(gold_strict(EP_GOLD, &v, &why), -AK_EBADMSG);
    assert_int_equal(why, 5);
    assert_int_equal(v, 1);

    static const ak_msg_t bad[] = {
        { .info = (UINT64_C(5000) << 12) | 1, .w = { 9, 0, 0, 0 } },                   /* no result */
        { .info = ((uint64_t)AK_EBADMSG << 12) | (1 << 8) | 1, .w = { 9, 0, 0, 0 } },  /* reserved bit */
        { .info = (0 << 12) | 2, .w = { 9, 9, 0, 0 } },                                 /* success, too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rogue = &bad[i];
        why = 1;
        assert_int_equal(gold_strict(EP_GOLD, &v, &why), -AK_EBADMSG);
        assert_int_equal(why, 1);
        assert_int_equal(v, 1);
    }
    /* The kernel refuses the call: m still holds the request, whose label is 74 too. */
    rogue = NULL;
    kernel_rc = -AK_EBADMSG;
    assert_int_equal(gold_strict(EP_GOLD, &v, &why), -AK_EBADMSG);
    assert_int_equal(why, 1);
    assert_int_equal(v, 1);
    assert_int_equal(seen.calls, 1);
}


/* ---- strings and arrays ------------------------------------------------------------ */

static const char echo_l[] = "a\0bc\0";                  /* two strings, 5 bytes */
static const uint8_t echo_b[17] = { 0, 0xff, 1, 0x80, 7, 0, 0, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0xfe };

static gold_item_t item(uint8_t tag, int16_t delta, const char *label, int64_t big, uint16_t small)
{
    gold_item_t it;
    memset(&it, 0x3c, sizeof it);       /* padding and the bytes after a label's NUL are never sent */
    it.tag = tag;
    it.delta = delta;
    memcpy(it.label, label, strlen(label) + 1);
    it.big = big;
    it.small = small;
    return it;
}

/* The outs of echo, filled with junk before each call. */
typedef struct echo_out {
    uint8_t b[TEXTS_ECHO_REP_B_MAX];
    uint64_t b_len;
    char s[TEXTS_ECHO_REP_S_MAX + 1];
    int16_t k;
    char l[TEXTS_ECHO_REP_L_MAX];
    uint64_t l_len;
    gold_item_t items[TEXTS_ECHO_REP_ITEMS_MAX];
    uint64_t items_count;
} echo_out_t;

static int call_echo(const char *str, uint8_t k, const char *l, uint64_t l_len, const void *b, uint64_t b_len,
                     const gold_item_t *items, uint64_t n, echo_out_t *o)
{
    memset(o, 0x6b, sizeof *o);
    return texts_echo(EP_TEXTS, str, k, l, l_len, b, b_len, items, n, o->b, &o->b_len, o->s, &o->k, o->l,
                      &o->l_len, o->items, &o->items_count);
}

static void assert_untouched(const echo_out_t *o)
{
    const unsigned char *p = (const unsigned char *)o;
    for (size_t i = 0; i < sizeof *o; i++)
        assert_int_equal(p[i], 0x6b);
}

static const gold_item_t *three_items(void)
{
    static gold_item_t its[3];
    its[0] = item(1, -2, "abcd", INT64_MIN, 0xffff);
    its[1] = item(255, INT16_MIN, "", -1, 0);
    its[2] = item(0, INT16_MAX, "z", INT64_MAX, 7);
    return its;
}

static void test_texts_round_trip(void **state)
{
    (void)state;
    const gold_item_t *its = three_items();
    echo_out_t o;
    assert_int_equal(call_echo("hello", 200, echo_l, 5, echo_b, 17, its, 3, &o), 0);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(kernel_calls, 1);
    assert_int_equal(o.b_len, 17);
    assert_memory_equal(o.b, echo_b, 17);
    assert_string_equal(o.s, "hello");
    assert_int_equal(o.k, -200);
    assert_int_equal(o.l_len, 5);
    assert_memory_equal(o.l, echo_l, 5);
    assert_int_equal(o.items_count, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(o.items[i].tag, its[i].tag);
        assert_int_equal(o.items[i].delta, its[i].delta);
        assert_string_equal(o.items[i].label, its[i].label);
        assert_int_equal(o.items[i].big, its[i].big);
        assert_int_equal(o.items[i].small, its[i].small);
    }
    /* Nothing past the lengths is written. */
    assert_int_equal(o.s[6], 0x6b);
    assert_int_equal(o.l[5], 0x6b);

    /* Everything empty; a 20-byte string. */
    assert_int_equal(call_echo("01234567890123456789", 0, NULL, 0, NULL, 0, NULL, 0, &o), 0);
    assert_string_equal(o.s, "01234567890123456789");
    assert_int_equal(o.b_len + o.l_len + o.items_count, 0);

    /* A handler error: no outs, no words. */
    answer.rc = -AK_ENOSPC;
    assert_int_equal(call_echo("x", 1, NULL, 0, NULL, 0, its, 1, &o), -AK_ENOSPC);
    assert_untouched(&o);
}

static void test_texts_fastpath(void **state)
{
    (void)state;
    char t[TEXTS_TINY_REP_T_MAX + 1];
    answer.out[0] = 8;
    memset(t, 1, sizeof t);
    assert_int_equal(texts_tiny(EP_TEXTS, "0123456789abcdef", t), 0);
    assert_int_equal(seen.in[0], 16);
    assert_string_equal(t, "abcdefgh");
    /* A handler that fills the whole buffer leaves no NUL: its bug, replied AK_EIO. */
    answer.out[0] = 9;
    memset(t, 1, sizeof t);
    assert_int_equal(texts_tiny(EP_TEXTS, "", t), -AK_EIO);
    assert_int_equal(t[0], 1);
}

/* Refused by the stub: nothing is sent. */
static void test_texts_client_refuses(void **state)
{
    (void)state;
    const gold_item_t *its = three_items();
    echo_out_t o;
    assert_int_equal(call_echo("012345678901234567890", 0, NULL, 0, NULL, 0, NULL, 0, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, NULL, 0, echo_b, 18, NULL, 0, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, NULL, 0, echo_b, UINT64_MAX, NULL, 0, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, echo_l, 31, NULL, 0, NULL, 0, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, NULL, 0, NULL, 0, its, 4, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, NULL, 0, NULL, 0, its, UINT64_MAX, &o), -AK_E2BIG);
    assert_int_equal(call_echo("", 0, "ab", 2, NULL, 0, NULL, 0, &o), -AK_EINVAL);
    gold_item_t bad = item(1, 1, "abcd", 1, 1);
    memset(bad.label, 'q', sizeof bad.label);           /* no NUL within the str<4> field */
    assert_int_equal(call_echo("", 0, NULL, 0, NULL, 0, &bad, 1, &o), -AK_E2BIG);
    assert_int_equal(kernel_calls, 0);
    assert_untouched(&o);
}

/* The request of test_texts_round_trip: fixed words 0..4, s at 5, l at 6, b at 7..9, items at 10..21. */
static void t_pad_in_item(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[10] |= UINT64_C(0x01) << 8; }
static void t_pad_after_item_label(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[11] |= UINT64_C(0x01) << 8; }
static void t_tail_pad_of_item(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[13] |= UINT64_C(0x01) << 63; }
static void t_label_without_nul(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[11] |= 'x'; }
static void t_nul_in_s(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[5] &= ~(UINT64_C(0xff) << 8); }
static void t_pad_after_s(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[5] |= UINT64_C(0x20) << 48; }
static void t_l_unterminated(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[6] |= UINT64_C(0x7a) << 32; }
static void t_pad_after_b(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[9] |= UINT64_C(1) << 40; }
static void t_items_past_bound(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; b->words[4] = 4; m->info += 4; }
static void t_items_past_message(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[4] = 3; m->info -= 1; }
static void t_s_len_wraps(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; m->w[0] = UINT64_MAX - 2; m->info -= 1; }
static void t_k_wide(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; m->w[1] = 0x100; }
static void t_len_below_fixed(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; m->info = ak_msginfo(TEXTS_LABEL_ECHO, 4); }

static void test_texts_server_refuses(void **state)
{
    (void)state;
    static void (*const tampers[])(ak_msg_t *, ak_ipcbuf_t *) = {
        t_pad_in_item, t_pad_after_item_label, t_tail_pad_of_item, t_label_without_nul, t_nul_in_s,
        t_pad_after_s, t_l_unterminated, t_pad_after_b, t_items_past_bound, t_items_past_message,
        t_s_len_wraps, t_k_wide, t_len_below_fixed,
    };
    const gold_item_t *its = three_items();
    echo_out_t o;
    for (size_t i = 0; i < sizeof tampers / sizeof tampers[0]; i++) {
        tamper_request = tampers[i];
        int rc = call_echo("hello", 200, echo_l, 5, echo_b, 17, its, 3, &o);
        if (rc != -AK_EBADMSG || dispatched != -AK_EBADMSG)
            fail_msg("tamper %zu: rc %d, dispatch %d", i, rc, dispatched);
        assert_untouched(&o);
    }
    assert_int_equal(seen.calls, 0);
    /* Unchanged, the same request goes through. */
    tamper_request = NULL;
    assert_int_equal(call_echo("hello", 200, echo_l, 5, echo_b, 17, its, 3, &o), 0);
    assert_int_equal(seen.calls, 1);
}

/* The reply of test_texts_round_trip: fixed 0..4 (b_len, s_len, k, l_len, count), b at 5..7, s at 8, l at 9, items 10.. */
static void r_pad_after_b(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[7] |= UINT64_C(1) << 8; }
static void r_nul_in_s(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[8] &= ~UINT64_C(0xff); }
static void r_l_unterminated(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[9] |= UINT64_C(1) << 32; }
static void r_pad_in_item(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[10 + 4 + 1] |= UINT64_C(1) << 56; }
static void r_count_past_bound(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; b->words[4] = 4; m->info += 4; }
static void r_count_wraps(ak_msg_t *m, ak_ipcbuf_t *b) { (void)m; b->words[4] = UINT64_C(1) << 59; }
static void r_k_not_sign_extended(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; m->w[2] = 0xff38; }
static void r_one_word_long(ak_msg_t *m, ak_ipcbuf_t *b) { (void)b; m->info += 1; }

static void test_texts_client_rejects_replies(void **state)
{
    (void)state;
    static void (*const tampers[])(ak_msg_t *, ak_ipcbuf_t *) = {
        r_pad_after_b, r_nul_in_s, r_l_unterminated, r_pad_in_item, r_count_past_bound, r_count_wraps,
        r_k_not_sign_extended, r_one_word_long,
    };
    const gold_item_t *its = three_items();
    echo_out_t o;
    for (size_t i = 0; i < sizeof tampers / sizeof tampers[0]; i++) {
        tamper_reply = tampers[i];
        int rc = call_echo("hello", 200, echo_l, 5, echo_b, 17, its, 3, &o);
        if (rc != -AK_EBADMSG)
            fail_msg("tamper %zu: rc %d", i, rc);
        assert_untouched(&o);
    }
    /* A handler that claims more entries than its bound: AK_EIO, nothing sent. */
    tamper_reply = NULL;
    answer.out[1] = 1;
    assert_int_equal(call_echo("hello", 200, echo_l, 5, echo_b, 17, its, 3, &o), -AK_EIO);
    assert_untouched(&o);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_narrow_extremes, setup),
        cmocka_unit_test_setup(test_wide_uses_the_ipc_buffer, setup),
        cmocka_unit_test_setup(test_full_64_words, setup),
        cmocka_unit_test_setup(test_ping, setup),
        cmocka_unit_test_setup(test_declared_errors, setup),
        cmocka_unit_test_setup(test_long_error_reply, setup),
        cmocka_unit_test_setup(test_kernel_message, setup),
        cmocka_unit_test_setup(test_second_interface, setup),
        cmocka_unit_test_setup(test_server_rejects_out_of_range_words, setup),
        cmocka_unit_test_setup(test_client_rejects_malformed_replies, setup),
        cmocka_unit_test_setup(test_error_words_only_from_real_replies, setup),
        cmocka_unit_test_setup(test_texts_round_trip, setup),
        cmocka_unit_test_setup(test_texts_fastpath, setup),
        cmocka_unit_test_setup(test_texts_client_refuses, setup),
        cmocka_unit_test_setup(test_texts_server_refuses, setup),
        cmocka_unit_test_setup(test_texts_client_rejects_replies, setup),
    };
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
