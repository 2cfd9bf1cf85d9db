/*
 * Process lifecycle (see process.h).
 *
 * Order of an ending: the thread stops running (DEAD for the scheduler),
 * the pager is told with EXIT and answers, then the address space is
 * destroyed and the process is ENDED, and the notification its creator
 * asked for (process.watch) is signalled.  Without a pager the destruction
 * is immediate.  Judging how a process ended is init's business; the
 * kernel reports only kills, and ends the system if init itself ends.
 */
#include <ukernel/process.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/init.h>
#include <akuma/abi/process.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/pager.h>
#include <common/fmt.h>
#include <common/string.h>
#include <ukernel/arch/esr.h>
#include <ukernel/arch/memory.h>
#include <akuma/abi/syscall.h>
#include <ukernel/arch/regs.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/bootstrap.h>
#include <ukernel/halt.h>
#include <ukernel/ipc.h>
#include <ukernel/kprintf.h>
#include <ukernel/device.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/sched.h>
#include <ukernel/tqueue.h>

proc_t procs[PROC_MAX];
endpoint_t endpoints[ENDPOINT_MAX];
bool proc_power_holder;
proc_t *proc_root;

bool proc_may_wake(void)
{
    return timeout_pending() || irq_bound() > 0;
}

proc_t *proc_by_pid(uint64_t pid)
{
    if (pid == 0 || pid > UINT32_MAX)
        return NULL;
    proc_t *p = &procs[(pid - 1) % PROC_MAX];
    return p->state != P_FREE && p->pid == pid ? p : NULL;
}

/* The pid the next process in p's slot gets: PROC_MAX past the last one. */
static uint32_t next_pid(const proc_t *p)
{
    uint32_t first = proc_slot(p) + 1;
    if (p->pid == 0 || p->pid > UINT32_MAX - PROC_MAX)
        return first;
    return p->pid + PROC_MAX;
}

/* The slot is free again; its next process gets a new pid. */
static void proc_free(proc_t *p)
{
    uint32_t pid = p->pid;
    memset(p, 0, sizeof *p);
    p->pid = pid;
}

/*
 * init is the system: when it ends, the system does, with its exit status
 * if that is a status init could have powered off with, else 1.
 */
_Noreturn static void init_ended(const proc_t *p)
{
    int64_t s = p->exit_status;
    bool usable = !p->killed && s >= 0 && s <= (int64_t)AK_POWEROFF_MAX && s != AK_POWEROFF_PANIC;
    if (p->killed)
        kprintf("[kernel] init ended: killed; the system ends\n");
    else
        kprintf("[kernel] init ended: exit %ld; the system ends\n", (long)s);
    halt(usable ? (int)s : HALT_MISMATCH);
}

/*
 * The address space and the capabilities go; the process is over.  The
 * frames the kernel set aside for it at boot stay where they are: they are
 * not the vmm's to hand out, and the kernel allocates nothing after boot.
 */
static void finish(proc_t *p)
{
    sched_forget_vspace(p);
    devices_forget(&p->vs);
    vspace_destroy(&p->vs, NULL, NULL);
    notif_unbind(&p->thread);
    obj_caps_clear(p);
    if (p->thread.pager) {
        endpoint_unref(p->thread.pager);
        p->thread.pager = NULL;
    }
    p->state = P_ENDED;
    p->thread.state = T_DEAD;
    if (p == proc_root)
        init_ended(p);
    if (p->on_end) {
        notif_signal(p->on_end, p->on_end_bits);
        notif_unref(p->on_end);
        p->on_end = NULL;
    }
    if (p->reap)
        proc_free(p);
}

/* t stops for good; its pager hears of it first if it has one. */
static void end_thread(thread_t *t)
{
    proc_t *p = t->proc;
    t->state = T_DEAD; /* t is current or blocked: on no run queue */
    p->state = P_EXITING;
    ipc_abandon_caller(t);
    if (t->pager) {
        uint64_t w[AK_PAGER_EXIT_WORDS];
        w[AK_EXIT_W_PID] = p->pid;
        w[AK_EXIT_W_STATUS] = p->killed ? AK_EXIT_KILLED : (uint64_t)p->exit_status;
        ipc_kernel_call(t, KMSG_EXIT, AK_PAGER_EXIT, w, AK_PAGER_EXIT_WORDS);
    } else {
        finish(p);
    }
}

void proc_exit(thread_t *t, int64_t status)
{
    t->proc->exit_status = (int32_t)status; /* an int, as in C and the manifest */
    end_thread(t);
}

/* One line, "killed: <what><why> at <addr> pc <pc>"; why is "" or " (...)". */
static void kill(thread_t *t, const char *what, const char *why, uint64_t addr, uint64_t pc)
{
    proc_t *p = t->proc;
    kprintf("[kernel] pid %u (%s) killed: %s%s at 0x%lx pc 0x%lx\n", p->pid, p->name, what, why,
            addr, pc);
    p->killed = true;
    end_thread(t);
}

/* Kills t for the exception esr, named as the architecture decodes it. */
static void kill_for_fault(thread_t *t, uint64_t far, uint64_t esr, uint64_t elr, const char *why)
{
    char fs[64];
    const char *status = esr_fault_status(esr, fs, sizeof fs);
    kill(t, status ? status : esr_class_name(esr), why, far, elr);
}

void proc_fault(thread_t *t, uint64_t far, uint64_t esr, uint64_t elr, uint64_t access)
{
    if (!t->pager) {
        kill_for_fault(t, far, esr, elr, "");
        return;
    }
    uint64_t w[AK_PAGER_FAULT_WORDS];
    w[AK_FAULT_W_FAR] = far;
    w[AK_FAULT_W_ESR] = esr;
    w[AK_FAULT_W_ELR] = elr;
    w[AK_FAULT_W_ACCESS] = access;
    ipc_kernel_call(t, KMSG_FAULT, AK_PAGER_FAULT, w, AK_PAGER_FAULT_WORDS);
}

void proc_kmsg_replied(thread_t *t, uint64_t label)
{
    kmsg_kind_t kind = t->kmsg;
    t->kmsg = KMSG_NONE;
    switch (kind) {
    case KMSG_START:
    case KMSG_FAULT:
        if (label == 0) {
            sched_wake(t);
        } else {
            const ak_msg_t *m = &t->kmsg_body;
            if (kind == KMSG_START)
                kill(t, "start", " (refused by its pager)", t->regs.elr, t->regs.elr);
            else
                kill_for_fault(t, m->w[AK_FAULT_W_FAR], m->w[AK_FAULT_W_ESR], m->w[AK_FAULT_W_ELR],
                               " (refused by its pager)");
        }
        break;
    case KMSG_EXIT:
        finish(t->proc);
        break;
    case KMSG_NONE:
        break;
    }
}

void proc_start(proc_t *p)
{
    thread_t *t = &p->thread;
    p->state = P_LIVE;
    t->slice = TIMESLICE_TICKS;
    if (t->pager) {
        uint64_t w[AK_PAGER_START_WORDS];
        w[AK_START_W_PID] = p->pid;
        ipc_kernel_call(t, KMSG_START, AK_PAGER_START, w, AK_PAGER_START_WORDS);
    } else {
        sched_wake(t);
    }
}

int proc_create(proc_t *creator, paddr_t root, unsigned prio, endpoint_t *pager, proc_t **out)
{
    if (prio > creator->thread.prio)
        return -AK_EPERM;
    if ((root & PAGE_MASK) != 0)
        return -AK_EINVAL;
    if (root < creator->memory.base || root >= creator->memory.end)
        return -AK_EPERM;
    proc_t *p = NULL;
    for (unsigned i = 0; i < PROC_MAX && !p; i++)
        if (procs[i].state == P_FREE)
            p = &procs[i];
    if (!p)
        return -AK_ENOSPC;
    uint32_t pid = next_pid(p);
    /* The ASID is the slot's: its last user's TLB entries went with its address space. */
    int err = vspace_init(&p->vs, bootstrap_frames(), root, proc_slot(p) + 1);
    if (err)
        return err;
    p->pid = pid;
    p->state = P_CREATED;
    memcpy(p->name, "?", 2);
    cap_table_init(&p->caps);
    thread_t *t = &p->thread;
    t->proc = p;
    t->prio = (uint8_t)prio;
    t->state = T_INACTIVE;
    t->regs.spsr = SPSR_MODE_EL0T; /* interrupts unmasked */
    t->pager = pager;
    if (pager)
        endpoint_ref(pager);
    *out = p;
    return 0;
}

/* A name is 1..AK_NAME_MAX-1 printable characters, NUL-padded to AK_NAME_MAX bytes. */
static bool name_valid(const char *name)
{
    size_t n = 0;
    while (n < AK_NAME_MAX && name[n] != '\0') {
        if (name[n] < 0x20 || name[n] > 0x7e)
            return false;
        n++;
    }
    if (n == 0 || n == AK_NAME_MAX)
        return false;
    for (size_t i = n; i < AK_NAME_MAX; i++)
        if (name[i] != '\0')
            return false;
    return true;
}

int proc_configure(proc_t *p, vaddr_t entry, vaddr_t sp, const char name[AK_NAME_MAX])
{
    if (p->state != P_CREATED)
        return -AK_EBUSY;
    if ((entry & 3) != 0 || entry >= AK_USER_VA_END || (sp & 15) != 0 || sp > AK_USER_VA_END ||
        !name_valid(name))
        return -AK_EINVAL;
    paddr_t bi, buf;
    unsigned bi_perms, buf_perms;
    if (vspace_query(&p->vs, AK_BOOTINFO_VA, &bi, &bi_perms) != 0 || bi_perms != PT_READ ||
        vspace_query(&p->vs, AK_IPCBUF_VA, &buf, &buf_perms) != 0 ||
        buf_perms != (PT_READ | PT_WRITE))
        return -AK_ENOENT;
    vspace_pin(&p->vs, AK_BOOTINFO_VA, AK_IPCBUF_VA + PAGE_SIZE);
    thread_t *t = &p->thread;
    t->ipcbuf = phys_to_virt(buf);
    t->console = (char *)t->ipcbuf + AK_CONSOLE_OFFSET;
    t->regs.elr = entry;
    t->regs.sp_el0 = sp;
    memcpy(p->name, name, AK_NAME_MAX);
    p->configured = true;
    return 0;
}

/* Takes t out of whatever it waits in: a run queue, an endpoint's queue, a server's caller. */
static void detach(thread_t *t)
{
    switch (t->state) {
    case T_RUNNABLE:
        sched_remove(t);
        break;
    case T_BLOCKED_SEND:
    case T_BLOCKED_RECV:
        tq_unlink(&t->blocked_on->queue, t);
        t->blocked_on = NULL;
        break;
    case T_BLOCKED_REPLY:
        /* Its server (or its pager, for a kernel message) forgets it: a later reply goes nowhere,
           and a reply capability saved for it answers nothing (-AK_ESRCH). */
        for (unsigned i = 0; i < PROC_MAX; i++)
            if (procs[i].thread.caller == t)
                ipc_release_caller(&procs[i].thread);
        t->saved_by = NULL;
        break;
    case T_BLOCKED_NOTIF:
        tq_unlink(&t->waiting_on->waiters, t);
        t->waiting_on = NULL;
        break;
    case T_SLEEPING:
    case T_INACTIVE:
    case T_DEAD:
        break;
    }
    t->kmsg = KMSG_NONE;
    t->wake_at = 0;
}

void proc_destroy(proc_t *p, const proc_t *by)
{
    switch (p->state) {
    case P_CREATED:
        sched_forget_vspace(p);
        devices_forget(&p->vs);
        vspace_destroy(&p->vs, NULL, NULL);
        obj_caps_clear(p);
        if (p->thread.pager)
            endpoint_unref(p->thread.pager);
        if (p->on_end)
            notif_unref(p->on_end);
        proc_free(p);
        break;
    case P_LIVE:
        kprintf("[kernel] pid %u (%s) destroyed by pid %u (%s)\n", p->pid, p->name, by->pid,
                by->name);
        p->reap = true;
        p->killed = true;
        detach(&p->thread);
        end_thread(&p->thread);
        break;
    case P_EXITING:
        p->reap = true;
        break;
    case P_ENDED:
        proc_free(p);
        break;
    case P_FREE:
        break;
    }
}

static const char *state_name(const thread_t *t)
{
    switch (t->kmsg) {
    case KMSG_START: return "waiting for its pager to answer START";
    case KMSG_FAULT: return "waiting for its pager to answer FAULT";
    case KMSG_EXIT: return "ended, waiting for its pager to answer EXIT";
    case KMSG_NONE: break;
    }
    switch (t->state) {
    case T_INACTIVE: return "not started";
    case T_RUNNABLE: return "runnable";
    case T_BLOCKED_SEND: return "blocked sending";
    case T_BLOCKED_RECV: return "blocked receiving";
    case T_BLOCKED_REPLY: return "waiting for a reply";
    case T_BLOCKED_NOTIF: return "waiting on a notification";
    case T_SLEEPING: return "sleeping";
    case T_DEAD: return "dead";
    }
    return "?";
}

static void report(const proc_t *p)
{
    const thread_t *t = &p->thread;
    kprintf("[kernel]   pid %u (%s): %s", p->pid, p->name,
            p->state == P_CREATED ? "created, not started" : state_name(t));
    if (t->blocked_on)
        kprintf(" on endpoint %u", t->blocked_on->id);
    if (t->waiting_on)
        kprintf(" %u", t->waiting_on->id);
    kprintf("\n");
}

_Noreturn void proc_system_end(void)
{
    /* Only init's power-off may end the system: nothing runs, so nothing will. */
    kprintf("[kernel] deadlock: no thread can run, and no power-off came:\n");
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ENDED)
            report(&procs[i]);
    halt(HALT_MISMATCH);
}

int proc_watch(proc_t *p, notification_t *n, uint64_t bits)
{
    if (p->state == P_FREE || p->state == P_ENDED)
        return -AK_ESRCH;
    if (bits == 0 || bits > AK_BADGE_MAX)
        return -AK_EINVAL;
    if (p->on_end)
        notif_unref(p->on_end);
    notif_ref(n);
    p->on_end = n;
    p->on_end_bits = bits;
    return 0;
}
