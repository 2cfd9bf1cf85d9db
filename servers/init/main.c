/*
 * init: the root task (DESIGN.md 10, abi/init.h).
 *
 * The kernel starts init alone, with all authority and a read-only copy of
 * the boot archive.  init reads the manifest in it (bootimage_parse: the
 * same validating reader mkimage checks its output with), builds and
 * starts every program it names (manifest.c), then serves the process
 * manager (pm.c, idl/proc.idl) and judges each manifest program's ending
 * against the manifest, one line each, until every program that is not a
 * server has ended.  Then, if every server still runs, it powers off with
 * 0; with 1 if anything ended otherwise; with 2 for a manifest it refuses.
 * A deadlock among the programs is the kernel's to report: then no thread,
 * init included, can run.
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/process.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

static bootimage_t image;          /* large: kept off the stack */
static char why[200];

_Noreturn static void power_off(uint32_t status)
{
    fflush_stdout();
    int rc = power_poweroff(AK_INIT_SLOT_POWER, status);
    printf("[init] power-off refused: error %d\n", rc);
    fflush_stdout();
    ak_exit(AK_POWEROFF_MISMATCH);
}

_Noreturn static void refuse(const char *what)
{
    printf("[init] manifest refused: %s\n", what);
    power_off(AK_POWEROFF_REFUSED);
}

/* Every server must still run when the rest has ended. */
static bool servers_running(void)
{
    bool ok = true;
    for (uint32_t i = 0; i < image.nprograms; i++) {
        if (image.programs[i].expect.kind != BI_EXPECT_SERVE)
            continue;
        uint32_t pid = 0;
        uint8_t state = 0;
        uint64_t status = 0;
        int rc = process_status(SLOT_PROC0 + i, &pid, &state, &status);
        if (pm_procs[i].ended || rc || state != AK_PROC_LIVE) {
            printf("[init]   pid %u (%s): a server, but it ended\n", pm_procs[i].pid, image.programs[i].name);
            ok = false;
        }
    }
    return ok;
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
    /* The notification every ending signals, bound so that it also wakes a receive. */
    int rc = procctl_notification(AK_INIT_SLOT_PROCCTL, SLOT_ENDED);
    if (!rc)
        rc = (int)ak_bind(SLOT_ENDED);
    if (rc) {
        snprintf(why, sizeof why, "init's notification: error %d", rc);
        refuse(why);
    }
    if (ak_bootinfo()->bootargs[0] != '\0')
        printf("[init] boot arguments: %s\n", ak_bootinfo()->bootargs);
    pm_set_manifest(&image);
    manifest_start(&image);
    bool ended_ok = pm_serve();
    bool ok = servers_running() && ended_ok;
    printf("[init] all programs ended%s\n", ok ? " as expected" : "; some UNEXPECTEDLY");
    power_off(ok ? AK_POWEROFF_OK : AK_POWEROFF_MISMATCH);
}
