/*
 * init: the root task (DESIGN.md 10, abi/init.h).
 *
 * The kernel starts init alone, with all authority and a read-only copy of
 * the boot archive.  init reads the manifest in it (bootimage_parse: the
 * same validating reader mkimage checks its output with), builds every
 * program it names (build.c), hands the RAM it did not use to the program
 * the manifest gives physical memory, starts the programs in order, then
 * waits: each ending signals its notification (process.watch), and init
 * judges it against the manifest, one line each.  When every program that
 * is not a server has ended, and every server still runs, it powers off
 * with 0; with 1 if anything ended otherwise; with 2 for a manifest it
 * refuses.  A deadlock among the programs is the kernel's to report: then
 * no thread, init included, can run.
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/process.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

/* Bits of the ending notification: program i signals bit i. */
_Static_assert(BI_MAX_PROGRAMS <= 62u, "a program's bit is a badge bit");

static bootimage_t image;          /* large: kept off the stack */
static program_t progs[BI_MAX_PROGRAMS];
static char why[200];

_Noreturn static void power_off(uint32_t status)
{
    fflush_stdout();
    int rc = power_poweroff(AK_INIT_SLOT_POWER, status);
    printf("[init] power-off refused: error %d\n", rc);
    fflush_stdout();
    ak_exit(AK_POWEROFF_MISMATCH);
}

/* The manifest cannot be built: nothing of it runs. */
_Noreturn static void refuse(const char *what)
{
    printf("[init] manifest refused: %s\n", what);
    power_off(AK_POWEROFF_REFUSED);
}

static void describe_want(const bootimage_expect_t *e, char *buf, size_t n)
{
    switch (e->kind) {
    case BI_EXPECT_EXIT: snprintf(buf, n, "UNEXPECTED: wanted exit %d", (int)e->code); break;
    case BI_EXPECT_KILLED: snprintf(buf, n, "UNEXPECTED: wanted killed"); break;
    default: snprintf(buf, n, "UNEXPECTED: a server"); break;
    }
}

/* Prints program i's ending; returns whether it is the one the manifest expects. */
static bool judge(uint32_t i, uint64_t status)
{
    const bootimage_program_t *p = &image.programs[i];
    bool killed = status == AK_EXIT_KILLED;
    bool ok = p->expect.kind == BI_EXPECT_KILLED ? killed
            : p->expect.kind == BI_EXPECT_EXIT && !killed && (int32_t)status == p->expect.code;
    char want[40];
    describe_want(&p->expect, want, sizeof want);
    if (killed)
        printf("[init] pid %u (%s) ended: killed (%s)\n", progs[i].pid, p->name,
               ok ? "as expected" : want);
    else
        printf("[init] pid %u (%s) ended: exit %d (%s)\n", progs[i].pid, p->name, (int)(int32_t)status,
               ok ? "as expected" : want);
    return ok;
}

static void build_all(void)
{
    for (uint32_t i = 0; i < image.nendpoints; i++) {
        int rc = procctl_endpoint(AK_INIT_SLOT_PROCCTL, SLOT_EP0 + i);
        if (rc) {
            snprintf(why, sizeof why, "endpoint %u: error %d", i, rc);
            refuse(why);
        }
    }
    for (uint32_t i = 0; i < image.nprograms; i++)
        if (build_program(&image, i, &progs[i]))
            refuse("a program cannot be built (above)");

    /* The manifest's physical memory: all RAM init did not use. */
    uint32_t ram_slot = AK_NO_SLOT;
    for (uint32_t k = 0; k < image.ncaps; k++) {
        const bootimage_cap_t *c = &image.caps[k];
        if (c->kind != AK_CAP_PHYSMEM)
            continue;
        uint64_t keep = frames_end() - frames_base();
        uint64_t base = 0, size = 0;
        int rc = physmem_split(AK_INIT_SLOT_PHYSMEM, keep, SLOT_RAM);
        if (!rc)
            rc = physmem_info(SLOT_RAM, &base, &size);
        if (rc) {
            snprintf(why, sizeof why, "cannot split RAM at 0x%lx: error %d", (unsigned long)keep, rc);
            refuse(why);
        }
        progs[c->holder].ram_base = base;
        progs[c->holder].ram_size = size;
        ram_slot = SLOT_RAM;
        printf("[init] %lu MiB of RAM to pid %u (%s); init keeps %lu KiB\n",
               (unsigned long)(size >> 20), progs[c->holder].pid, image.programs[c->holder].name,
               (unsigned long)(keep >> 10));
    }
    if (grant_caps(&image, ram_slot))
        refuse("a capability cannot be granted (above)");
    if (ram_slot != AK_NO_SLOT)
        ak_cap_drop(ram_slot);

    int rc = procctl_notification(AK_INIT_SLOT_PROCCTL, SLOT_ENDED);
    if (rc) {
        snprintf(why, sizeof why, "the ending notification: error %d", rc);
        refuse(why);
    }
    for (uint32_t i = 0; i < image.nprograms; i++) {
        if (finish_program(&image, i, progs))
            refuse("a program cannot be configured (above)");
        if ((rc = process_watch(SLOT_PROC0 + i, SLOT_ENDED, UINT64_C(1) << i))) {
            snprintf(why, sizeof why, "watching program %u: error %d", i, rc);
            refuse(why);
        }
    }
    /* Built: only its pager keeps a process's address space from now on. */
    for (uint32_t i = 0; i < image.nprograms; i++)
        ak_cap_drop(SLOT_ASPACE0 + i);
}

/* Waits for every program that is not a server; returns whether all ended as expected. */
static bool wait_all(void)
{
    bool as_expected = true;
    uint32_t left = 0;
    for (uint32_t i = 0; i < image.nprograms; i++)
        if (image.programs[i].expect.kind != BI_EXPECT_SERVE)
            left++;
    while (left > 0) {
        int64_t bits = ak_wait(SLOT_ENDED, 0);
        if (bits < 0) {
            printf("[init] waiting for the programs: error %ld\n", (long)bits);
            return false;
        }
        for (uint32_t i = 0; i < image.nprograms; i++) {
            if (!((uint64_t)bits & (UINT64_C(1) << i)) || progs[i].ended)
                continue;
            uint32_t pid = 0;
            uint8_t state = 0;
            uint64_t status = 0;
            int rc = process_status(SLOT_PROC0 + i, &pid, &state, &status);
            if (rc || state != AK_PROC_ENDED)
                continue;
            progs[i].ended = true;
            as_expected = judge(i, status) && as_expected;
            if (image.programs[i].expect.kind != BI_EXPECT_SERVE)
                left--;
        }
    }
    /* Every server must still run. */
    for (uint32_t i = 0; i < image.nprograms; i++) {
        if (image.programs[i].expect.kind != BI_EXPECT_SERVE || progs[i].ended)
            continue;
        uint32_t pid = 0;
        uint8_t state = 0;
        uint64_t status = 0;
        int rc = process_status(SLOT_PROC0 + i, &pid, &state, &status);
        if (rc || state != AK_PROC_LIVE) {
            printf("[init]   pid %u (%s): a server, but it ended\n", progs[i].pid, image.programs[i].name);
            as_expected = false;
        }
    }
    for (uint32_t i = 0; i < image.nprograms; i++)
        if (image.programs[i].expect.kind == BI_EXPECT_SERVE && progs[i].ended) {
            printf("[init]   pid %u (%s): a server, but it ended\n", progs[i].pid, image.programs[i].name);
            as_expected = false;
        }
    return as_expected;
}

int main(void)
{
    bi_header_t h;
    memcpy(&h, (const void *)AK_ARCHIVE_VA, sizeof h);
    size_t size = h.total_size < AK_ARCHIVE_MAX ? (size_t)h.total_size : (size_t)AK_ARCHIVE_MAX;
    if (bootimage_parse((const void *)AK_ARCHIVE_VA, size, &image, why, sizeof why) != 0)
        refuse(why);
    if (frames_init() != 0)
        refuse("init was given no physical memory");
    printf("[init] %u programs, %u endpoints, %u capabilities\n", image.nprograms, image.nendpoints,
           image.ncaps);
    build_all();
    for (uint32_t i = 0; i < image.nprograms; i++) {
        int rc = process_start(SLOT_PROC0 + i);
        if (rc) {
            snprintf(why, sizeof why, "starting program %u (%s): error %d", i, image.programs[i].name, rc);
            refuse(why);
        }
    }
    bool ok = wait_all();
    printf("[init] all programs ended%s\n", ok ? " as expected" : "; some UNEXPECTEDLY");
    power_off(ok ? AK_POWEROFF_OK : AK_POWEROFF_MISMATCH);
}
