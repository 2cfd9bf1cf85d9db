/*
 * Process entry.  The kernel starts a program at its ELF entry with SP at
 * the top of its stack; nothing else is set up.  Zero the frame pointer
 * so that backtraces end here, and call the C start-up.
 */
    .section .text.start, "ax"
    .global _start
    .type _start, %function
_start:
    mov     x29, #0
    mov     x30, #0
    bl      __ak_start
    b       .
    .size _start, . - _start
