/*
 * Process entry.  A program starts at its ELF entry with SP at its
 * initial stack: argc, argv, the environment (abi/start.h).  Zero the
 * frame pointer so that backtraces end here, and call the C start-up with
 * that stack pointer.
 */
    .section .text.start, "ax"
    .global _start
    .type _start, %function
_start:
    mov     x29, #0
    mov     x30, #0
    mov     x0, sp
    bl      __ak_start
    b       .
    .size _start, . - _start
