/*
 * Invocations of the process table, processes, physical-memory ranges and
 * the machine (see invoke.h and idl/kernel.idl).
 *
 * As for address spaces: the generated dispatch checks the label, the
 * length and that every word fits its type; each handler checks the rest
 * before it changes anything, so a call that fails changes nothing.
 */
#include <ukernel/invoke.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/process.h>
#include <akuma/abi/syscall.h>
#include <common/string.h>
#include <idl/kernel_server.h>
#include <ukernel/halt.h>
#include <ukernel/kprintf.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/process.h>

typedef struct control_ctx {
    proc_t *caller;
    uint64_t slot;      /* the invoked capability's slot in the caller's table */
    cap_t *cap;
} control_ctx_t;

/* A slot of the caller's table that a new capability may go into. */
static int free_slot(const proc_t *p, uint64_t slot)
{
    if (slot >= AK_CAP_SLOTS)
        return -AK_EBADF;
    return p->caps.slot[slot].kind == AK_CAP_NONE ? 0 : -AK_EEXIST;
}

/* ---- procctl ---- */

static int pc_create(void *c, uint64_t badge, uint32_t process_slot, uint64_t root, uint8_t prio,
                     uint32_t pager_slot, uint32_t *out_pid)
{
    (void)badge;
    control_ctx_t *ctx = c;
    int err = free_slot(ctx->caller, process_slot);
    if (err)
        return err;
    endpoint_t *pager = NULL;
    if (pager_slot != AK_NO_SLOT) {
        const cap_t *pc = cap_lookup(&ctx->caller->caps, pager_slot, AK_CAP_ENDPOINT, AK_RIGHT_SEND, &err);
        if (!pc)
            return err;
        pager = pc->object;
    }
    proc_t *p;
    err = proc_create(ctx->caller, root, prio, pager, &p);
    if (err)
        return err;
    obj_cap_put(ctx->caller, process_slot, AK_CAP_PROCESS, AK_RIGHT_WRITE, p->pid, 0, p);
    *out_pid = p->pid;
    return 0;
}

static int pc_endpoint(void *c, uint64_t badge, uint32_t slot)
{
    (void)badge;
    control_ctx_t *ctx = c;
    int err = free_slot(ctx->caller, slot);
    if (err)
        return err;
    endpoint_t *ep = endpoint_alloc();
    if (!ep)
        return -AK_ENOSPC;
    return obj_cap_put(ctx->caller, slot, AK_CAP_ENDPOINT, AK_RIGHT_SEND | AK_RIGHT_RECV, ep->id, 0, ep);
}

static int pc_notification(void *c, uint64_t badge, uint32_t slot)
{
    (void)badge;
    control_ctx_t *ctx = c;
    int err = free_slot(ctx->caller, slot);
    if (err)
        return err;
    notification_t *n = notif_alloc();
    if (!n)
        return -AK_ENOSPC;
    return obj_cap_put(ctx->caller, slot, AK_CAP_NOTIFICATION, AK_RIGHT_SEND | AK_RIGHT_RECV, n->id, 0, n);
}

static int pc_census(void *c, uint64_t badge, uint32_t *out_procs_free, uint32_t *out_endpoints_free,
                     uint32_t *out_physmem_free, uint32_t *out_procs_max)
{
    (void)c;
    (void)badge;
    unsigned n = 0;
    for (unsigned i = 0; i < PROC_MAX; i++)
        n += procs[i].state == P_FREE;
    *out_procs_free = n;
    *out_endpoints_free = endpoints_free();
    *out_physmem_free = physmems_free();
    *out_procs_max = PROC_MAX;
    return 0;
}

static const procctl_handlers_t procctl_handlers = {
    .create = pc_create,
    .endpoint = pc_endpoint,
    .census = pc_census,
    .notification = pc_notification,
};

/* ---- process ---- */

/* The process the capability names, or NULL if it was destroyed. */
static proc_t *named(const control_ctx_t *ctx)
{
    proc_t *p = ctx->cap->object;
    return p->state != P_FREE && p->pid == ctx->cap->target ? p : NULL;
}

/* The process, if its table and address space still exist (not yet ended). */
static proc_t *running(const control_ctx_t *ctx)
{
    proc_t *p = named(ctx);
    return p && (p->state == P_CREATED || p->state == P_LIVE) ? p : NULL;
}

static int pr_aspace(void *c, uint64_t badge, uint32_t slot)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = running(ctx);
    if (!p)
        return -AK_ESRCH;
    int err = free_slot(ctx->caller, slot);
    if (err)
        return err;
    return obj_cap_put(ctx->caller, slot, AK_CAP_ASPACE, AK_RIGHT_WRITE, p->pid, 0, p);
}

static int pr_configure(void *c, uint64_t badge, uint64_t entry, uint64_t sp, uint64_t name0,
                        uint64_t name1)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = named(ctx);
    if (!p)
        return -AK_ESRCH;
    char name[AK_NAME_MAX];
    _Static_assert(AK_NAME_MAX == 2 * sizeof(uint64_t), "a name is two words");
    memcpy(name, &name0, sizeof name0); /* little-endian: the first character is the low byte */
    memcpy(name + sizeof name0, &name1, sizeof name1);
    return proc_configure(p, entry, sp, name);
}

static int pr_start(void *c, uint64_t badge)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = named(ctx);
    if (!p)
        return -AK_ESRCH;
    if (p->state != P_CREATED)
        return -AK_EBUSY;
    if (!p->configured)
        return -AK_EINVAL;
    proc_start(p);
    return 0;
}

static int pr_destroy(void *c, uint64_t badge)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = named(ctx);
    obj_cap_delete(ctx->caller, ctx->slot);
    if (!p)
        return -AK_ESRCH;
    proc_destroy(p, ctx->caller);
    return 0;
}

static int pr_status(void *c, uint64_t badge, uint32_t *out_pid, uint8_t *out_state,
                     uint64_t *out_exit_status)
{
    (void)badge;
    control_ctx_t *ctx = c;
    const proc_t *p = named(ctx);
    if (!p)
        return -AK_ESRCH;
    *out_pid = p->pid;
    switch (p->state) {
    case P_CREATED: *out_state = AK_PROC_CREATED; break;
    case P_LIVE: *out_state = AK_PROC_LIVE; break;
    case P_EXITING: *out_state = AK_PROC_EXITING; break;
    default: *out_state = AK_PROC_ENDED; break;
    }
    *out_exit_status = 0;
    if (p->state == P_EXITING || p->state == P_ENDED)
        *out_exit_status = p->killed ? AK_EXIT_KILLED : (uint64_t)p->exit_status;
    return 0;
}

static int pr_cap_copy(void *c, uint64_t badge, uint32_t from, uint32_t to, uint8_t rights,
                       uint64_t new_badge)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = running(ctx);
    if (!p)
        return -AK_ESRCH;
    if (from >= AK_CAP_SLOTS || ctx->caller->caps.slot[from].kind == AK_CAP_NONE || to >= AK_CAP_SLOTS)
        return -AK_EBADF;
    const cap_t src = ctx->caller->caps.slot[from];
    if (src.kind == AK_CAP_PROCESS || src.kind == AK_CAP_REPLY)
        return -AK_EPERM; /* they never leave their holder's table */
    if (rights == 0 || (rights & ~AK_RIGHTS_ALL) != 0)
        return -AK_EINVAL;
    if ((rights & ~src.rights) != 0)
        return -AK_EPERM;
    uint64_t b = src.badge;
    if (new_badge != 0) {
        if ((src.kind != AK_CAP_ENDPOINT && src.kind != AK_CAP_NOTIFICATION) || new_badge > AK_BADGE_MAX)
            return -AK_EINVAL;
        if (src.badge != 0)
            return -AK_EPERM;
        b = new_badge;
    }
    return obj_cap_put(p, to, src.kind, rights, src.target, b, src.object);
}

static int pr_cap_delete(void *c, uint64_t badge, uint32_t slot)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = running(ctx);
    if (!p)
        return -AK_ESRCH;
    return obj_cap_delete(p, slot);
}

static int pr_watch(void *c, uint64_t badge, uint32_t notification_slot, uint64_t bits)
{
    (void)badge;
    control_ctx_t *ctx = c;
    proc_t *p = named(ctx);
    if (!p)
        return -AK_ESRCH;
    int err = 0;
    const cap_t *nc = cap_lookup(&ctx->caller->caps, notification_slot, AK_CAP_NOTIFICATION,
                                 AK_RIGHT_SEND, &err);
    if (!nc)
        return err;
    return proc_watch(p, nc->object, bits);
}

static const process_handlers_t process_handlers = {
    .aspace = pr_aspace,
    .configure = pr_configure,
    .start = pr_start,
    .destroy = pr_destroy,
    .status = pr_status,
    .cap_copy = pr_cap_copy,
    .cap_delete = pr_cap_delete,
    .watch = pr_watch,
};

/* ---- physmem ---- */

static int pm_split(void *c, uint64_t badge, uint64_t size, uint32_t slot)
{
    (void)badge;
    control_ctx_t *ctx = c;
    physmem_t *m = ctx->cap->object;
    if (size == 0 || (size & PAGE_MASK) != 0 || size >= m->size)
        return -AK_EINVAL;
    int err = free_slot(ctx->caller, slot);
    if (err)
        return err;
    /* A range other capabilities share stays whole for them: this one gets a copy of its own. */
    unsigned need = m->refs == 1 ? 1 : 2;
    if (physmems_free() < need)
        return -AK_ENOSPC;
    physmem_t *rest = physmem_alloc();
    rest->base = m->base + size;
    rest->size = m->size - size;
    uint8_t rights = ctx->cap->rights;
    if (need == 2) {
        rest->refs = 1; /* held while the second one is found */
        physmem_t *first = physmem_alloc();
        rest->refs = 0;
        first->base = m->base;
        first->size = size;
        obj_cap_delete(ctx->caller, ctx->slot);
        obj_cap_put(ctx->caller, ctx->slot, AK_CAP_PHYSMEM, rights, (uint32_t)(first - physmems), 0, first);
    } else {
        m->size = size;
        proc_update_memory(ctx->caller);
    }
    return obj_cap_put(ctx->caller, slot, AK_CAP_PHYSMEM, rights, (uint32_t)(rest - physmems), 0, rest);
}

static int pm_info(void *c, uint64_t badge, uint64_t *out_base, uint64_t *out_size)
{
    (void)badge;
    const control_ctx_t *ctx = c;
    const physmem_t *m = ctx->cap->object;
    *out_base = m->base;
    *out_size = m->size;
    return 0;
}

static const physmem_handlers_t physmem_handlers = {
    .split = pm_split,
    .info = pm_info,
};

/* ---- power ---- */

static int pw_poweroff(void *c, uint64_t badge, uint32_t status)
{
    (void)badge;
    const control_ctx_t *ctx = c;
    if (status > AK_POWEROFF_MAX || status == AK_POWEROFF_PANIC)
        return -AK_EINVAL;
    kprintf("[kernel] power-off by pid %u (%s)\n", ctx->caller->pid, ctx->caller->name);
    halt((int)status);
}

static const power_handlers_t power_handlers = {
    .poweroff = pw_poweroff,
};

void invoke_control(thread_t *t, uint64_t slot)
{
    cap_t *cap = &t->proc->caps.slot[slot];
    if ((cap->rights & AK_RIGHT_WRITE) != AK_RIGHT_WRITE) {
        t->regs.x[0] = (uint64_t)-AK_EPERM;
        return;
    }
    control_ctx_t ctx = { t->proc, slot, cap };
    ak_msg_t *m = &t->regs.msg;
    switch (cap->kind) {
    case AK_CAP_PROCCTL: procctl_dispatch(&procctl_handlers, &ctx, cap->badge, m, t->ipcbuf); break;
    case AK_CAP_PROCESS: process_dispatch(&process_handlers, &ctx, cap->badge, m, t->ipcbuf); break;
    case AK_CAP_PHYSMEM: physmem_dispatch(&physmem_handlers, &ctx, cap->badge, m, t->ipcbuf); break;
    case AK_CAP_POWER: power_dispatch(&power_handlers, &ctx, cap->badge, m, t->ipcbuf); break;
    default: break;
    }
    t->regs.x[0] = 0;
}
