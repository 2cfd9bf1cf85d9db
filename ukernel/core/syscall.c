/*
 * System call dispatch (see syscall.h).  Every argument comes from a user
 * register and is checked before use; an unknown number gets -AK_ENOSYS.
 * The kernel reads no user memory: console bytes come from the IPC
 * buffer, which the kernel mapped itself.
 */
#include <ukernel/syscall.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/syscall.h>
#include <ukernel/invoke.h>
#include <ukernel/ipc.h>
#include <ukernel/kprintf.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/process.h>
#include <ukernel/sched.h>

static void sys_console(thread_t *t)
{
    uint64_t len = t->regs.x[1];
    if (len > AK_CONSOLE_MAX) {
        t->regs.x[0] = (uint64_t)-AK_EINVAL;
        return;
    }
    kputs(t->console, len);
    t->regs.x[0] = len;
}

void syscall_dispatch(thread_t *t, uint64_t number)
{
    uint64_t slot = t->regs.x[0];
    switch (number) {
    case AK_SYS_NULL: /* answered in entry.S; kept here for completeness */
        t->regs.x[0] = 0;
        break;
    case AK_SYS_CALL:
        /* A call on an address space is an invocation, answered at once. */
        if (!invoke_kernel_object(t, slot))
            ipc_call(slot);
        break;
    case AK_SYS_REPLY_RECV:
        ipc_reply_recv(slot);
        break;
    case AK_SYS_SEND:
        ipc_send(slot);
        break;
    case AK_SYS_RECV:
        ipc_recv(slot);
        break;
    case AK_SYS_YIELD:
        sched_yield();
        t->regs.x[0] = 0;
        break;
    case AK_SYS_EXIT:
        proc_exit(t, (int64_t)t->regs.x[0]);
        break;
    case AK_SYS_CONSOLE:
        sys_console(t);
        break;
    case AK_SYS_REPLY:
        ipc_reply();
        break;
    case AK_SYS_SIGNAL:
        sys_signal(t);
        break;
    case AK_SYS_WAIT:
        sys_wait(t);
        break;
    case AK_SYS_POLL:
        sys_poll(t);
        break;
    case AK_SYS_BIND:
        sys_bind(t);
        break;
    case AK_SYS_RECV_TIMED:
        sys_recv_timed(t);
        break;
    case AK_SYS_SLEEP:
        sys_sleep(t);
        break;
    case AK_SYS_SAVE_REPLY:
        ipc_save_reply(slot);
        break;
    case AK_SYS_REPLY_TO:
        ipc_reply_to(slot);
        break;
    case AK_SYS_SIGNAL_WAIT:
        sys_signal_wait(t);
        break;
    case AK_SYS_DROP:
        t->regs.x[0] = (uint64_t)(int64_t)obj_cap_delete(t->proc, slot);
        break;
    default:
        t->regs.x[0] = (uint64_t)-AK_ENOSYS;
        break;
    }
}
