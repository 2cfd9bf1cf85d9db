/*
 * Power-off with an exit status through Arm semihosting (QEMU runs with
 * -semihosting).  SYS_EXIT (0x18) on AArch64 takes a pointer to two words:
 * the reason ADP_Stopped_ApplicationExit and the status, which QEMU
 * returns as its own exit status.  PSCI SYSTEM_OFF would always give 0.
 */
#include <ukernel/plat.h>

#define SEMIHOST_SYS_EXIT            0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

_Noreturn void plat_poweroff(int status)
{
    volatile uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(int64_t)status };
    register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
    register volatile uint64_t *x1 __asm__("x1") = block;
    __asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
    for (;;)  /* without -semihosting the hlt is undefined; never get here */
        __asm__ volatile("wfi");
}
