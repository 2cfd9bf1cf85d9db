/*
 * Bootstrap: from the boot archive to init, the one process the kernel
 * starts (abi/init.h).
 *
 * The kernel reads only the archive's header (bootimage_init) and init's
 * ELF file; init reads the manifest and builds every other process.  Boot
 * memory is a bump allocator over the RAM after the kernel image; it holds
 * the frame table and init's tables, segments, stack, IPC buffer, boot-info
 * page and its read-only copy of the archive.  The rest of RAM becomes the
 * physical-memory object init holds, and the kernel allocates nothing more.
 *
 * An archive without init, a refused init ELF, or RAM too small for init
 * ends the boot with a message and HALT_BADIMAGE: never a fault.
 */
#include <ukernel/bootstrap.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/init.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/start.h>
#include <akuma/abi/syscall.h>
#include <bootfmt/bootimage.h>
#include <common/fmt.h>
#include <common/string.h>
#include <ukernel/arch.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/device.h>
#include <ukernel/frame.h>
#include <ukernel/halt.h>
#include <ukernel/kprintf.h>
#include <ukernel/object.h>
#include <ukernel/process.h>
#include <ukernel/vspace.h>

extern const char __bootimage_start[], __bootimage_end[];

static bootimage_init_t archive;
static elf_image_t init_image;
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
        refuse("not enough RAM for init");
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
            fmt_snprintf(boot_err, sizeof boot_err, "init: cannot map 0x%lx: error %d", va, err);
            refuse(boot_err);
        }
        err = vspace_supply_table(&p->vs, &boot_range, va, level, boot_frame());
        if (err) {
            fmt_snprintf(boot_err, sizeof boot_err, "init: table for 0x%lx: error %d", va, err);
            refuse(boot_err);
        }
    }
}

static unsigned prot_to_perms(unsigned prot)
{
    return PT_READ | ((prot & AK_PROT_WRITE) ? PT_WRITE : 0) | ((prot & AK_PROT_EXEC) ? PT_EXEC : 0);
}

/* Copies init's segments into fresh frames mapped with their permissions. */
static void load_segments(proc_t *p, const elf_image_t *img, const uint8_t *elf)
{
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
                       elf + seg->offset + (lo - seg->vaddr), hi - lo);
            map_boot_frame(p, va, pa, prot_to_perms(seg->prot));
        }
    }
}

/* Copies the whole archive into boot frames, mapped read-only at AK_ARCHIVE_VA. */
static void map_archive(proc_t *p)
{
    for (size_t off = 0; off < archive.total_size; off += PAGE_SIZE) {
        paddr_t pa = boot_frame();
        size_t n = archive.total_size - off < PAGE_SIZE ? archive.total_size - off : PAGE_SIZE;
        memcpy(phys_to_virt(pa), __bootimage_start + off, n);
        map_boot_frame(p, AK_ARCHIVE_VA + off, pa, PT_READ);
    }
}

/*
 * init's initial stack (abi/start.h), in the stack's top frame top:
 * argc 1, argv[0] "init", no environment, an auxiliary vector of the page
 * size.  Returns the stack pointer.
 */
static vaddr_t initial_stack(paddr_t top)
{
    uint8_t *page = phys_to_virt(top);
    const vaddr_t page_va = AK_USER_STACK_TOP - PAGE_SIZE;
    const size_t name_at = PAGE_SIZE - sizeof AK_INIT_NAME;
    memcpy(page + name_at, AK_INIT_NAME, sizeof AK_INIT_NAME);
    const uint64_t words[] = { 1, page_va + name_at, 0, 0, AK_AT_PAGESZ, PAGE_SIZE, AK_AT_NULL, 0 };
    const size_t at = ALIGN_DOWN(name_at - sizeof words, 16);
    memcpy(page + at, words, sizeof words);
    return page_va + at;
}

static void build_init(proc_t *p)
{
    thread_t *t = &p->thread;
    p->pid = AK_INIT_PID;
    p->state = P_LIVE;
    memcpy(p->name, AK_INIT_NAME, sizeof AK_INIT_NAME);
    cap_table_init(&p->caps);

    int err = vspace_init(&p->vs, &frames, boot_frame(), p->pid);
    if (err) {
        fmt_snprintf(boot_err, sizeof boot_err, "init: address space: error %d", err);
        refuse(boot_err);
    }
    load_segments(p, &init_image, archive.elf);
    paddr_t top = 0;
    for (vaddr_t va = AK_USER_STACK_BOTTOM; va < AK_USER_STACK_TOP; va += PAGE_SIZE)
        top = map_boot_frame(p, va, boot_frame(), PT_READ | PT_WRITE);
    paddr_t ipcbuf = map_boot_frame(p, AK_IPCBUF_VA, boot_frame(), PT_READ | PT_WRITE);
    map_boot_frame(p, AK_BOOTINFO_VA, boot_frame(), PT_READ);
    /* The boot-info page and the IPC buffer can never be unmapped. */
    vspace_pin(&p->vs, AK_BOOTINFO_VA, AK_IPCBUF_VA + PAGE_SIZE);
    map_archive(p);

    t->proc = p;
    t->prio = AK_INIT_PRIORITY;
    t->ipcbuf = phys_to_virt(ipcbuf);
    t->console = (char *)t->ipcbuf + AK_CONSOLE_OFFSET;
    t->pager = NULL; /* its faults kill it: no one could serve them */
    t->regs.elr = init_image.entry;
    t->regs.sp_el0 = initial_stack(top);
    t->regs.spsr = SPSR_MODE_EL0T; /* interrupts unmasked */
}

static void grant(proc_t *p, uint32_t slot, uint8_t kind, uint32_t target, void *object)
{
    int err = obj_cap_put(p, slot, kind, AK_RIGHT_WRITE, target, 0, object);
    if (err) {
        fmt_snprintf(boot_err, sizeof boot_err, "init: capability in slot %u: error %d", slot, err);
        refuse(boot_err);
    }
}

/* All the initial authority, in the slots abi/init.h names. */
static void grant_init(proc_t *p)
{
    grant(p, AK_INIT_SLOT_PROCCTL, AK_CAP_PROCCTL, 0, procs);
    grant(p, AK_INIT_SLOT_PHYSMEM, AK_CAP_PHYSMEM, 0, &physmems[0]);
    grant(p, AK_INIT_SLOT_ASPACE, AK_CAP_ASPACE, p->pid, p);
    grant(p, AK_INIT_SLOT_POWER, AK_CAP_POWER, 0, &proc_power_holder);
    proc_power_holder = true;
    grant(p, AK_INIT_SLOT_IRQCTL, AK_CAP_IRQCTL, 0, devices); /* the interrupt controller: no object */
    static const char *const names[] = AK_DEVICE_NAMES;
    for (uint32_t i = 0; i < AK_NDEVICES; i++) {
        device_t *d = device_by_name(names[i]);
        if (d)
            grant(p, AK_INIT_SLOT_DEVICE0 + i, AK_CAP_DEVICE, i, d);
    }
}

/*
 * The boot arguments for init's boot-info page: copied if they are
 * printable ASCII and fit AK_BOOTARGS_MAX with their NUL, else dropped
 * with a line saying why (init then gets "").
 */
static void copy_bootargs(char out[AK_BOOTARGS_MAX], const char *args, size_t len)
{
    out[0] = '\0';
    if (len == 0)
        return;
    if (len >= AK_BOOTARGS_MAX) {
        kprintf("[kernel] boot arguments ignored: %lu bytes, more than %u\n", (unsigned long)len,
                AK_BOOTARGS_MAX - 1u);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (args[i] < ' ' || args[i] > '~') {
            kprintf("[kernel] boot arguments ignored: byte %lu is not printable ASCII\n", (unsigned long)i);
            return;
        }
    }
    memcpy(out, args, len);
    out[len] = '\0';
}

static void write_bootinfo(proc_t *p, const char *bootargs, size_t bootargs_len)
{
    paddr_t pa = 0;
    unsigned perms;
    vspace_query(&p->vs, AK_BOOTINFO_VA, &pa, &perms);
    ak_bootinfo_t *bi = phys_to_virt(pa);
    bi->magic = AK_BOOTINFO_MAGIC;
    bi->version = AK_BOOTINFO_VERSION;
    bi->pid = p->pid;
    memcpy(bi->name, p->name, sizeof bi->name);
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
        if (c->kind == AK_CAP_PHYSMEM) {
            ak_bootinfo_mem_t *m = &bi->mems[bi->nmems++];
            const physmem_t *pm = c->object;
            m->base = pm->base;
            m->size = pm->size;
            m->physmem_slot = s;
        }
    }
    copy_bootargs(bi->bootargs, bootargs, bootargs_len);
}

/* Decodes init's ELF file; false with the reason in boot_err. */
static bool init_elf_ok(void)
{
    char why[sizeof boot_err - 16];
    if (elf_parse(archive.elf, archive.elf_size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &init_image,
                  why, sizeof why) == 0)
        return true;
    fmt_snprintf(boot_err, sizeof boot_err, "init's ELF file: %s", why);
    return false;
}

static enum { IMAGE_UNREAD, IMAGE_NONE, IMAGE_OK, IMAGE_REFUSED } image_state;

const char *bootstrap_config(void)
{
    if (image_state == IMAGE_UNREAD) {
        if (!bootstrap_has_image())
            image_state = IMAGE_NONE;
        else if (bootimage_init(__bootimage_start, (size_t)(__bootimage_end - __bootimage_start),
                                &archive, boot_err, sizeof boot_err) != 0 ||
                 !init_elf_ok())
            image_state = IMAGE_REFUSED;
        else
            image_state = IMAGE_OK;
    }
    switch (image_state) {
    case IMAGE_NONE: return "kernel only";
    case IMAGE_REFUSED: return "boot image refused";
    default: return archive.config;
    }
}

void bootstrap(paddr_t ram_base, paddr_t ram_end, const char *bootargs, size_t bootargs_len)
{
    bootstrap_config();
    if (image_state == IMAGE_REFUSED)
        refuse(boot_err);
    if (archive.total_size > AK_ARCHIVE_MAX)
        refuse("the archive is larger than init's window for it");
    kprintf("[kernel] boot archive: %lu KiB; starting init\n", (unsigned long)(archive.total_size >> 10));
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
    proc_t *init = &procs[0];
    proc_root = init;
    build_init(init);
    /* What boot memory did not use goes to init's physical-memory capability. */
    physmems[0].base = boot_next;
    physmems[0].size = ram_end - boot_next;
    grant_init(init);
    write_bootinfo(init, bootargs, bootargs_len);
    kprintf("[kernel] boot memory 0x%lx-0x%lx; %lu MiB handed to init\n",
            virt_to_phys(__kernel_end), boot_next, physmems[0].size >> 20);
    arch_vspace_enable();
    proc_start(init);
}

bool bootstrap_has_image(void)
{
    return (uintptr_t)__bootimage_end != (uintptr_t)__bootimage_start;
}
