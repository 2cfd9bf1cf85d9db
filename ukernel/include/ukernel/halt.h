/*
 * The system's exit status, as QEMU returns it (semihosting SYS_EXIT).
 * 0 means every program ended as the boot manifest expected.
 */
#ifndef UKERNEL_HALT_H
#define UKERNEL_HALT_H

enum halt_status {
    HALT_OK        = 0,  /* every program ended as expected */
    HALT_MISMATCH  = 1,  /* some program ended otherwise than expected */
    HALT_BADIMAGE  = 2,  /* the boot image or manifest was refused */
    HALT_PANIC     = 3,  /* the kernel stopped on a broken invariant or fault */
};

/*
 * Stops the machine; QEMU exits with status (0..255: an enum halt_status,
 * or the power-off capability's choice).  Never returns.
 */
_Noreturn void halt(int status);

#endif /* UKERNEL_HALT_H */
