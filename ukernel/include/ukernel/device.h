/*
 * Devices handed to userspace: a device's MMIO page (a device frame) and
 * its interrupt line.  Found in the device tree at boot (the PL011 to
 * start with), in a table sized at boot.
 *
 * A device page is mapped into at most one address space at a time, in
 * the device window, with device attributes, never executable
 * (aspace.map_device).  An interrupt line is claimed through the IRQ-
 * control capability (irqctl.claim), which makes an IRQ-handler object
 * for it; bound to a notification, the line signals it and is masked at
 * the interrupt controller until the handler acknowledges it (irq.ack).
 * The kernel's own lines (the timer) cannot be claimed.
 */
#ifndef UKERNEL_DEVICE_H
#define UKERNEL_DEVICE_H

#include <ukernel/proc.h>

#define DEVICE_MAX 4u
#define IRQ_HANDLER_MAX 16u

typedef struct device {
    const char *name;      /* NULL: the entry is unused */
    paddr_t base;          /* its page */
    unsigned irq;          /* its line, 0 if none */
    vspace_t *mapped_in;   /* where its page is mapped, or NULL */
    vaddr_t mapped_va;
} device_t;

typedef struct irq_handler {
    unsigned irq;          /* 0: free */
    uint32_t refs;         /* IRQ capabilities naming it */
    notification_t *notif; /* bound, or NULL */
    uint64_t badge;        /* what a signal ORs in: the binding capability's badge */
} irq_handler_t;

extern device_t devices[DEVICE_MAX];

/* Finds the devices the kernel hands out in the device tree (plat_dtb). */
void devices_init(paddr_t dtb_pa);

/* The device of that name (the manifest's), or NULL. */
device_t *device_by_name(const char *name);

/* vs is being destroyed: its device pages are mapped nowhere now. */
void devices_forget(const vspace_t *vs);

/* The invocations (idl/kernel.idl: aspace.map_device/unmap_device, irqctl, irq), for invoke.c. */
int device_map(proc_t *caller, vspace_t *vs, vaddr_t va, uint64_t device_slot, uint32_t prot,
               unsigned *missing_level);
int device_unmap(vspace_t *vs, vaddr_t va);
/* irqctl, irq and device invocations (the device: its kernel log, klog.h). */
void invoke_irq(thread_t *t, uint64_t slot);

/* An interrupt arrived on irq (not the kernel's): true if a handler took it. */
bool irq_deliver(unsigned irq);

/* How many lines are bound to a notification (each could wake a thread). */
unsigned irq_bound(void);

/* Drops one IRQ capability's reference; the last frees the line. */
void irq_handler_unref(irq_handler_t *h);

#endif /* UKERNEL_DEVICE_H */
