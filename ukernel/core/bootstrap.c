/*
 * Bootstrap: from the boot image to running processes.
 *
 * Boot memory is a bump allocator over the RAM after the kernel image; it
 * holds the frame table and every initial process's tables, segments,
 * stack, IPC buffer and boot-info page.  When the processes are built,
 * the rest of RAM becomes the physical-memory object that the manifest
 * grants (to the vmm), and the kernel allocates nothing more.
 *
 * A refused boot image, or RAM too small for it, ends the boot with a
 * message and HALT_BADIMAGE: never a fault.
 */
#include <ukernel/bootstrap.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/syscall.h>
#include <bootfmt/bootimage.h>
#include <common/fmt.h>
#include <common/string.h>
#include <ukernel/arch.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/frame.h>
#include <ukernel/halt.h>
#include <ukernel/kprintf.h>
#include <ukernel/device.h>
#include <ukernel/object.h>
#include <ukernel/process.h>
#include <ukernel/vspace.h>

extern const char __bootimage_start[], __bootimage_end[];

static bootimage_t image;       /* large: kept out of the boot stack */
static frame_table_t frames;
static paddr_t boot_next, boot_end;
static char boot_err[160];

frame_table_t *bootstrap_frames(void)
{
    return &frames;
}

_Noreturn static void refuse(const char *what)
{
    kprintf("[kernel] boot image refused: %s\n", what);
    halt(HALT_BADIMAGE);
}

/* A zeroed frame of boot memory. */
static paddr_t boot_frame(void)
{
    if (boot_end - boot_next < PAGE_SIZE)
        refuse("not enough RAM for the initial processes");
    paddr_t pa = boot_next;
    boot_next += PAGE_SIZE;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

/*
 * Maps the boot frame pa at va in p, supplying tables from boot memory.
 * The frame's contents must be final: an executable mapping makes them
 * visible to instruction fetch when it is made.
 */
static paddr_t map_boot_frame(proc_t *p, vaddr_t va, paddr_t pa, unsigned perms)
{
    const frame_range_t boot_range = { virt_to_phys(__kernel_end), boot_end };
    for (;;) {
        unsigned level = 0;
        int err = vspace_map(&p->vs, &boot_range, va, pa, perms, &level);
        if (err == 0)
            return pa;
        if (err != -AK_ENOTABLE) {
            fmt_snprintf(boot_err, sizeof boot_err, "%s: cannot map 0x%lx: error %d", p->name, va, err);
            refuse(boot_err);
        }
        err = vspace_supply_table(&p->vs, &boot_range, va, level, boot_frame());
        if (err) {
            fmt_snprintf(boot_err, sizeof boot_err, "%s: table for 0x%lx: error %d", p->name, va, err);
            refuse(boot_err);
        }
    }
}

static unsigned prot_to_perms(unsigned prot)
{
    return PT_READ | ((prot & AK_PROT_WRITE) ? PT_WRITE : 0) | ((prot & AK_PROT_EXEC) ? PT_EXEC : 0);
}

/* Copies the ELF's segments into fresh frames mapped with their permissions. */
static void load_segments(proc_t *p, const bootimage_program_t *prog)
{
    const elf_image_t *img = &prog->image;
    for (unsigned s = 0; s < img->nsegs; s++) {
        const elf_segment_t *seg = &img->segs[s];
        vaddr_t start = ALIGN_DOWN(seg->vaddr, PAGE_SIZE);
        vaddr_t end = ALIGN_UP(seg->vaddr + seg->memsz, PAGE_SIZE);
        for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
            paddr_t pa = boot_frame();
            /* The part of the file that lands in this page, if any. */
            vaddr_t lo = va > seg->vaddr ? va : seg->vaddr;
            vaddr_t hi = va + PAGE_SIZE;
            if (hi > seg->vaddr + seg->filesz)
                hi = seg->vaddr + seg->filesz;
            if (lo < hi)
                memcpy((char *)phys_to_virt(pa) + (lo - va),
                       prog->elf + seg->offset + (lo - seg->vaddr), hi - lo);
            map_boot_frame(p, va, pa, prot_to_perms(seg->prot));
        }
    }
}

static void build_process(unsigned i)
{
    const bootimage_program_t *prog = &image.programs[i];
    proc_t *p = &procs[i];
    thread_t *t = &p->thread;
    p->pid = i + 1;
    p->state = P_LIVE;
    memcpy(p->name, prog->name, strlen(prog->name) + 1);
    switch (prog->expect.kind) {
    case BI_EXPECT_KILLED: p->expect = EXPECT_KILLED; break;
    case BI_EXPECT_SERVE: p->expect = EXPECT_SERVE; break;
    default: p->expect = EXPECT_EXIT; break;
    }
    p->expect_code = prog->expect.code;
    cap_table_init(&p->caps);

    int err = vspace_init(&p->vs, &frames, boot_frame(), p->pid);
    if (err) {
        fmt_snprintf(boot_err, sizeof boot_err, "%s: address space: error %d", p->name, err);
        refuse(boot_err);
    }
    load_segments(p, prog);
    for (vaddr_t va = AK_USER_STACK_BOTTOM; va < AK_USER_STACK_TOP; va += PAGE_SIZE)
        map_boot_frame(p, va, boot_frame(), PT_READ | PT_WRITE);
    paddr_t ipcbuf = map_boot_frame(p, AK_IPCBUF_VA, boot_frame(), PT_READ | PT_WRITE);
    map_boot_frame(p, AK_BOOTINFO_VA, boot_frame(), PT_READ);
    /* The boot-info page and the IPC buffer can never be unmapped. */
    vspace_pin(&p->vs, AK_BOOTINFO_VA, AK_IPCBUF_VA + PAGE_SIZE);

    t->proc = p;
    t->prio = (uint8_t)prog->priority;
    t->ipcbuf = phys_to_virt(ipcbuf);
    t->console = (char *)t->ipcbuf + AK_CONSOLE_OFFSET;
    t->pager = prog->pager >= 0 ? &endpoints[prog->pager] : NULL;
    if (t->pager)
        endpoint_ref(t->pager);
    t->regs.elr = prog->image.entry;
    t->regs.sp_el0 = AK_USER_STACK_TOP;
    t->regs.spsr = SPSR_MODE_EL0T; /* interrupts unmasked */
}

static void grant_caps(void)
{
    for (unsigned i = 0; i < image.ncaps; i++) {
        const bootimage_cap_t *c = &image.caps[i];
        void *object = NULL;
        switch (c->kind) {
        case AK_CAP_ENDPOINT: object = &endpoints[c->target]; break;
        case AK_CAP_ASPACE: object = &procs[c->target]; break;
        case AK_CAP_PHYSMEM: object = &physmems[0]; break;
        case AK_CAP_PROCCTL: object = procs; break;       /* the process table */
        case AK_CAP_POWER: object = &proc_power_holder; proc_power_holder = true; break;
        case AK_CAP_IRQCTL: object = devices; break;   /* the interrupt controller: no object of its own */
        case AK_CAP_DEVICE: {
            static const char *const names[] = BI_DEVICE_NAMES;
            object = device_by_name(names[c->target]);
            if (!object) {
                fmt_snprintf(boot_err, sizeof boot_err, "capability %u: device %s is not in this machine", i,
                             names[c->target]);
                refuse(boot_err);
            }
            break;
        }
        }
        int err = obj_cap_put(&procs[c->holder], c->slot, (uint8_t)c->kind, (uint8_t)c->rights,
                              c->kind == AK_CAP_ASPACE ? c->target + 1 : c->target, c->badge, object);
        if (err) {
            fmt_snprintf(boot_err, sizeof boot_err, "capability %u: error %d", i, err);
            refuse(boot_err);
        }
    }
}

/* The badge process q uses on an endpoint that holder h receives on, or 0. */
static uint64_t badge_towards(const proc_t *q, const proc_t *h)
{
    for (unsigned s = 0; s < AK_CAP_SLOTS; s++) {
        const cap_t *c = &q->caps.slot[s];
        if (c->kind != AK_CAP_ENDPOINT || !(c->rights & AK_RIGHT_SEND))
            continue;
        for (unsigned r = 0; r < AK_CAP_SLOTS; r++) {
            const cap_t *hc = &h->caps.slot[r];
            if (hc->kind == AK_CAP_ENDPOINT && (hc->rights & AK_RIGHT_RECV) && hc->object == c->object)
                return c->badge;
        }
    }
    return 0;
}

static void write_bootinfo(proc_t *p, const bootimage_program_t *prog)
{
    paddr_t pa = 0;
    unsigned perms;
    vspace_query(&p->vs, AK_BOOTINFO_VA, &pa, &perms);
    ak_bootinfo_t *bi = phys_to_virt(pa);
    bi->magic = AK_BOOTINFO_MAGIC;
    bi->version = AK_BOOTINFO_VERSION;
    bi->pid = p->pid;
    memcpy(bi->name, p->name, sizeof bi->name);
    bool pager = false;
    for (unsigned s = 0; s < AK_BOOT_CAP_SLOTS; s++) {
        const cap_t *c = &p->caps.slot[s];
        if (c->kind == AK_CAP_NONE)
            continue;
        ak_bootinfo_cap_t *o = &bi->caps[bi->ncaps++];
        o->slot = s;
        o->kind = c->kind;
        o->rights = c->rights;
        o->target = c->target;
        o->badge = c->badge;
        if (c->kind == AK_CAP_PHYSMEM && bi->nmems < AK_BOOTINFO_MEMS) {
            ak_bootinfo_mem_t *m = &bi->mems[bi->nmems++];
            const physmem_t *pm = c->object;
            m->base = pm->base;
            m->size = pm->size;
            m->physmem_slot = s;
        }
        if (c->kind == AK_CAP_ASPACE)
            pager = true;
    }
    /* A holder of address-space authority learns about every process. */
    for (unsigned i = 0; pager && i < image.nprograms; i++) {
        const proc_t *q = &procs[i];
        ak_bootinfo_proc_t *o = &bi->procs[bi->nprocs++];
        o->pid = q->pid;
        memcpy(o->name, q->name, sizeof o->name);
        o->badge = badge_towards(q, p);
        o->aspace_slot = UINT32_MAX;
        for (unsigned s = 0; s < AK_CAP_SLOTS; s++)
            if (p->caps.slot[s].kind == AK_CAP_ASPACE && p->caps.slot[s].object == q)
                o->aspace_slot = s;
    }
    size_t n = strlen(prog->args);
    memcpy(bi->args, prog->args, n + 1);
    bi->args_len = (uint32_t)n;
}

static enum { IMAGE_UNREAD, IMAGE_NONE, IMAGE_OK, IMAGE_REFUSED } image_state;

const char *bootstrap_config(void)
{
    if (image_state == IMAGE_UNREAD) {
        if (!bootstrap_has_image())
            image_state = IMAGE_NONE;
        else if (bootimage_parse(__bootimage_start, (size_t)(__bootimage_end - __bootimage_start),
                                 &image, boot_err, sizeof boot_err) != 0)
            image_state = IMAGE_REFUSED;
        else
            image_state = IMAGE_OK;
    }
    switch (image_state) {
    case IMAGE_NONE: return "kernel only";
    case IMAGE_REFUSED: return "boot image refused";
    default: return image.config;
    }
}

void bootstrap(paddr_t ram_base, paddr_t ram_end)
{
    bootstrap_config();
    if (image_state == IMAGE_REFUSED)
        refuse(boot_err);
    kprintf("[kernel] %u programs, %u endpoints, %u capabilities\n", image.nprograms,
            image.nendpoints, image.ncaps);
    kprintf("[kernel] tables: %u processes, %u endpoints, %u notifications, %u physical-memory ranges, "
            "%u capability slots each\n", PROC_MAX, ENDPOINT_MAX, NOTIF_MAX, PHYSMEM_MAX, AK_CAP_SLOTS);

    /* The frame table covers all RAM and sits right after the kernel. */
    size_t nframes = (ram_end - ram_base) / PAGE_SIZE;
    paddr_t table_pa = virt_to_phys(__kernel_end);
    boot_next = ALIGN_UP(table_pa + FRAME_STORAGE_SIZE(nframes), PAGE_SIZE);
    boot_end = ram_end;
    if (frame_init(&frames, phys_to_virt(table_pa), ram_base / PAGE_SIZE, nframes) != 0)
        refuse("cannot track RAM");
    if (frame_set_kernel(&frames, ram_base, boot_next) != 0)
        refuse("cannot reserve the kernel's own memory (RAM not page-aligned?)");

    for (unsigned i = 0; i < ENDPOINT_MAX; i++)
        endpoints[i].id = i;
    for (unsigned i = 0; i < NOTIF_MAX; i++)
        notifications[i].id = i;
    for (unsigned i = 0; i < image.nprograms; i++)
        build_process(i);
    /* What boot memory did not use goes to the physical-memory capability. */
    physmems[0].base = boot_next;
    physmems[0].size = ram_end - boot_next;
    grant_caps();
    for (unsigned i = 0; i < image.nprograms; i++)
        write_bootinfo(&procs[i], &image.programs[i]);
    kprintf("[kernel] boot memory 0x%lx-0x%lx; %lu MiB handed out as physical memory\n",
            virt_to_phys(__kernel_end), boot_next, physmems[0].size >> 20);
    arch_vspace_enable();
    for (unsigned i = 0; i < image.nprograms; i++)
        proc_start(&procs[i]);
}

bool bootstrap_has_image(void)
{
    return (uintptr_t)__bootimage_end != (uintptr_t)__bootimage_start;
}
