/*
 * Contract of the generated dispatch of idl/kernel.idl, with which the
 * kernel decodes every invocation of an address space, the process table,
 * a process, a physical-memory range and the machine.  For every method of
 * every interface: a well-formed request reaches exactly its handler with
 * ctx, the badge and the decoded arguments, and the handler's result
 * becomes the reply (label 0 and the out words, or the error and no
 * words).  A malformed request runs no handler and gets the documented
 * error: AK_ENOSYS for an unknown label or a missing handler, AK_EBADMSG
 * for a wrong length, reserved info bits or a word too wide for its type.
 *
 * Table-driven: each method is described once (label, the width of each
 * in and out word) and every check runs over the table.  Built with only
 * the ABI headers on the include path, as in the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <idl/kernel_server.h>

#define BADGE UINT64_C(0x2a)

/* The wire ABI is fixed: these numbers must never change. */
_Static_assert(ASPACE_LABEL_MAP == 1 && ASPACE_LABEL_UNMAP == 2 && ASPACE_LABEL_QUERY == 3 &&
               ASPACE_LABEL_TABLE == 4 && ASPACE_LABEL_PROTECT == 5 && ASPACE_LABEL_TAKE == 6 &&
               ASPACE_LABEL_MAP_DEVICE == 7 && ASPACE_LABEL_UNMAP_DEVICE == 8 && ASPACE_LABEL_MAP_RANGE == 9 &&
               ASPACE_LABEL_TAKE_RANGE == 10, "aspace labels");
_Static_assert(ASPACE_MAP_RANGE_REQ_FRAMES_MAX == AK_ASPACE_RANGE_MAX &&
               ASPACE_TAKE_RANGE_REP_FRAMES_MAX == AK_ASPACE_RANGE_MAX && AK_ASPACE_RANGE_MAX + 3 <= AK_MSG_MAX_WORDS,
               "a range fills at most one message");
_Static_assert(PROCCTL_LABEL_CREATE == 1 && PROCCTL_LABEL_ENDPOINT == 2 && PROCCTL_LABEL_CENSUS == 3 &&
               PROCCTL_LABEL_NOTIFICATION == 4, "procctl labels");
_Static_assert(PROCESS_LABEL_ASPACE == 1 && PROCESS_LABEL_CONFIGURE == 2 && PROCESS_LABEL_START == 3 &&
               PROCESS_LABEL_DESTROY == 4 && PROCESS_LABEL_STATUS == 5 && PROCESS_LABEL_CAP_COPY == 6 &&
               PROCESS_LABEL_CAP_DELETE == 7, "process labels");
_Static_assert(PHYSMEM_LABEL_SPLIT == 1 && PHYSMEM_LABEL_INFO == 2 && POWER_LABEL_POWEROFF == 1 &&
               IRQCTL_LABEL_CLAIM == 1 && IRQ_LABEL_BIND == 1 && IRQ_LABEL_ACK == 2 &&
               DEVICE_LABEL_KLOG_ATTACH == 1 && DEVICE_LABEL_KLOG_READ == 2, "labels");

enum iface { I_ASPACE, I_PROCCTL, I_PROCESS, I_PHYSMEM, I_POWER, I_IRQCTL, I_IRQ, I_DEVICE, I_COUNT };

/* What the last handler saw, and what the next one returns. */
static struct {
    unsigned calls;
    int method;
    void *ctx;
    uint64_t badge;
    uint64_t in[4];
    unsigned nin;
} rec;
static int next_rc;
static uint64_t next_out[4];
static int srv_ctx;        /* its address is the ctx every handler must get */
static ak_ipcbuf_t buf;

enum method {
    M_MAP, M_UNMAP, M_QUERY, M_TABLE, M_PROTECT, M_TAKE, M_MAP_DEVICE, M_UNMAP_DEVICE,
    M_CREATE, M_ENDPOINT, M_CENSUS, M_NOTIFICATION,
    M_ASPACE, M_CONFIGURE, M_START, M_DESTROY, M_STATUS, M_CAP_COPY, M_CAP_DELETE, M_WATCH,
    M_SPLIT, M_INFO,
    M_POWEROFF,
    M_CLAIM, M_BIND, M_ACK,
    M_KLOG_ATTACH, M_KLOG_READ,
    M_COUNT
};

typedef struct method_desc {
    const char *name;
    enum iface iface;
    uint64_t label;
    unsigned nin, nout;
    unsigned in_bits[4], out_bits[4];
} method_desc_t;

static const method_desc_t methods[M_COUNT] = {
    [M_MAP] = { "map", I_ASPACE, 1, 3, 0, { 64, 64, 32 }, { 0 } },
    [M_UNMAP] = { "unmap", I_ASPACE, 2, 2, 0, { 64, 64 }, { 0 } },
    [M_QUERY] = { "query", I_ASPACE, 3, 1, 2, { 64 }, { 64, 32 } },
    [M_TABLE] = { "table", I_ASPACE, 4, 3, 0, { 64, 8, 64 }, { 0 } },
    [M_PROTECT] = { "protect", I_ASPACE, 5, 3, 0, { 64, 64, 32 }, { 0 } },
    [M_TAKE] = { "take", I_ASPACE, 6, 1, 1, { 64 }, { 64 } },
    [M_MAP_DEVICE] = { "map_device", I_ASPACE, 7, 3, 0, { 64, 32, 32 }, { 0 } },
    [M_UNMAP_DEVICE] = { "unmap_device", I_ASPACE, 8, 1, 0, { 64 }, { 0 } },
    [M_CREATE] = { "create", I_PROCCTL, 1, 4, 1, { 32, 64, 8, 32 }, { 32 } },
    [M_ENDPOINT] = { "endpoint", I_PROCCTL, 2, 1, 0, { 32 }, { 0 } },
    [M_CENSUS] = { "census", I_PROCCTL, 3, 0, 4, { 0 }, { 32, 32, 32, 32 } },
    [M_NOTIFICATION] = { "notification", I_PROCCTL, 4, 1, 0, { 32 }, { 0 } },
    [M_ASPACE] = { "aspace", I_PROCESS, 1, 1, 0, { 32 }, { 0 } },
    [M_CONFIGURE] = { "configure", I_PROCESS, 2, 4, 0, { 64, 64, 64, 64 }, { 0 } },
    [M_START] = { "start", I_PROCESS, 3, 0, 0, { 0 }, { 0 } },
    [M_DESTROY] = { "destroy", I_PROCESS, 4, 0, 0, { 0 }, { 0 } },
    [M_STATUS] = { "status", I_PROCESS, 5, 0, 3, { 0 }, { 32, 8, 64 } },
    [M_CAP_COPY] = { "cap_copy", I_PROCESS, 6, 4, 0, { 32, 32, 8, 64 }, { 0 } },
    [M_CAP_DELETE] = { "cap_delete", I_PROCESS, 7, 1, 0, { 32 }, { 0 } },
    [M_WATCH] = { "watch", I_PROCESS, 8, 2, 0, { 32, 64 }, { 0 } },
    [M_SPLIT] = { "split", I_PHYSMEM, 1, 2, 0, { 64, 32 }, { 0 } },
    [M_INFO] = { "info", I_PHYSMEM, 2, 0, 2, { 0 }, { 64, 64 } },
    [M_POWEROFF] = { "poweroff", I_POWER, 1, 1, 0, { 32 }, { 0 } },
    [M_CLAIM] = { "claim", I_IRQCTL, 1, 2, 0, { 32, 32 }, { 0 } },
    [M_BIND] = { "bind", I_IRQ, 1, 1, 0, { 32 }, { 0 } },
    [M_ACK] = { "ack", I_IRQ, 2, 0, 0, { 0 }, { 0 } },
    [M_KLOG_ATTACH] = { "klog_attach", I_DEVICE, 1, 1, 0, { 32 }, { 0 } },
    [M_KLOG_READ] = { "klog_read", I_DEVICE, 2, 0, 2, { 0 }, { 64, 64 } },
};

/* The highest label of each interface: one past it is unknown. */
static const uint64_t max_label[I_COUNT] = { 10, 4, 8, 2, 1, 1, 2, 2 };

static uint64_t mask(unsigned bits)
{
    return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1u;
}

/* Records a call: its method, ctx, badge and in words (after a leading 0, so that none is fine). */
#define RECORD(m, ...)                                                  \
    do {                                                                \
        const uint64_t args_[] = { 0, __VA_ARGS__ };                    \
        rec.calls++;                                                    \
        rec.method = (m);                                               \
        rec.ctx = ctx;                                                  \
        rec.badge = badge;                                              \
        rec.nin = (unsigned)(sizeof args_ / sizeof args_[0]) - 1u;      \
        memcpy(rec.in, args_ + 1, rec.nin * sizeof args_[0]);           \
    } while (0)

/* ---- mocked handlers ---- */

static int h_map(void *ctx, uint64_t badge, uint64_t va, uint64_t pa, uint32_t perms, uint8_t *out_level,
                 uint64_t *out_va)
{
    RECORD(M_MAP, va, pa, perms);
    if (next_rc == -AK_ENOTABLE) {
        *out_level = (uint8_t)next_out[0];
        *out_va = next_out[1];
    }
    return next_rc;
}
static int h_unmap(void *ctx, uint64_t badge, uint64_t va, uint64_t npages)
{
    RECORD(M_UNMAP, va, npages);
    return next_rc;
}
static int h_query(void *ctx, uint64_t badge, uint64_t va, uint64_t *out_pa, uint32_t *out_perms)
{
    RECORD(M_QUERY, va);
    *out_pa = next_out[0];
    *out_perms = (uint32_t)next_out[1];
    return next_rc;
}
static int h_table(void *ctx, uint64_t badge, uint64_t va, uint8_t level, uint64_t pa)
{
    RECORD(M_TABLE, va, level, pa);
    return next_rc;
}
static int h_protect(void *ctx, uint64_t badge, uint64_t va, uint64_t npages, uint32_t perms)
{
    RECORD(M_PROTECT, va, npages, perms);
    return next_rc;
}
static int h_take(void *ctx, uint64_t badge, uint64_t va, uint64_t *out_pa)
{
    RECORD(M_TAKE, va);
    *out_pa = next_out[0];
    return next_rc;
}
static int h_map_device(void *ctx, uint64_t badge, uint64_t va, uint32_t device_slot, uint32_t perms,
                        uint8_t *out_level, uint64_t *out_va)
{
    RECORD(M_MAP_DEVICE, va, device_slot, perms);
    if (next_rc == -AK_ENOTABLE) {
        *out_level = (uint8_t)next_out[0];
        *out_va = next_out[1];
    }
    return next_rc;
}
static int h_unmap_device(void *ctx, uint64_t badge, uint64_t va)
{
    RECORD(M_UNMAP_DEVICE, va);
    return next_rc;
}
static int h_claim(void *ctx, uint64_t badge, uint32_t irq, uint32_t slot)
{
    RECORD(M_CLAIM, irq, slot);
    return next_rc;
}
static int h_bind(void *ctx, uint64_t badge, uint32_t notif_slot)
{
    RECORD(M_BIND, notif_slot);
    return next_rc;
}
static int h_ack(void *ctx, uint64_t badge)
{
    RECORD(M_ACK);
    return next_rc;
}
static int h_klog_attach(void *ctx, uint64_t badge, uint32_t notif_slot)
{
    RECORD(M_KLOG_ATTACH, notif_slot);
    return next_rc;
}
static int h_klog_read(void *ctx, uint64_t badge, uint64_t *out_n, uint64_t *out_lost)
{
    RECORD(M_KLOG_READ);
    *out_n = next_out[0];
    *out_lost = next_out[1];
    return next_rc;
}
static int h_create(void *ctx, uint64_t badge, uint32_t process_slot, uint64_t root, uint8_t prio,
                    uint32_t pager_slot, uint32_t *out_pid)
{
    RECORD(M_CREATE, process_slot, root, prio, pager_slot);
    *out_pid = (uint32_t)next_out[0];
    return next_rc;
}
static int h_endpoint(void *ctx, uint64_t badge, uint32_t slot)
{
    RECORD(M_ENDPOINT, slot);
    return next_rc;
}
static int h_census(void *ctx, uint64_t badge, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    RECORD(M_CENSUS);
    *a = (uint32_t)next_out[0];
    *b = (uint32_t)next_out[1];
    *c = (uint32_t)next_out[2];
    *d = (uint32_t)next_out[3];
    return next_rc;
}
static int h_notification(void *ctx, uint64_t badge, uint32_t slot)
{
    RECORD(M_NOTIFICATION, slot);
    return next_rc;
}
static int h_aspace(void *ctx, uint64_t badge, uint32_t slot)
{
    RECORD(M_ASPACE, slot);
    return next_rc;
}
static int h_configure(void *ctx, uint64_t badge, uint64_t entry, uint64_t sp, uint64_t name0, uint64_t name1)
{
    RECORD(M_CONFIGURE, entry, sp, name0, name1);
    return next_rc;
}
static int h_start(void *ctx, uint64_t badge)
{
    RECORD(M_START);
    return next_rc;
}
static int h_destroy(void *ctx, uint64_t badge)
{
    RECORD(M_DESTROY);
    return next_rc;
}
static int h_status(void *ctx, uint64_t badge, uint32_t *out_pid, uint8_t *out_state, uint64_t *out_exit)
{
    RECORD(M_STATUS);
    *out_pid = (uint32_t)next_out[0];
    *out_state = (uint8_t)next_out[1];
    *out_exit = next_out[2];
    return next_rc;
}
static int h_cap_copy(void *ctx, uint64_t badge, uint32_t from, uint32_t to, uint8_t rights, uint64_t new_badge)
{
    RECORD(M_CAP_COPY, from, to, rights, new_badge);
    return next_rc;
}
static int h_cap_delete(void *ctx, uint64_t badge, uint32_t slot)
{
    RECORD(M_CAP_DELETE, slot);
    return next_rc;
}
static int h_watch(void *ctx, uint64_t badge, uint32_t notification_slot, uint64_t bits)
{
    RECORD(M_WATCH, notification_slot, bits);
    return next_rc;
}
static int h_split(void *ctx, uint64_t badge, uint64_t size, uint32_t slot)
{
    RECORD(M_SPLIT, size, slot);
    return next_rc;
}
static int h_info(void *ctx, uint64_t badge, uint64_t *out_base, uint64_t *out_size)
{
    RECORD(M_INFO);
    *out_base = next_out[0];
    *out_size = next_out[1];
    return next_rc;
}
static int h_poweroff(void *ctx, uint64_t badge, uint32_t status)
{
    RECORD(M_POWEROFF, status);
    return next_rc;
}

/* The range methods (arrays in the IPC buffer), outside the table: what the last one saw and returns. */
static struct {
    unsigned calls;
    uint64_t va, second, count;
    aspace_frame_t frames[AK_ASPACE_RANGE_MAX];
} range_rec;
static uint64_t next_count;

static int h_map_range(void *ctx, uint64_t badge, uint64_t va, uint32_t perms, const aspace_frame_t *frames,
                       uint64_t frames_count, uint8_t *out_level, uint64_t *out_va)
{
    assert_ptr_equal(ctx, &srv_ctx);
    assert_int_equal(badge, BADGE);
    assert_true(frames_count <= AK_ASPACE_RANGE_MAX);
    range_rec.calls++;
    range_rec.va = va;
    range_rec.second = perms;
    range_rec.count = frames_count;
    memcpy(range_rec.frames, frames, frames_count * sizeof *frames);
    if (next_rc == -AK_ENOTABLE) {
        *out_level = (uint8_t)next_out[0];
        *out_va = next_out[1];
    }
    return next_rc;
}

static int h_take_range(void *ctx, uint64_t badge, uint64_t va, uint64_t npages, aspace_frame_t *out_frames,
                        uint64_t *out_count)
{
    assert_ptr_equal(ctx, &srv_ctx);
    assert_int_equal(badge, BADGE);
    range_rec.calls++;
    range_rec.va = va;
    range_rec.second = npages;
    for (uint64_t i = 0; i < next_count && i < AK_ASPACE_RANGE_MAX; i++)
        out_frames[i].pa = UINT64_C(0x40000000) + i * 0x1000;
    *out_count = next_count;
    return next_rc;
}

static const aspace_handlers_t aspace_h = { h_map, h_unmap, h_query, h_table, h_protect, h_take, h_map_device,
                                            h_unmap_device, h_map_range, h_take_range };
static const irqctl_handlers_t irqctl_h = { h_claim };
static const irq_handlers_t irq_h = { h_bind, h_ack };
static const device_handlers_t device_h = { h_klog_attach, h_klog_read };
static const procctl_handlers_t procctl_h = { .create = h_create, .endpoint = h_endpoint, .census = h_census,
                                              .notification = h_notification };
static const process_handlers_t process_h = { h_aspace, h_configure, h_start, h_destroy, h_status, h_cap_copy,
                                              h_cap_delete, h_watch };
static const physmem_handlers_t physmem_h = { h_split, h_info };
static const power_handlers_t power_h = { h_poweroff };

/* Dispatches m through iface's dispatch, with every handler or with none. */
static int dispatch(enum iface i, bool with_handlers, ak_msg_t *m)
{
    static const aspace_handlers_t no_aspace;
    static const procctl_handlers_t no_procctl;
    static const process_handlers_t no_process;
    static const physmem_handlers_t no_physmem;
    static const power_handlers_t no_power;
    static const irqctl_handlers_t no_irqctl;
    static const irq_handlers_t no_irq;
    static const device_handlers_t no_device;
    switch (i) {
    case I_ASPACE: return aspace_dispatch(with_handlers ? &aspace_h : &no_aspace, &srv_ctx, BADGE, m, &buf);
    case I_PROCCTL: return procctl_dispatch(with_handlers ? &procctl_h : &no_procctl, &srv_ctx, BADGE, m, &buf);
    case I_PROCESS: return process_dispatch(with_handlers ? &process_h : &no_process, &srv_ctx, BADGE, m, &buf);
    case I_PHYSMEM: return physmem_dispatch(with_handlers ? &physmem_h : &no_physmem, &srv_ctx, BADGE, m, &buf);
    case I_POWER: return power_dispatch(with_handlers ? &power_h : &no_power, &srv_ctx, BADGE, m, &buf);
    case I_IRQCTL: return irqctl_dispatch(with_handlers ? &irqctl_h : &no_irqctl, &srv_ctx, BADGE, m, &buf);
    case I_IRQ: return irq_dispatch(with_handlers ? &irq_h : &no_irq, &srv_ctx, BADGE, m, &buf);
    case I_DEVICE: return device_dispatch(with_handlers ? &device_h : &no_device, &srv_ctx, BADGE, m, &buf);
    default: break;
    }
    fail();
    return 0;
}

/* A request of label with len words from words; registers past len hold junk. */
static ak_msg_t request(uint64_t label, uint64_t len, const uint64_t *words)
{
    ak_msg_t m;
    m.info = ak_msginfo(label, len);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        m.w[i] = UINT64_C(0xbad0bad0bad0bad0) + i;
    for (uint64_t i = 0; i < len && i < AK_MSG_REG_WORDS; i++)
        m.w[i] = words[i];
    return m;
}

/* The largest value of each in word: every bit its type allows. */
static void full_words(const method_desc_t *d, uint64_t *w)
{
    for (unsigned k = 0; k < 4; k++)
        w[k] = k < d->nin ? mask(d->in_bits[k]) - k : 0;
}

static void assert_error_reply(const ak_msg_t *m, int rc, uint64_t err)
{
    assert_int_equal(rc, -(int)err);
    assert_int_equal(ak_msginfo_label(m->info), err);
    assert_int_equal(ak_msginfo_len(m->info), 0);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);
}

/* m must be refused with err, reaching no handler. */
static void assert_rejected(enum iface i, bool with_handlers, ak_msg_t m, uint64_t err)
{
    unsigned before = rec.calls;
    int rc = dispatch(i, with_handlers, &m);
    assert_error_reply(&m, rc, err);
    assert_int_equal(rec.calls, before);
}

static int setup(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof rec);
    memset(&range_rec, 0, sizeof range_rec);
    next_count = 0;
    memset(&buf, 0, sizeof buf);
    next_rc = 0;
    for (unsigned k = 0; k < 4; k++)
        next_out[k] = UINT64_C(0x1111111111111111) * (k + 1);
    return 0;
}

/* ---- the checks, over every method ---- */

static void test_requests_reach_their_handler(void **state)
{
    (void)state;
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        uint64_t w[4];
        full_words(d, w);
        ak_msg_t m = request(d->label, d->nin, w);
        unsigned before = rec.calls;
        assert_int_equal(dispatch(d->iface, true, &m), 0);
        assert_int_equal(rec.calls, before + 1);
        assert_int_equal(rec.method, mi);
        assert_ptr_equal(rec.ctx, &srv_ctx);
        assert_int_equal(rec.badge, BADGE);
        assert_int_equal(rec.nin, d->nin);
        for (unsigned k = 0; k < d->nin; k++)
            assert_int_equal(rec.in[k], w[k]);
        /* The reply: label 0, the outs, each cut to its type; no other register leaks. */
        assert_int_equal(m.info, ak_msginfo(0, d->nout));
        for (unsigned k = 0; k < AK_MSG_REG_WORDS; k++)
            assert_int_equal(m.w[k], k < d->nout ? next_out[k] & mask(d->out_bits[k]) : 0);
    }
}

static void test_handler_errors_become_replies(void **state)
{
    (void)state;
    static const int errs[] = { AK_EPERM, AK_EINVAL, AK_ESRCH, AK_ENOSPC, AK_ERRNO_MAX };
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        for (size_t e = 0; e < sizeof errs / sizeof errs[0]; e++) {
            uint64_t w[4];
            full_words(d, w);
            ak_msg_t m = request(d->label, d->nin, w);
            next_rc = -errs[e];
            int rc = dispatch(d->iface, true, &m);
            assert_error_reply(&m, rc, (uint64_t)errs[e]);
        }
    }
}

static void test_map_notable_carries_words(void **state)
{
    (void)state;
    uint64_t w[4] = { UINT64_C(0x10000000), UINT64_C(0x40001000), 3 };
    ak_msg_t m = request(ASPACE_LABEL_MAP, 3, w);
    next_rc = -AK_ENOTABLE;
    next_out[0] = 2;
    next_out[1] = UINT64_C(0x10000000);
    assert_int_equal(dispatch(I_ASPACE, true, &m), -AK_ENOTABLE);
    assert_int_equal(m.info, ak_msginfo(AK_ENOTABLE, 2));
    assert_int_equal(m.w[0], 2);
    assert_int_equal(m.w[1], UINT64_C(0x10000000));
}

static void test_wrong_lengths(void **state)
{
    (void)state;
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        uint64_t w[AK_MSG_MAX_WORDS] = { 0 };
        assert_rejected(d->iface, true, request(d->label, d->nin + 1, w), AK_EBADMSG);
        assert_rejected(d->iface, true, request(d->label, AK_MSG_MAX_WORDS, w), AK_EBADMSG);
        if (d->nin > 0)
            assert_rejected(d->iface, true, request(d->label, d->nin - 1, w), AK_EBADMSG);
    }
}

static void test_words_too_wide(void **state)
{
    (void)state;
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        for (unsigned k = 0; k < d->nin; k++) {
            if (d->in_bits[k] >= 64)
                continue;
            uint64_t w[4];
            full_words(d, w);
            w[k] = UINT64_C(1) << d->in_bits[k]; /* one past the type */
            assert_rejected(d->iface, true, request(d->label, d->nin, w), AK_EBADMSG);
            w[k] = UINT64_MAX;
            assert_rejected(d->iface, true, request(d->label, d->nin, w), AK_EBADMSG);
        }
    }
}

static void test_reserved_info_bits(void **state)
{
    (void)state;
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        uint64_t w[4];
        full_words(d, w);
        for (unsigned bit = 7; bit <= 11; bit++) {
            ak_msg_t m = request(d->label, d->nin, w);
            m.info |= UINT64_C(1) << bit;
            assert_rejected(d->iface, true, m, AK_EBADMSG);
        }
    }
}

static void test_unknown_labels(void **state)
{
    (void)state;
    uint64_t w[4] = { 0 };
    for (int i = 0; i < I_COUNT; i++) {
        const uint64_t labels[] = { 0, max_label[i] + 1, 0xA0001, AK_MSGINFO_LABEL_MAX };
        for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++)
            for (uint64_t len = 0; len <= 4; len++)
                assert_rejected((enum iface)i, true, request(labels[l], len, w), AK_ENOSYS);
    }
}

/* ---- range-*: map_range and take_range, their frames in the IPC buffer ---- */

/* A map_range request of count frames (words 3.. in registers, then the buffer), len words in all. */
static ak_msg_t range_request(uint64_t count, uint64_t len)
{
    uint64_t w[AK_MSG_MAX_WORDS + 1] = { UINT64_C(0x10000000), AK_PROT_READ, count };
    for (uint64_t i = 3; i < AK_MSG_MAX_WORDS + 1; i++)
        w[i] = UINT64_C(0x40000000) + (i - 3) * 0x1000;
    for (uint64_t i = 4; i < AK_MSG_MAX_WORDS; i++)
        buf.words[i] = w[i];
    return request(ASPACE_LABEL_MAP_RANGE, len, w);
}

static void assert_range_rejected(ak_msg_t m, uint64_t err)
{
    unsigned before = range_rec.calls;
    int rc = dispatch(I_ASPACE, true, &m);
    assert_error_reply(&m, rc, err);
    assert_int_equal(range_rec.calls, before);
}

static void test_range_map_frames(void **state)
{
    (void)state;
    for (uint64_t n = 1; n <= AK_ASPACE_RANGE_MAX; n++) {
        ak_msg_t m = range_request(n, 3 + n);
        assert_int_equal(dispatch(I_ASPACE, true, &m), 0);
        assert_int_equal(range_rec.va, UINT64_C(0x10000000));
        assert_int_equal(range_rec.second, AK_PROT_READ);
        assert_int_equal(range_rec.count, n);
        for (uint64_t i = 0; i < n; i++)
            assert_int_equal(range_rec.frames[i].pa, UINT64_C(0x40000000) + i * 0x1000);
        assert_int_equal(m.info, ak_msginfo(0, 0));
    }
    /* ENOTABLE carries the level and the page. */
    ak_msg_t m = range_request(5, 8);
    next_rc = -AK_ENOTABLE;
    next_out[0] = 3;
    next_out[1] = UINT64_C(0x10200000);
    assert_int_equal(dispatch(I_ASPACE, true, &m), -AK_ENOTABLE);
    assert_int_equal(m.info, ak_msginfo(AK_ENOTABLE, 2));
    assert_int_equal(m.w[0], 3);
    assert_int_equal(m.w[1], UINT64_C(0x10200000));
    /* Any other error: no words. */
    m = range_request(5, 8);
    next_rc = -AK_EPERM;
    assert_error_reply(&m, dispatch(I_ASPACE, true, &m), AK_EPERM);
}

/* A count of 0 is well formed: the handler refuses it (the kernel's answers AK_EINVAL). */
static void test_range_count_zero(void **state)
{
    (void)state;
    ak_msg_t m = range_request(0, 3);
    next_rc = -AK_EINVAL;
    assert_error_reply(&m, dispatch(I_ASPACE, true, &m), AK_EINVAL);
    assert_int_equal(range_rec.calls, 1);
    assert_int_equal(range_rec.count, 0);
}

/* Counts past the bound or the message, lengths that disagree with the count: refused before the handler. */
static void test_range_past_buffer(void **state)
{
    (void)state;
    assert_range_rejected(range_request(AK_ASPACE_RANGE_MAX + 1, AK_MSG_MAX_WORDS), AK_EBADMSG);
    assert_range_rejected(range_request(AK_ASPACE_RANGE_MAX + 1, 4 + AK_ASPACE_RANGE_MAX), AK_EBADMSG);
    assert_range_rejected(range_request(UINT64_MAX, AK_MSG_MAX_WORDS), AK_EBADMSG);
    assert_range_rejected(range_request(UINT64_MAX / 8 + 1, 3), AK_EBADMSG); /* count * 8 wraps to 0 */
    assert_range_rejected(range_request(4, 6), AK_EBADMSG);
    assert_range_rejected(range_request(4, 8), AK_EBADMSG);
    assert_range_rejected(range_request(1, 2), AK_EBADMSG);
    assert_range_rejected(range_request(1, AK_MSG_MAX_WORDS + 1), AK_EBADMSG);
    /* take_range: exactly two words. */
    uint64_t w[4] = { UINT64_C(0x10000000), 4 };
    assert_range_rejected(request(ASPACE_LABEL_TAKE_RANGE, 3, w), AK_EBADMSG);
    assert_range_rejected(request(ASPACE_LABEL_TAKE_RANGE, 1, w), AK_EBADMSG);
}

static void test_range_reserved_bits(void **state)
{
    (void)state;
    ak_msg_t m = range_request(2, 5);
    m.w[1] = UINT64_C(1) << 32; /* perms is a u32 */
    assert_range_rejected(m, AK_EBADMSG);
    for (unsigned bit = 7; bit <= 11; bit++) {
        m = range_request(2, 5);
        m.info |= UINT64_C(1) << bit;
        assert_range_rejected(m, AK_EBADMSG);
        uint64_t w[4] = { UINT64_C(0x10000000), 4 };
        m = request(ASPACE_LABEL_TAKE_RANGE, 2, w);
        m.info |= UINT64_C(1) << bit;
        assert_range_rejected(m, AK_EBADMSG);
    }
}

static void test_range_take_reply(void **state)
{
    (void)state;
    for (uint64_t n = 0; n <= AK_ASPACE_RANGE_MAX; n++) {
        uint64_t w[4] = { UINT64_C(0x10000000), n };
        ak_msg_t m = request(ASPACE_LABEL_TAKE_RANGE, 2, w);
        next_count = n;
        memset(&buf, 0, sizeof buf);
        assert_int_equal(dispatch(I_ASPACE, true, &m), 0);
        assert_int_equal(range_rec.second, n);
        /* Word 0 the count, then the frames: words 1..3 in registers, the rest in the buffer. */
        assert_int_equal(m.info, ak_msginfo(0, 1 + n));
        assert_int_equal(m.w[0], n);
        for (uint64_t i = 0; i < n; i++)
            assert_int_equal(i + 1 < AK_MSG_REG_WORDS ? m.w[i + 1] : buf.words[i + 1],
                             UINT64_C(0x40000000) + i * 0x1000);
        for (uint64_t i = n + 1; i < AK_MSG_REG_WORDS; i++)
            assert_int_equal(m.w[i], 0);
    }
    /* A handler that claims more frames than the bound is a bug: AK_EIO, not a longer message. */
    uint64_t w[4] = { UINT64_C(0x10000000), 1 };
    ak_msg_t m = request(ASPACE_LABEL_TAKE_RANGE, 2, w);
    next_count = AK_ASPACE_RANGE_MAX + 1;
    assert_error_reply(&m, dispatch(I_ASPACE, true, &m), AK_EIO);
    /* An error: no words. */
    m = request(ASPACE_LABEL_TAKE_RANGE, 2, w);
    next_count = 1;
    next_rc = -AK_EPERM;
    assert_error_reply(&m, dispatch(I_ASPACE, true, &m), AK_EPERM);
}

static void test_range_missing_handlers(void **state)
{
    (void)state;
    assert_rejected(I_ASPACE, false, range_request(2, 5), AK_ENOSYS);
    uint64_t w[4] = { UINT64_C(0x10000000), 1 };
    assert_rejected(I_ASPACE, false, request(ASPACE_LABEL_TAKE_RANGE, 2, w), AK_ENOSYS);
}

static void test_missing_handlers(void **state)
{
    (void)state;
    for (int mi = 0; mi < M_COUNT; mi++) {
        const method_desc_t *d = &methods[mi];
        uint64_t w[4];
        full_words(d, w);
        assert_rejected(d->iface, false, request(d->label, d->nin, w), AK_ENOSYS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_requests_reach_their_handler, setup),
        cmocka_unit_test_setup(test_handler_errors_become_replies, setup),
        cmocka_unit_test_setup(test_map_notable_carries_words, setup),
        cmocka_unit_test_setup(test_wrong_lengths, setup),
        cmocka_unit_test_setup(test_words_too_wide, setup),
        cmocka_unit_test_setup(test_reserved_info_bits, setup),
        cmocka_unit_test_setup(test_unknown_labels, setup),
        cmocka_unit_test_setup(test_missing_handlers, setup),
        { "range-map-frames", test_range_map_frames, setup, NULL, NULL },
        { "range-count-zero", test_range_count_zero, setup, NULL, NULL },
        { "range-past-buffer", test_range_past_buffer, setup, NULL, NULL },
        { "range-reserved-bits", test_range_reserved_bits, setup, NULL, NULL },
        { "range-take-reply", test_range_take_reply, setup, NULL, NULL },
        { "range-missing-handlers", test_range_missing_handlers, setup, NULL, NULL },
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
