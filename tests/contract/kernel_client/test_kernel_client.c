/*
 * Contract of the generated client stubs of idl/kernel.idl, with which
 * every program invokes kernel objects.  For every method of every
 * interface: the stub sends exactly its label, length and words on the
 * slot given (unused register words zero, reserved info bits zero), and
 * maps every reply to the result the header documents: 0 with the outs,
 * -E for an error reply E, the kernel's own error, or -AK_EBADMSG for a
 * malformed reply (wrong length, reserved bits, a label that is no result,
 * an out word too wide for its type), writing no out unless it succeeds.
 *
 * ak_ipc_call is replaced by the fake below (link-time substitution),
 * which checks the request with check_expected and answers with the reply
 * queued by will_return.  Table-driven: each method is described once and
 * called through a small adapter.
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
#include <idl/kernel_client.h>

#define EP 9u                                /* the slot every call uses */
#define UNTOUCHED UINT64_C(0x5a5a5a5a5a5a5a5a)

static ak_ipcbuf_t ipcbuf;

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return &ipcbuf;
}

typedef struct reply {
    int64_t rc;   /* < 0: the kernel's error, m unchanged */
    ak_msginfo_t info;
    uint64_t w[AK_MSG_REG_WORDS];
} reply_t;

int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m)
{
    uint64_t label = ak_msginfo_label(m->info);
    uint64_t len = ak_msginfo_len(m->info);
    uint64_t reserved = m->info & AK_MSGINFO_ZERO_MASK;
    uint64_t words[AK_MSG_REG_WORDS] = { 0 };
    for (uint64_t i = 0; i < len && i < AK_MSG_REG_WORDS; i++)
        words[i] = m->w[i];
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
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        m->w[i] = r->w[i];
    return r->rc;
}

/* ---- the methods: an adapter each, from words to the typed stub and back ---- */

typedef int call_fn(const uint64_t *in, uint64_t *out);

static int c_map(const uint64_t *in, uint64_t *out)
{
    uint8_t level = (uint8_t)out[0];
    int rc = aspace_map(EP, in[0], in[1], (uint32_t)in[2], &level, &out[1]);
    out[0] = level == (uint8_t)UNTOUCHED ? UNTOUCHED : level;
    return rc;
}
static int c_unmap(const uint64_t *in, uint64_t *out) { (void)out; return aspace_unmap(EP, in[0], in[1]); }
static int c_query(const uint64_t *in, uint64_t *out)
{
    uint32_t perms = (uint32_t)UNTOUCHED;
    int rc = aspace_query(EP, in[0], &out[0], &perms);
    out[1] = perms == (uint32_t)UNTOUCHED ? UNTOUCHED : perms;
    return rc;
}
static int c_table(const uint64_t *in, uint64_t *out) { (void)out; return aspace_table(EP, in[0], (uint8_t)in[1], in[2]); }
static int c_protect(const uint64_t *in, uint64_t *out) { (void)out; return aspace_protect(EP, in[0], in[1], (uint32_t)in[2]); }
static int c_take(const uint64_t *in, uint64_t *out) { return aspace_take(EP, in[0], &out[0]); }
static int c_map_device(const uint64_t *in, uint64_t *out)
{
    uint8_t level = (uint8_t)out[0];
    int rc = aspace_map_device(EP, in[0], (uint32_t)in[1], (uint32_t)in[2], &level, &out[1]);
    out[0] = level == (uint8_t)UNTOUCHED ? UNTOUCHED : level;
    return rc;
}
static int c_unmap_device(const uint64_t *in, uint64_t *out) { (void)out; return aspace_unmap_device(EP, in[0]); }
static int c_claim(const uint64_t *in, uint64_t *out) { (void)out; return irqctl_claim(EP, (uint32_t)in[0], (uint32_t)in[1]); }
static int c_bind(const uint64_t *in, uint64_t *out) { (void)out; return irq_bind(EP, (uint32_t)in[0]); }
static int c_ack(const uint64_t *in, uint64_t *out) { (void)in, (void)out; return irq_ack(EP); }
static int c_klog_attach(const uint64_t *in, uint64_t *out) { (void)out; return device_klog_attach(EP, (uint32_t)in[0]); }
static int c_klog_read(const uint64_t *in, uint64_t *out) { (void)in; return device_klog_read(EP, &out[0], &out[1]); }
static int c_create(const uint64_t *in, uint64_t *out)
{
    uint32_t pid = (uint32_t)UNTOUCHED;
    int rc = procctl_create(EP, (uint32_t)in[0], in[1], (uint8_t)in[2], (uint32_t)in[3], &pid);
    out[0] = pid == (uint32_t)UNTOUCHED ? UNTOUCHED : pid;
    return rc;
}
static int c_endpoint(const uint64_t *in, uint64_t *out) { (void)out; return procctl_endpoint(EP, (uint32_t)in[0]); }
static int c_census(const uint64_t *in, uint64_t *out)
{
    (void)in;
    uint32_t v[4] = { (uint32_t)UNTOUCHED, (uint32_t)UNTOUCHED, (uint32_t)UNTOUCHED, (uint32_t)UNTOUCHED };
    int rc = procctl_census(EP, &v[0], &v[1], &v[2], &v[3]);
    for (unsigned k = 0; k < 4; k++)
        out[k] = v[k] == (uint32_t)UNTOUCHED ? UNTOUCHED : v[k];
    return rc;
}
static int c_notification(const uint64_t *in, uint64_t *out) { (void)out; return procctl_notification(EP, (uint32_t)in[0]); }
static int c_aspace(const uint64_t *in, uint64_t *out) { (void)out; return process_aspace(EP, (uint32_t)in[0]); }
static int c_configure(const uint64_t *in, uint64_t *out) { (void)out; return process_configure(EP, in[0], in[1], in[2], in[3]); }
static int c_start(const uint64_t *in, uint64_t *out) { (void)in, (void)out; return process_start(EP); }
static int c_destroy(const uint64_t *in, uint64_t *out) { (void)in, (void)out; return process_destroy(EP); }
static int c_status(const uint64_t *in, uint64_t *out)
{
    (void)in;
    uint32_t pid = (uint32_t)UNTOUCHED;
    uint8_t state = (uint8_t)UNTOUCHED;
    int rc = process_status(EP, &pid, &state, &out[2]);
    out[0] = pid == (uint32_t)UNTOUCHED ? UNTOUCHED : pid;
    out[1] = state == (uint8_t)UNTOUCHED ? UNTOUCHED : state;
    return rc;
}
static int c_cap_copy(const uint64_t *in, uint64_t *out)
{
    (void)out;
    return process_cap_copy(EP, (uint32_t)in[0], (uint32_t)in[1], (uint8_t)in[2], in[3]);
}
static int c_cap_delete(const uint64_t *in, uint64_t *out) { (void)out; return process_cap_delete(EP, (uint32_t)in[0]); }
static int c_watch(const uint64_t *in, uint64_t *out) { (void)out; return process_watch(EP, (uint32_t)in[0], in[1]); }
static int c_split(const uint64_t *in, uint64_t *out) { (void)out; return physmem_split(EP, in[0], (uint32_t)in[1]); }
static int c_info(const uint64_t *in, uint64_t *out) { (void)in; return physmem_info(EP, &out[0], &out[1]); }
static int c_poweroff(const uint64_t *in, uint64_t *out) { (void)out; return power_poweroff(EP, (uint32_t)in[0]); }

typedef struct method_desc {
    const char *name;
    call_fn *call;
    uint64_t label;
    unsigned nin, nout;
    unsigned in_bits[4], out_bits[4];
} method_desc_t;

static const method_desc_t methods[] = {
    { "map", c_map, ASPACE_LABEL_MAP, 3, 0, { 64, 64, 32 }, { 0 } },
    { "unmap", c_unmap, ASPACE_LABEL_UNMAP, 2, 0, { 64, 64 }, { 0 } },
    { "query", c_query, ASPACE_LABEL_QUERY, 1, 2, { 64 }, { 64, 32 } },
    { "table", c_table, ASPACE_LABEL_TABLE, 3, 0, { 64, 8, 64 }, { 0 } },
    { "protect", c_protect, ASPACE_LABEL_PROTECT, 3, 0, { 64, 64, 32 }, { 0 } },
    { "take", c_take, ASPACE_LABEL_TAKE, 1, 1, { 64 }, { 64 } },
    { "map_device", c_map_device, ASPACE_LABEL_MAP_DEVICE, 3, 0, { 64, 32, 32 }, { 0 } },
    { "unmap_device", c_unmap_device, ASPACE_LABEL_UNMAP_DEVICE, 1, 0, { 64 }, { 0 } },
    { "create", c_create, PROCCTL_LABEL_CREATE, 4, 1, { 32, 64, 8, 32 }, { 32 } },
    { "endpoint", c_endpoint, PROCCTL_LABEL_ENDPOINT, 1, 0, { 32 }, { 0 } },
    { "census", c_census, PROCCTL_LABEL_CENSUS, 0, 4, { 0 }, { 32, 32, 32, 32 } },
    { "notification", c_notification, PROCCTL_LABEL_NOTIFICATION, 1, 0, { 32 }, { 0 } },
    { "aspace", c_aspace, PROCESS_LABEL_ASPACE, 1, 0, { 32 }, { 0 } },
    { "configure", c_configure, PROCESS_LABEL_CONFIGURE, 4, 0, { 64, 64, 64, 64 }, { 0 } },
    { "start", c_start, PROCESS_LABEL_START, 0, 0, { 0 }, { 0 } },
    { "destroy", c_destroy, PROCESS_LABEL_DESTROY, 0, 0, { 0 }, { 0 } },
    { "status", c_status, PROCESS_LABEL_STATUS, 0, 3, { 0 }, { 32, 8, 64 } },
    { "cap_copy", c_cap_copy, PROCESS_LABEL_CAP_COPY, 4, 0, { 32, 32, 8, 64 }, { 0 } },
    { "cap_delete", c_cap_delete, PROCESS_LABEL_CAP_DELETE, 1, 0, { 32 }, { 0 } },
    { "watch", c_watch, PROCESS_LABEL_WATCH, 2, 0, { 32, 64 }, { 0 } },
    { "split", c_split, PHYSMEM_LABEL_SPLIT, 2, 0, { 64, 32 }, { 0 } },
    { "info", c_info, PHYSMEM_LABEL_INFO, 0, 2, { 0 }, { 64, 64 } },
    { "poweroff", c_poweroff, POWER_LABEL_POWEROFF, 1, 0, { 32 }, { 0 } },
    { "claim", c_claim, IRQCTL_LABEL_CLAIM, 2, 0, { 32, 32 }, { 0 } },
    { "bind", c_bind, IRQ_LABEL_BIND, 1, 0, { 32 }, { 0 } },
    { "ack", c_ack, IRQ_LABEL_ACK, 0, 0, { 0 }, { 0 } },
    { "klog_attach", c_klog_attach, DEVICE_LABEL_KLOG_ATTACH, 1, 0, { 32 }, { 0 } },
    { "klog_read", c_klog_read, DEVICE_LABEL_KLOG_READ, 0, 2, { 0 }, { 64, 64 } },
};
#define NMETHODS (sizeof methods / sizeof methods[0])

static uint64_t mask(unsigned bits)
{
    return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1u;
}

/* Calls d with its largest in words, expecting exactly them on the wire; outs start UNTOUCHED. */
static int call(const method_desc_t *d, const reply_t *r, uint64_t *out)
{
    uint64_t in[4];
    for (unsigned k = 0; k < 4; k++) {
        in[k] = k < d->nin ? mask(d->in_bits[k]) - k : 0;
        out[k] = UNTOUCHED;
    }
    expect_value(ak_ipc_call, slot, EP);
    expect_value(ak_ipc_call, label, d->label);
    expect_value(ak_ipc_call, len, d->nin);
    expect_value(ak_ipc_call, reserved, 0);
    if (d->nin > 0)
        expect_memory(ak_ipc_call, words, in, d->nin * sizeof in[0]);
    will_return(ak_ipc_call, r);
    return d->call(in, out);
}

static reply_t success(const method_desc_t *d)
{
    reply_t r = { .rc = 0, .info = ak_msginfo(0, d->nout) };
    for (unsigned k = 0; k < d->nout; k++)
        r.w[k] = (UINT64_C(0x0123456789abcdef) + k) & mask(d->out_bits[k]);
    return r;
}

static void assert_untouched(const method_desc_t *d, const uint64_t *out)
{
    for (unsigned k = 0; k < d->nout; k++)
        assert_int_equal(out[k], UNTOUCHED);
}

static void test_success(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMETHODS; i++) {
        const method_desc_t *d = &methods[i];
        reply_t r = success(d);
        uint64_t out[4];
        assert_int_equal(call(d, &r, out), 0);
        for (unsigned k = 0; k < d->nout; k++)
            assert_int_equal(out[k], r.w[k]);
    }
}

static void test_error_replies(void **state)
{
    (void)state;
    static const uint64_t errs[] = { AK_EPERM, AK_EINVAL, AK_ESRCH, AK_ENOSPC, AK_ERRNO_MAX };
    for (size_t i = 0; i < NMETHODS; i++) {
        const method_desc_t *d = &methods[i];
        for (size_t e = 0; e < sizeof errs / sizeof errs[0]; e++) {
            reply_t r = { .info = ak_msginfo(errs[e], 0) };
            uint64_t out[4];
            assert_int_equal(call(d, &r, out), -(int)errs[e]);
            assert_untouched(d, out);
        }
    }
}

static void test_kernel_errors(void **state)
{
    (void)state;
    static const int64_t errs[] = { -AK_EBADF, -AK_ENOTSUP, -AK_EPERM };
    for (size_t i = 0; i < NMETHODS; i++) {
        const method_desc_t *d = &methods[i];
        for (size_t e = 0; e < sizeof errs / sizeof errs[0]; e++) {
            reply_t r = { .rc = errs[e] };
            uint64_t out[4];
            assert_int_equal(call(d, &r, out), (int)errs[e]);
            assert_untouched(d, out);
        }
    }
}

static void test_malformed_replies(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMETHODS; i++) {
        const method_desc_t *d = &methods[i];
        reply_t bad[4];
        bad[0] = success(d);
        bad[0].info = ak_msginfo(0, d->nout + 1);          /* too long */
        bad[1] = success(d);
        bad[1].info |= UINT64_C(1) << 9;                    /* a reserved bit */
        bad[2] = success(d);
        bad[2].info = ak_msginfo(AK_ERRNO_MAX + 1, 0);      /* a label that is no result */
        unsigned n = 3;
        if (d->nout > 0) {
            bad[3] = success(d);
            bad[3].info = ak_msginfo(0, d->nout - 1);       /* too short */
            n = 4;
        }
        for (unsigned b = 0; b < n; b++) {
            uint64_t out[4];
            assert_int_equal(call(d, &bad[b], out), -AK_EBADMSG);
            assert_untouched(d, out);
        }
        /* An out word wider than its type. */
        for (unsigned k = 0; k < d->nout; k++) {
            if (d->out_bits[k] >= 64)
                continue;
            reply_t r = success(d);
            r.w[k] = UINT64_C(1) << d->out_bits[k];
            uint64_t out[4];
            assert_int_equal(call(d, &r, out), -AK_EBADMSG);
            assert_untouched(d, out);
        }
    }
}

static void test_map_notable(void **state)
{
    (void)state;
    /* AK_ENOTABLE carries the missing level and the address it must cover. */
    reply_t r = { .info = ak_msginfo(AK_ENOTABLE, 2), .w = { 3, UINT64_C(0x10200000) } };
    uint64_t out[4];
    assert_int_equal(call(&methods[0], &r, out), -AK_ENOTABLE);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], UINT64_C(0x10200000));
    /* Without its words, or with a level wider than u8, it is malformed. */
    reply_t shortr = { .info = ak_msginfo(AK_ENOTABLE, 0) };
    assert_int_equal(call(&methods[0], &shortr, out), -AK_EBADMSG);
    reply_t wide = { .info = ak_msginfo(AK_ENOTABLE, 2), .w = { 0x100, 0 } };
    assert_int_equal(call(&methods[0], &wide, out), -AK_EBADMSG);
}

/* ---- range-*: map_range and take_range, their frames in the IPC buffer ---- */

/* Expects a call of label with len words whose register words are regs[0..3]. */
static void expect_call(uint64_t label, uint64_t len, const uint64_t *regs, const reply_t *r)
{
    expect_value(ak_ipc_call, slot, EP);
    expect_value(ak_ipc_call, label, label);
    expect_value(ak_ipc_call, len, len);
    expect_value(ak_ipc_call, reserved, 0);
    if (len > 0)
        expect_memory(ak_ipc_call, words, regs, (len < AK_MSG_REG_WORDS ? len : AK_MSG_REG_WORDS) * sizeof regs[0]);
    will_return(ak_ipc_call, r);
}

static void test_range_client_map(void **state)
{
    (void)state;
    aspace_frame_t f[AK_ASPACE_RANGE_MAX];
    for (uint64_t i = 0; i < AK_ASPACE_RANGE_MAX; i++)
        f[i].pa = UINT64_C(0x40000000) + i * 0x1000;
    static const reply_t ok = { .info = 0 };
    for (uint64_t n = 1; n <= AK_ASPACE_RANGE_MAX; n++) {
        memset(&ipcbuf, 0, sizeof ipcbuf);
        const uint64_t regs[4] = { UINT64_C(0x10000000), 3, n, f[0].pa };
        expect_call(ASPACE_LABEL_MAP_RANGE, 3 + n, regs, &ok);
        uint8_t level = 7;
        uint64_t va = UNTOUCHED;
        assert_int_equal(aspace_map_range(EP, UINT64_C(0x10000000), 3, f, n, &level, &va), 0);
        /* Frame i is word 3 + i: the rest of the frames in the buffer, nothing after them. */
        for (uint64_t i = 1; i < n; i++)
            assert_int_equal(ipcbuf.words[3 + i], f[i].pa);
        for (uint64_t i = 3 + n; i < AK_MSG_MAX_WORDS; i++)
            assert_int_equal(ipcbuf.words[i], 0);
        assert_int_equal(level, 7);
        assert_int_equal(va, UNTOUCHED);
    }
    /* AK_ENOTABLE stores its words; another error none. */
    const uint64_t regs[4] = { UINT64_C(0x10000000), 3, 2, f[0].pa };
    reply_t nt = { .info = ak_msginfo(AK_ENOTABLE, 2), .w = { 3, UINT64_C(0x10200000) } };
    expect_call(ASPACE_LABEL_MAP_RANGE, 5, regs, &nt);
    uint8_t level = 0;
    uint64_t va = 0;
    assert_int_equal(aspace_map_range(EP, UINT64_C(0x10000000), 3, f, 2, &level, &va), -AK_ENOTABLE);
    assert_int_equal(level, 3);
    assert_int_equal(va, UINT64_C(0x10200000));
    reply_t perm = { .info = ak_msginfo(AK_EPERM, 0) };
    expect_call(ASPACE_LABEL_MAP_RANGE, 5, regs, &perm);
    assert_int_equal(aspace_map_range(EP, UINT64_C(0x10000000), 3, f, 2, &level, &va), -AK_EPERM);
}

/* More frames than a message holds: refused before anything is sent (no call is expected). */
static void test_range_client_past_buffer(void **state)
{
    (void)state;
    aspace_frame_t f[AK_ASPACE_RANGE_MAX + 1] = { { 0 } };
    uint8_t level = 0;
    uint64_t va = 0;
    assert_int_equal(aspace_map_range(EP, 0, 1, f, AK_ASPACE_RANGE_MAX + 1, &level, &va), -AK_E2BIG);
    assert_int_equal(aspace_map_range(EP, 0, 1, f, UINT64_MAX, &level, &va), -AK_E2BIG);
}

static void test_range_client_take(void **state)
{
    (void)state;
    const uint64_t regs[4] = { UINT64_C(0x10000000), 5 };
    aspace_frame_t out[AK_ASPACE_RANGE_MAX];
    uint64_t count;
    /* 5 frames: word 0 the count, words 1..3 in registers, 4 and 5 in the buffer. */
    reply_t r = { .info = ak_msginfo(0, 6), .w = { 5, 0x40000000, 0, 0x40002000 } };
    ipcbuf.words[4] = 0x40003000;
    ipcbuf.words[5] = 0x40004000;
    expect_call(ASPACE_LABEL_TAKE_RANGE, 2, regs, &r);
    assert_int_equal(aspace_take_range(EP, UINT64_C(0x10000000), 5, out, &count), 0);
    assert_int_equal(count, 5);
    const uint64_t want[5] = { 0x40000000, 0, 0x40002000, 0x40003000, 0x40004000 };
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(out[i].pa, want[i]);
    /* Malformed: a count past the bound, a length that disagrees with it. */
    reply_t bad[3] = {
        { .info = ak_msginfo(0, AK_MSG_MAX_WORDS), .w = { AK_ASPACE_RANGE_MAX + 1 } },
        { .info = ak_msginfo(0, 4), .w = { 5 } },
        { .info = ak_msginfo(0, 6), .w = { 4 } },
    };
    for (unsigned b = 0; b < 3; b++) {
        count = UNTOUCHED;
        expect_call(ASPACE_LABEL_TAKE_RANGE, 2, regs, &bad[b]);
        assert_int_equal(aspace_take_range(EP, UINT64_C(0x10000000), 5, out, &count), -AK_EBADMSG);
        assert_int_equal(count, UNTOUCHED);
    }
    reply_t inval = { .info = ak_msginfo(AK_EINVAL, 0) };
    expect_call(ASPACE_LABEL_TAKE_RANGE, 2, regs, &inval);
    assert_int_equal(aspace_take_range(EP, UINT64_C(0x10000000), 5, out, &count), -AK_EINVAL);
    assert_int_equal(count, UNTOUCHED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success),
        cmocka_unit_test(test_error_replies),
        cmocka_unit_test(test_kernel_errors),
        cmocka_unit_test(test_malformed_replies),
        cmocka_unit_test(test_map_notable),
        { "range-client-map", test_range_client_map, NULL, NULL, NULL },
        { "range-client-past-buffer", test_range_client_past_buffer, NULL, NULL, NULL },
        { "range-client-take", test_range_client_take, NULL, NULL, NULL },
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
