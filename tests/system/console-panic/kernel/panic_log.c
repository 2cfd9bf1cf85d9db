/*
 * A panic while a console owns the kernel's log, with the log's ring
 * full: the report must still reach the port (polled), after what the
 * ring held, and the status must be the panic's.  The console is
 * stood in for by an address space and a notification no process has.
 */
#include <akuma/abi/errno.h>
#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/ktest.h>

static vspace_t stand_in_vs;
static notification_t stand_in_notif;

KTEST(console_panic_full_log)
{
    const char *name = "console-panic-log";
    if (klog_attach(&stand_in_vs, &stand_in_notif, 1) != 0) {
        ktest_fail(name, "cannot attach the log");
        return;
    }
    if (klog_attach(&stand_in_vs, &stand_in_notif, 1) != -AK_EBUSY) {
        ktest_fail(name, "a second attach was not refused");
        return;
    }
    /* 64-byte lines until the ring is full: the last ones are dropped, whole. */
    for (unsigned i = 0; i < KLOG_SIZE / 64 + 8; i++)
        kprintf("[ktest] line %04u of the kernel's log .........................\n", i); /* 64 bytes */
    char buf[64];
    uint64_t lost = 0;
    if (klog_read(NULL, buf, sizeof buf, &lost) != -AK_EPERM) {
        ktest_fail(name, "read by another than the console");
        return;
    }
    panic("on purpose, with the kernel's log attached and full");
}
