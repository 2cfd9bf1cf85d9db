/*
 * Exception vectors and the entry/exit paths.
 *
 * While a thread runs at EL0, SP_EL1 points just past its arch_regs_t, so
 * an exception from EL0 saves the user context straight into the thread
 * (no copy), switches to the one kernel stack and calls the C handler.
 * The handler returns the frame to resume; restoring it leaves SP_EL1
 * pointing past that frame again, ready for the next exception.
 * The kernel itself runs with interrupts masked and never takes one: an
 * exception taken from EL1 is a kernel bug and goes to trap_el1 (panic).
 */
#include <akuma/abi/syscall.h>
#include <ukernel/arch/regs.h>
#include <ukernel/arch/sysreg.h>

/* Kinds of EL1 exception passed to trap_el1 (see trap.c). */
#define KIND_EL1_SYNC   0
#define KIND_EL1_IRQ    1
#define KIND_EL1_FIQ    2
#define KIND_EL1_SERROR 3
#define KIND_SP0        4
#define KIND_EL0_FIQ    5
#define KIND_EL0_SERROR 6
#define KIND_AARCH32    7

.macro vector target
    .balign 0x80
    b       \target
.endm

.macro vector_el1 kind
    .balign 0x80
    sub     sp, sp, #REGS_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       el1_fatal
.endm

    .text
    .balign 0x800
    .global exception_vectors
exception_vectors:
    /* current EL with SP_EL0: never used by this kernel */
    vector_el1 KIND_SP0
    vector_el1 KIND_SP0
    vector_el1 KIND_SP0
    vector_el1 KIND_SP0
    /* current EL with SP_ELx: a fault in the kernel */
    vector_el1 KIND_EL1_SYNC
    vector_el1 KIND_EL1_IRQ
    vector_el1 KIND_EL1_FIQ
    vector_el1 KIND_EL1_SERROR
    /* lower EL, AArch64: a system call other than AK_SYS_NULL costs no extra instruction */
    .balign 0x80
    cbnz    x7, el0_sync
    b       el0_sync_null
    vector  el0_irq
    vector_el1 KIND_EL0_FIQ
    vector_el1 KIND_EL0_SERROR
    /* lower EL, AArch32: never enabled */
    vector_el1 KIND_AARCH32
    vector_el1 KIND_AARCH32
    vector_el1 KIND_AARCH32
    vector_el1 KIND_AARCH32

/* Saves x2-x30, SP_EL0, ELR, SPSR at sp (x0, x1 already saved). */
.macro save_rest
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x21, sp_el0
    stp     x30, x21, [sp, #REGS_X30]
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [sp, #REGS_ELR]
.endm

/* Saves the user context into current's frame and moves to the kernel stack; x0 = frame. */
.macro enter_el0
    sub     sp, sp, #REGS_SIZE
    stp     x0, x1, [sp, #0]
    save_rest
    mov     x0, sp
    adrp    x1, kernel_stack_top        /* page aligned (boot.S): no low bits to add */
    mov     sp, x1
.endm

/*
 * x7 is 0: AK_SYS_NULL is answered here, before anything is saved, so it
 * measures the trap itself (exception entry and return).  x0 is parked in
 * the frame's SPSR slot, just below SP_EL1 and rewritten by any full save,
 * while ESR says whether this is a system call at all; anything else goes
 * on to el0_sync with all registers as they were.
 */
el0_sync_null:
    str     x0, [sp, #-8]
    mrs     x0, esr_el1
    lsr     x0, x0, #ESR_EC_SHIFT
    cmp     x0, #EC_SVC64
    b.ne    1f
    mov     x0, #0
    eret
1:  ldr     x0, [sp, #-8]
    b       el0_sync

/*
 * System calls: call and reply_recv try the IPC fastpath first, which
 * returns the thread to resume (its frame comes first) or NULL; the rest
 * go to trap_el0_svc(frame, number).  When the fastpath declines, the
 * frame is current's again (it changed nothing).
 */
el0_sync:
    enter_el0
    mrs     x1, esr_el1
    lsr     x2, x1, #ESR_EC_SHIFT
    cmp     x2, #EC_SVC64
    b.ne    2f
    sub     x2, x7, #AK_SYS_CALL
    cmp     x2, #(AK_SYS_REPLY_RECV - AK_SYS_CALL)
    b.hi    3f
    mov     x1, x7
    bl      ipc_fastpath
    cbnz    x0, arch_return_to_user
    adrp    x0, current
    ldr     x0, [x0, :lo12:current]
1:  ldr     x1, [x0, #(REGS_X0 + 8 * 7)]
    bl      trap_el0_svc
    b       arch_return_to_user
2:  bl      trap_el0_sync
    b       arch_return_to_user
    /* signal_wait tries its own fastpath (notif.c) the same way. */
3:  cmp     x7, #AK_SYS_SIGNAL_WAIT
    b.ne    1b
    bl      notif_fastpath
    cbnz    x0, arch_return_to_user
    adrp    x0, current
    ldr     x0, [x0, :lo12:current]
    b       1b

el0_irq:
    enter_el0
    bl      trap_el0_irq
    b       arch_return_to_user

el1_fatal:
    save_rest
    mov     x0, sp
    bl      trap_el1
    b       .

/* arch_return_to_user(frame): restore the frame and eret to EL0. */
    .global arch_return_to_user
arch_return_to_user:
    mov     sp, x0
    ldp     x22, x23, [sp, #REGS_ELR]
    ldp     x30, x21, [sp, #REGS_X30]
    msr     elr_el1, x22
    msr     spsr_el1, x23
    msr     sp_el0, x21
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #REGS_SIZE
    eret
