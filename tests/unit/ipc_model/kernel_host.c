/*
 * Host stand-ins for the kernel functions ipc.c, sched.c and process.c
 * call (see kernel_host.h).  Each does the least that keeps the real
 * code's behaviour observable: kprintf appends to a log, halt returns to
 * the test, vspace_destroy counts and marks the space dead; invoke.c is
 * not linked (a world has no address-space capability).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ukernel/arch.h>
#include <ukernel/arch/esr.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/bootstrap.h>
#include <ukernel/clock.h>
#include <ukernel/device.h>
#include <ukernel/halt.h>
#include <ukernel/invoke.h>
#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/vspace.h>

#include "kernel_host.h"

uint64_t host_ttbr0;
uint64_t host_tpidr_el0;
jmp_buf host_halt_env;
bool host_halt_armed;
int host_halt_status = -1;
unsigned host_vspace_destroyed[PROC_MAX];

static char log_buf[16384];
static size_t log_len;

const char *host_log(void)
{
    return log_buf;
}

void host_reset(void)
{
    log_len = 0;
    log_buf[0] = '\0';
    host_halt_status = -1;
    memset(host_vspace_destroyed, 0, sizeof host_vspace_destroyed);
    host_ttbr0 = 0;
    host_tpidr_el0 = 0;
}

void kvprintf(const char *fmt, va_list ap)
{
    if (log_len + 1 >= sizeof log_buf)
        return;
    int n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
    if (n > 0)
        log_len += (size_t)n < sizeof log_buf - log_len ? (size_t)n : sizeof log_buf - log_len - 1;
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_msg("kernel panic: %s", msg);
    abort();
}

_Noreturn void halt(int status)
{
    if (!host_halt_armed) {
        fail_msg("the kernel halted (status %d) where no halt was expected; log:\n%s", status, log_buf);
        abort();
    }
    host_halt_armed = false;
    host_halt_status = status;
    longjmp(host_halt_env, 1);
}

void vspace_destroy(vspace_t *vs, vspace_table_fn *cb, void *ctx)
{
    (void)cb;
    (void)ctx;
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (vs == &procs[i].vs)
            host_vspace_destroyed[i]++;
    vs->live = false;
}

/* ipc_fastpath hands a call on an address-space capability to invoke.c; worlds hold none. */
thread_t *invoke_aspace(thread_t *t, const cap_t *cap)
{
    (void)cap;
    fail_msg("pid %u invoked an address space, which no world holds", t->proc->pid);
    abort();
}

/* Processes created at run time (proc_create, proc_configure) are not part of a world. */
int vspace_init(vspace_t *vs, frame_table_t *frames, paddr_t root, unsigned asid)
{
    (void)vs, (void)frames, (void)root, (void)asid;
    fail_msg("a world created a process");
    abort();
}

int vspace_query(const vspace_t *vs, vaddr_t va, paddr_t *pa, unsigned *perms)
{
    (void)vs, (void)va, (void)pa, (void)perms;
    fail_msg("a world configured a process");
    abort();
}

int vspace_pin(vspace_t *vs, vaddr_t start, vaddr_t end)
{
    (void)vs, (void)start, (void)end;
    fail_msg("a world configured a process");
    abort();
}

frame_table_t *bootstrap_frames(void)
{
    return NULL;
}

/* A world has no source of interrupts: the idle loop must never be reached. */
void arch_idle(void)
{
    fail_msg("the kernel idled in a world, which nothing can wake");
    abort();
}

bool irq_poll(void)
{
    return false;
}

/* A world has no devices and no interrupt lines. */
unsigned irq_bound(void)
{
    return 0;
}

void devices_forget(const vspace_t *vs)
{
    (void)vs;
}

/* No console attaches the kernel's log in the model: nothing to signal. */
int klog_pending;
void klog_kick_now(void)
{
}

void irq_handler_unref(irq_handler_t *h)
{
    (void)h;
    fail_msg("a world dropped an IRQ capability, which no world holds");
    abort();
}

/* A world has no deadlines: the counter stands still. */
uint64_t arch_counter(void)
{
    return 0;
}

uint64_t arch_counter_freq(void)
{
    return 62500000u;
}

void arch_vspace_idle(void)
{
    host_ttbr0 = HOST_TTBR_IDLE;
}
