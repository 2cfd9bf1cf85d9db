/*
 * Device frames and interrupts for userspace drivers (see device.h).
 */
#include <ukernel/device.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/syscall.h>
#include <common/string.h>
#include <idl/kernel_server.h>
#include <ukernel/arch/memory.h>
#include <ukernel/fdt.h>
#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/plat.h>
#include <ukernel/vspace.h>

device_t devices[DEVICE_MAX];
static irq_handler_t handlers[IRQ_HANDLER_MAX];

void devices_init(paddr_t dtb_pa)
{
    size_t avail;
    const void *dtb = plat_dtb(dtb_pa, &avail);
    uint64_t base, size;
    unsigned irq;
    if (!dtb || fdt_device(dtb, avail, "arm,pl011", &base, &size, &irq) != 0 || (base & PAGE_MASK) != 0 ||
        size == 0 || size > PAGE_SIZE)
        return;
    devices[0] = (device_t){ .name = "pl011", .base = base, .irq = irq };
    kprintf("[kernel] device pl011: page 0x%lx, interrupt %u\n", base, irq);
}

device_t *device_by_name(const char *name)
{
    for (unsigned i = 0; i < DEVICE_MAX; i++)
        if (devices[i].name && strcmp(devices[i].name, name) == 0)
            return &devices[i];
    return NULL;
}

void devices_forget(const vspace_t *vs)
{
    klog_forget(vs);
    for (unsigned i = 0; i < DEVICE_MAX; i++)
        if (devices[i].mapped_in == vs)
            devices[i].mapped_in = NULL;
}

int device_map(proc_t *caller, vspace_t *vs, vaddr_t va, uint64_t device_slot, uint32_t prot,
               unsigned *missing_level)
{
    int err;
    const cap_t *c = cap_lookup(&caller->caps, device_slot, AK_CAP_DEVICE, AK_RIGHT_WRITE, &err);
    if (!c)
        return err;
    if (prot & AK_PROT_EXEC)
        return -AK_EACCES;  /* registers are never code */
    if (prot != AK_PROT_READ && prot != (AK_PROT_READ | AK_PROT_WRITE))
        return -AK_EINVAL;
    if (va < AK_DEVICE_VA_MIN || va >= AK_DEVICE_VA_MAX || (va & PAGE_MASK) != 0)
        return -AK_EINVAL;
    device_t *d = c->object;
    if (d->mapped_in)
        return -AK_EBUSY;   /* one address space at a time */
    err = vspace_map_device(vs, va, d->base, PT_READ | ((prot & AK_PROT_WRITE) ? PT_WRITE : 0), missing_level);
    if (err)
        return err;
    d->mapped_in = vs;
    d->mapped_va = va;
    return 0;
}

int device_unmap(vspace_t *vs, vaddr_t va)
{
    paddr_t pa;
    int err = vspace_unmap_device(vs, va, &pa);
    if (err)
        return err;
    for (unsigned i = 0; i < DEVICE_MAX; i++)
        if (devices[i].mapped_in == vs && devices[i].base == pa)
            devices[i].mapped_in = NULL;
    return 0;
}

/* ---- interrupts ---- */

static irq_handler_t *handler_of(unsigned irq)
{
    for (unsigned i = 0; i < IRQ_HANDLER_MAX; i++)
        if (handlers[i].irq == irq && irq != 0)
            return &handlers[i];
    return NULL;
}

bool irq_deliver(unsigned irq)
{
    irq_handler_t *h = handler_of(irq);
    if (!h)
        return false;
    /* Masked until the handler acknowledges: a level-triggered line would fire again at once. */
    plat_irq_disable(irq);
    if (h->notif)
        notif_signal(h->notif, h->badge);
    return true;
}

unsigned irq_bound(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < IRQ_HANDLER_MAX; i++)
        n += handlers[i].irq != 0 && handlers[i].notif != NULL;
    return n;
}

void irq_handler_unref(irq_handler_t *h)
{
    if (--h->refs != 0)
        return;
    plat_irq_disable(h->irq);
    if (h->notif)
        notif_unref(h->notif);
    *h = (irq_handler_t){ 0 };
}

typedef struct irq_ctx {
    proc_t *caller;
    thread_t *t;
    cap_t *cap;
} irq_ctx_t;

static int ic_claim(void *c, uint64_t badge, uint32_t irq, uint32_t slot)
{
    (void)badge;
    irq_ctx_t *ctx = c;
    if (irq == plat_timer_irq())
        return -AK_EPERM;  /* the kernel's own line */
    if (irq < PLAT_IRQ_FIRST_SPI || irq >= PLAT_IRQ_NONE - 3u)
        return -AK_EINVAL; /* per-CPU lines, and 1020-1023, which are no lines */
    if (handler_of(irq))
        return -AK_EBUSY;
    if (slot >= AK_CAP_SLOTS)
        return -AK_EBADF;
    if (ctx->caller->caps.slot[slot].kind != AK_CAP_NONE)
        return -AK_EEXIST;
    irq_handler_t *h = NULL;
    for (unsigned i = 0; i < IRQ_HANDLER_MAX && !h; i++)
        if (handlers[i].irq == 0)
            h = &handlers[i];
    if (!h)
        return -AK_ENOSPC;
    *h = (irq_handler_t){ .irq = irq };
    return obj_cap_put(ctx->caller, slot, AK_CAP_IRQ, AK_RIGHT_WRITE, irq, 0, h);
}

static int ih_bind(void *c, uint64_t badge, uint32_t notif_slot)
{
    (void)badge;
    irq_ctx_t *ctx = c;
    int err;
    const cap_t *n = cap_lookup(&ctx->caller->caps, notif_slot, AK_CAP_NOTIFICATION, AK_RIGHT_SEND, &err);
    if (!n)
        return err;
    irq_handler_t *h = ctx->cap->object;
    notif_ref(n->object);
    if (h->notif)
        notif_unref(h->notif);
    h->notif = n->object;
    h->badge = n->badge;
    plat_irq_enable(h->irq);
    return 0;
}

static int ih_ack(void *c, uint64_t badge)
{
    (void)badge;
    irq_ctx_t *ctx = c;
    irq_handler_t *h = ctx->cap->object;
    if (!h->notif)
        return -AK_EINVAL; /* not bound: nothing to acknowledge */
    plat_irq_enable(h->irq);
    return 0;
}

static int dv_klog_attach(void *c, uint64_t badge, uint32_t notif_slot)
{
    (void)badge;
    irq_ctx_t *ctx = c;
    const device_t *d = ctx->cap->object;
    if (d != device_by_name("pl011"))
        return -AK_ENOTSUP;
    int err;
    const cap_t *n = cap_lookup(&ctx->caller->caps, notif_slot, AK_CAP_NOTIFICATION, AK_RIGHT_SEND, &err);
    if (!n)
        return err;
    return klog_attach(&ctx->caller->vs, n->object, n->badge);
}

static int dv_klog_read(void *c, uint64_t badge, uint64_t *out_n, uint64_t *out_lost)
{
    (void)badge;
    irq_ctx_t *ctx = c;
    int64_t n = klog_read(&ctx->caller->vs, ctx->t->console, AK_CONSOLE_MAX, out_lost);
    if (n < 0)
        return (int)n;
    *out_n = (uint64_t)n;
    return 0;
}

static const irqctl_handlers_t irqctl_handlers = { .claim = ic_claim };
static const irq_handlers_t irq_handlers = { .bind = ih_bind, .ack = ih_ack };
static const device_handlers_t device_handlers = { .klog_attach = dv_klog_attach, .klog_read = dv_klog_read };

void invoke_irq(thread_t *t, uint64_t slot)
{
    cap_t *cap = &t->proc->caps.slot[slot];
    if ((cap->rights & AK_RIGHT_WRITE) != AK_RIGHT_WRITE) {
        t->regs.x[0] = (uint64_t)-AK_EPERM;
        return;
    }
    irq_ctx_t ctx = { t->proc, t, cap };
    if (cap->kind == AK_CAP_IRQCTL)
        irqctl_dispatch(&irqctl_handlers, &ctx, cap->badge, &t->regs.msg, t->ipcbuf);
    else if (cap->kind == AK_CAP_DEVICE)
        device_dispatch(&device_handlers, &ctx, cap->badge, &t->regs.msg, t->ipcbuf);
    else
        irq_dispatch(&irq_handlers, &ctx, cap->badge, &t->regs.msg, t->ipcbuf);
    t->regs.x[0] = 0;
}
