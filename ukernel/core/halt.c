/*
 * Stopping the system (see halt.h).  A second halt while the first is
 * under way (a fault in the power-off path) goes straight to the platform.
 */
#include <ukernel/halt.h>

#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/plat.h>

_Noreturn void halt(int status)
{
    static int halting;
    if (!halting++) {
        klog_flush(); /* the lines the console had not taken, then the status, polled */
        kprintf("[kernel] halt: status %d\n", status);
    }
    plat_poweroff(status);
}
