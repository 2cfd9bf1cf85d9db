/*
 * The trap wrappers (akuma/ipc.h, akuma/sys.h).  Out of line on purpose:
 * the IDL stubs and tests call them as ordinary functions.  The kernel
 * preserves every register but x0..x5, so x9 holds the message pointer
 * across the trap.
 */
#include <akuma/abi/syscall.h>

/* Offsets in ak_msg_t: info, then words 0..3. */
#define MSG_INFO 0
#define MSG_W1   16
#define MSG_W3   32

/* Loads x1..x5 from the ak_msg_t at x1, keeping its address in x9. */
.macro load_msg
    mov     x9, x1
    ldp     x1, x2, [x9, #MSG_INFO]
    ldp     x3, x4, [x9, #MSG_W1]
    ldr     x5, [x9, #MSG_W3]
.endm

/* Stores x1..x5 back unless the kernel returned an error. */
.macro store_msg_ret
    tbnz    x0, #63, 1f
    stp     x1, x2, [x9, #MSG_INFO]
    stp     x3, x4, [x9, #MSG_W1]
    str     x5, [x9, #MSG_W3]
1:  ret
.endm

.macro ipc_wrapper name, number, writes_back
    .global \name
    .type \name, %function
    .balign 16
\name:
    load_msg
    mov     x7, #\number
    svc     #0
.if \writes_back
    store_msg_ret
.else
    ret
.endif
    .size \name, . - \name
.endm

    .text
    ipc_wrapper ak_ipc_call, AK_SYS_CALL, 1
    ipc_wrapper ak_ipc_reply_recv, AK_SYS_REPLY_RECV, 1
    ipc_wrapper ak_ipc_recv, AK_SYS_RECV, 1
    ipc_wrapper ak_ipc_send, AK_SYS_SEND, 0
    ipc_wrapper ak_reply_to, AK_SYS_REPLY_TO, 0

/* ak_ipc_reply(m): the message pointer comes in x0; the reply keeps no answer. */
    .global ak_ipc_reply
    .type ak_ipc_reply, %function
    .balign 16
ak_ipc_reply:
    mov     x1, x0
    load_msg
    mov     x7, #AK_SYS_REPLY
    svc     #0
    ret
    .size ak_ipc_reply, . - ak_ipc_reply

/* Syscalls without a message: arguments already in x0/x1. */
.macro plain_syscall name, number
    .global \name
    .type \name, %function
    .balign 16
\name:
    mov     x7, #\number
    svc     #0
    ret
    .size \name, . - \name
.endm

    plain_syscall ak_sys_null, AK_SYS_NULL
    plain_syscall ak_yield, AK_SYS_YIELD
    plain_syscall ak_sys_console, AK_SYS_CONSOLE
    plain_syscall ak_cap_drop, AK_SYS_DROP
    plain_syscall ak_signal, AK_SYS_SIGNAL
    plain_syscall ak_wait, AK_SYS_WAIT
    plain_syscall ak_poll, AK_SYS_POLL
    plain_syscall ak_bind, AK_SYS_BIND
    plain_syscall ak_sleep, AK_SYS_SLEEP
    plain_syscall ak_signal_wait, AK_SYS_SIGNAL_WAIT
    plain_syscall ak_save_reply, AK_SYS_SAVE_REPLY

/* ak_ipc_recv_timed(slot, m, ms): as ak_ipc_recv, with the limit in x1. */
    .global ak_ipc_recv_timed
    .type ak_ipc_recv_timed, %function
    .balign 16
ak_ipc_recv_timed:
    mov     x9, x1
    mov     x1, x2
    mov     x7, #AK_SYS_RECV_TIMED
    svc     #0
    store_msg_ret
    .size ak_ipc_recv_timed, . - ak_ipc_recv_timed

    .global ak_exit
    .type ak_exit, %function
    .balign 16
ak_exit:
    mov     x7, #AK_SYS_EXIT
    svc     #0
    b       .                       /* the kernel never returns here */
    .size ak_exit, . - ak_exit

/* ak_sys_raw(x0..x5, number): any trap with any registers, for tests. */
    .global ak_sys_raw
    .type ak_sys_raw, %function
    .balign 16
ak_sys_raw:
    mov     x7, x6
    svc     #0
    ret
    .size ak_sys_raw, . - ak_sys_raw
