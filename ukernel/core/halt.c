/*
 * Stopping the system (see halt.h).  A second halt while the first is
 * under way (a fault in the power-off path) goes straight to the platform.
 */
#include "halt.h"

#include "kprintf.h"
#include "plat.h"

_Noreturn void halt(enum halt_status status)
{
    static int halting;
    if (!halting++)
        kprintf("[kernel] halt: status %d\n", (int)status);
    plat_poweroff((int)status);
}
