/*
 * Address-space invocations (see invoke.h and idl/kernel.idl).
 *
 * Decode, then act: aspace_dispatch checks the label, the length, the
 * reserved bits and the range of every word before a handler runs; each
 * handler is one vspace_* call, which checks the rest (alignment, the
 * user range, W^X, the frame's state and that it lies inside the caller's
 * physical memory) and either does all of its work or none.
 */
#include <ukernel/invoke.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <idl/kernel_server.h>
#include <ukernel/device.h>
#include <ukernel/vspace.h>

typedef struct invoke_ctx {
    proc_t *target;              /* whose address space */
    const frame_range_t *allowed; /* the caller's physical memory */
    proc_t *caller;              /* for the device capability of map_device */
} invoke_ctx_t;

static unsigned prot_to_perms(uint32_t prot)
{
    unsigned perms = 0;
    if (prot & AK_PROT_READ)
        perms |= PT_READ;
    if (prot & AK_PROT_WRITE)
        perms |= PT_WRITE;
    if (prot & AK_PROT_EXEC)
        perms |= PT_EXEC;
    return perms;
}

static uint32_t perms_to_prot(unsigned perms)
{
    return ((perms & PT_READ) ? AK_PROT_READ : 0) | ((perms & PT_WRITE) ? AK_PROT_WRITE : 0) |
           ((perms & PT_EXEC) ? AK_PROT_EXEC : 0);
}

/* A prot with bits beyond R/W/X is refused, not trimmed. */
static bool prot_valid(uint32_t prot)
{
    return (prot & ~(AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC)) == 0;
}

static int do_map(void *c, uint64_t badge, uint64_t va, uint64_t pa, uint32_t prot,
                  uint8_t *out_level, uint64_t *out_va)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    if (!prot_valid(prot))
        return -AK_EINVAL;
    unsigned level = 0;
    int err = vspace_map(&ctx->target->vs, ctx->allowed, va, pa, prot_to_perms(prot), &level);
    if (err == -AK_ENOTABLE) {
        *out_level = (uint8_t)level;
        *out_va = va;
    }
    return err;
}

static int do_unmap(void *c, uint64_t badge, uint64_t va, uint64_t npages)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    int n = vspace_unmap(&ctx->target->vs, va, npages);
    return n < 0 ? n : 0;
}

static int do_query(void *c, uint64_t badge, uint64_t va, uint64_t *out_pa, uint32_t *out_prot)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    paddr_t pa;
    unsigned perms;
    int err = vspace_query(&ctx->target->vs, va, &pa, &perms);
    if (err)
        return err;
    *out_pa = pa;
    *out_prot = perms_to_prot(perms);
    return 0;
}

static int do_table(void *c, uint64_t badge, uint64_t va, uint8_t level, uint64_t pa)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    return vspace_supply_table(&ctx->target->vs, ctx->allowed, va, level, pa);
}

static int do_protect(void *c, uint64_t badge, uint64_t va, uint64_t npages, uint32_t prot)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    if (!prot_valid(prot))
        return -AK_EINVAL;
    int n = vspace_protect(&ctx->target->vs, va, npages, prot_to_perms(prot));
    return n < 0 ? n : 0;
}

static int do_take(void *c, uint64_t badge, uint64_t va, uint64_t *out_pa)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    paddr_t pa;
    if ((va & PAGE_MASK) != 0)
        return -AK_EINVAL;
    int err = vspace_take(&ctx->target->vs, va, &pa);
    if (err)
        return err;
    *out_pa = pa;
    return 0;
}

static int do_map_device(void *c, uint64_t badge, uint64_t va, uint32_t device_slot, uint32_t prot,
                         uint8_t *out_level, uint64_t *out_va)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    unsigned level = 0;
    int err = device_map(ctx->caller, &ctx->target->vs, va, device_slot, prot, &level);
    if (err == -AK_ENOTABLE) {
        *out_level = (uint8_t)level;
        *out_va = va;
    }
    return err;
}

static int do_unmap_device(void *c, uint64_t badge, uint64_t va)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    return device_unmap(&ctx->target->vs, va);
}

static int do_map_range(void *c, uint64_t badge, uint64_t va, uint32_t prot, const aspace_frame_t *frames,
                        uint64_t frames_count, uint8_t *out_level, uint64_t *out_va)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    if (!prot_valid(prot))
        return -AK_EINVAL;
    paddr_t pa[AK_ASPACE_RANGE_MAX]; /* the dispatch bounds frames_count */
    for (uint64_t i = 0; i < frames_count; i++)
        pa[i] = frames[i].pa;
    unsigned level = 0;
    vaddr_t where = 0;
    int err = vspace_map_range(&ctx->target->vs, ctx->allowed, va, pa, frames_count, prot_to_perms(prot),
                               &level, &where);
    if (err == -AK_ENOTABLE) {
        *out_level = (uint8_t)level;
        *out_va = where;
    }
    return err;
}

static int do_take_range(void *c, uint64_t badge, uint64_t va, uint64_t npages, aspace_frame_t *out_frames,
                         uint64_t *out_count)
{
    (void)badge;
    invoke_ctx_t *ctx = c;
    if (npages > AK_ASPACE_RANGE_MAX)
        return -AK_EINVAL;
    paddr_t pa[AK_ASPACE_RANGE_MAX];
    int n = vspace_take_range(&ctx->target->vs, va, npages, pa);
    if (n < 0)
        return n;
    for (uint64_t i = 0; i < npages; i++)
        out_frames[i].pa = pa[i];
    *out_count = npages;
    return 0;
}

static const aspace_handlers_t aspace_handlers = {
    .map = do_map,
    .unmap = do_unmap,
    .query = do_query,
    .table = do_table,
    .protect = do_protect,
    .take = do_take,
    .map_device = do_map_device,
    .unmap_device = do_unmap_device,
};

/*
 * The range methods, whose frames travel in the IPC buffer: decoded by a
 * copy of the dispatch of their own (below), so that their arrays and
 * loops stay out of the flattened path of the short methods.
 */
static const aspace_handlers_t aspace_range_handlers = {
    .map_range = do_map_range,
    .take_range = do_take_range,
};

static __attribute__((noinline)) void invoke_aspace_range(thread_t *t, invoke_ctx_t *ctx, uint64_t badge)
{
    aspace_dispatch(&aspace_range_handlers, ctx, badge, &t->regs.msg, t->ipcbuf);
}

/*
 * Flattened: the generated dispatch is inlined here (it is visible to the
 * compiler at link time: KERNEL_LTO_SRCS in the Makefile) together with
 * the handler table above, so each method's handler is called directly,
 * not through the table, and inlined in turn.
 */
__attribute__((flatten)) thread_t *invoke_aspace(thread_t *t, const cap_t *cap)
{
    /* The slot and the kind are the caller's checks; the right is checked here, as cap_lookup would. */
    if ((cap->rights & AK_RIGHT_WRITE) != AK_RIGHT_WRITE) {
        t->regs.x[0] = (uint64_t)-AK_EPERM;
        return t;
    }
    proc_t *target = cap->object;
    /* The process it named has gone and its slot may hold another: stale. */
    if (target->pid != cap->target) {
        t->regs.x[0] = 0;
        t->regs.msg.info = ak_msginfo(AK_ESRCH, 0);
        return t;
    }
    invoke_ctx_t ctx = { target, &t->proc->memory, t->proc };
    /* The request is decoded from t's message registers and the reply left in them. */
    uint64_t label = ak_msginfo_label(t->regs.msg.info);
    if (label >= ASPACE_LABEL_MAP_RANGE) /* the range methods, and unknown labels (AK_ENOSYS there) */
        invoke_aspace_range(t, &ctx, cap->badge);
    else
        aspace_dispatch(&aspace_handlers, &ctx, cap->badge, &t->regs.msg, t->ipcbuf);
    t->regs.x[0] = 0;
    return t;
}

bool invoke_kernel_object(thread_t *t, uint64_t slot)
{
    if (slot >= AK_CAP_SLOTS)
        return false;
    switch (t->proc->caps.slot[slot].kind) {
    case AK_CAP_ASPACE:
        invoke_aspace(t, &t->proc->caps.slot[slot]);
        return true;
    case AK_CAP_PROCCTL:
    case AK_CAP_PROCESS:
    case AK_CAP_PHYSMEM:
    case AK_CAP_POWER:
        invoke_control(t, slot);
        return true;
    case AK_CAP_IRQCTL:
    case AK_CAP_IRQ:
    case AK_CAP_DEVICE:
        invoke_irq(t, slot);
        return true;
    default:
        return false;
    }
}
