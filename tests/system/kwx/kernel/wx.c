/*
 * In-kernel tests of the kernel's own map (image kwx, kmap.c): text is
 * read-only and executable, rodata read-only, everything else writable
 * and never executable, and none of it reachable from EL0.
 *
 * Write and EL0 access are asked of the MMU itself with AT (address
 * translation) instructions, which report in PAR_EL1 whether an access
 * would fault, and with which fault.  Execute permission has no AT
 * instruction: it is read from the leaf descriptor found by walking the
 * live TTBR1 tables (the images kpanic-exec and kpanic-wtext fault for
 * real).
 */
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/ktest.h>
#include <ukernel/types.h>

/* From the Arm ARM: PAR_EL1 after AT, and stage-1 descriptor bits. */
#define PAR_F           UINT64_C(1)            /* the access would fault */
#define PAR_FST(par)    (((par) >> 1) & 0x3Fu) /* its fault status code */
#define FST_PERM_L3     0x0Fu                  /* permission fault, level 3 */
#define DESC_AP_EL0     (UINT64_C(1) << 6)
#define DESC_AP_RO      (UINT64_C(1) << 7)
#define DESC_PXN        (UINT64_C(1) << 53)
#define DESC_UXN        (UINT64_C(1) << 54)
#define DESC_TABLE      UINT64_C(3)
#define DESC_OA         UINT64_C(0x0000FFFFFFFFF000)

static uint64_t at_s1e1r(const volatile void *va)
{
    __asm__ volatile("at s1e1r, %0" ::"r"(va) : "memory");
    isb();
    return sysreg_read(par_el1);
}

static uint64_t at_s1e1w(const volatile void *va)
{
    __asm__ volatile("at s1e1w, %0" ::"r"(va) : "memory");
    isb();
    return sysreg_read(par_el1);
}

static uint64_t at_s1e0r(const volatile void *va)
{
    __asm__ volatile("at s1e0r, %0" ::"r"(va) : "memory");
    isb();
    return sysreg_read(par_el1);
}

/* The leaf descriptor that maps va in the live TTBR1 tables (levels 1-3), or 0. */
static uint64_t leaf_of(const volatile void *va)
{
    uint64_t table = sysreg_read(ttbr1_el1) & DESC_OA;
    for (unsigned level = 1; level <= 3; level++) {
        unsigned shift = 39u - 9u * level;
        uint64_t d = ((const uint64_t *)phys_to_virt(table))[((uintptr_t)va >> shift) & 511u];
        if (!(d & 1u))
            return 0;
        if (level == 3 || (d & 3u) != DESC_TABLE)
            return d;
        table = d & DESC_OA;
    }
    return 0;
}

typedef struct {
    const char *test;
    int failures;
} check_t;

/* va: readable by EL1, writable or not, executable or not, never by EL0. */
static void expect(check_t *c, const char *what, const volatile void *va, bool writable, bool exec)
{
    uint64_t r = at_s1e1r(va), w = at_s1e1w(va), u = at_s1e0r(va), d = leaf_of(va);
    bool ok = !(r & PAR_F) && (writable ? !(w & PAR_F) : (w & PAR_F) && PAR_FST(w) == FST_PERM_L3) &&
              (u & PAR_F) && d != 0 && !(d & DESC_AP_EL0) && (d & DESC_UXN) &&
              (exec ? !(d & DESC_PXN) : (d & DESC_PXN) != 0);
    if (!ok) {
        ktest_fail(c->test, "%s %p: want %s%s; PAR after AT read 0x%lx, write 0x%lx, EL0 read 0x%lx; leaf 0x%lx",
                   what, (const void *)va, writable ? "RW" : "RO", exec ? "X" : "NX", r, w, u, d);
        c->failures++;
    }
}

static void verdict(const check_t *c)
{
    if (c->failures == 0)
        ktest_pass(c->test);
}

static const uint64_t constant_word = UINT64_C(0x0123456789ABCDEF);
static uint64_t data_word = 1;
static uint64_t bss_word;

KTEST(kwx_text)
{
    check_t c = { "kwx-text", 0 };
    expect(&c, "the first text page", __text_start, false, true);
    expect(&c, "ktest_pass", (const void *)(uintptr_t)ktest_pass, false, true);
    expect(&c, "the last text byte", __text_end - 1, false, true);
    verdict(&c);
}

KTEST(kwx_rodata)
{
    check_t c = { "kwx-rodata", 0 };
    expect(&c, "the first rodata page", __rodata_start, false, false);
    expect(&c, "a const object", &constant_word, false, false);
    expect(&c, "the last rodata byte", __data_start - 1, false, false);
    verdict(&c);
}

KTEST(kwx_data)
{
    check_t c = { "kwx-data", 0 };
    uint64_t local = 0;
    expect(&c, "the first data page", __data_start, true, false);
    expect(&c, "a data object", &data_word, true, false);
    expect(&c, "a bss object", &bss_word, true, false);
    expect(&c, "the kernel stack", &local, true, false);
    expect(&c, "the last page of the image", __kernel_end - 1, true, false);
    verdict(&c);
}

KTEST(kwx_ram)
{
    check_t c = { "kwx-ram", 0 };
    const paddr_t end = virt_to_phys(__kernel_end);
    expect(&c, "RAM below the kernel", phys_to_virt(virt_to_phys(__kernel_start) - PAGE_SIZE), true, false);
    expect(&c, "RAM right after the kernel", phys_to_virt(end), true, false);
    expect(&c, "RAM 2 MiB on (a level-2 block)", phys_to_virt((end + (UINT64_C(2) << 20)) & ~PAGE_MASK), true,
           false);
    verdict(&c);
}
