/*
 * Process lifecycle (see process.h).
 *
 * Order of an ending: the thread stops running (DEAD for the scheduler),
 * the pager is told with EXIT and answers, then the address space is
 * destroyed and the process is ENDED.  Without a pager the destruction is
 * immediate.  Each ending prints one line saying whether it was expected.
 */
#include <ukernel/process.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <common/fmt.h>
#include <ukernel/arch/esr.h>
#include <ukernel/halt.h>
#include <ukernel/ipc.h>
#include <ukernel/kprintf.h>
#include <ukernel/sched.h>

proc_t procs[PROC_MAX];
endpoint_t endpoints[ENDPOINT_MAX];

proc_t *proc_by_pid(uint64_t pid)
{
    if (pid == 0 || pid > PROC_MAX || procs[pid - 1].state == P_FREE)
        return NULL;
    return &procs[pid - 1];
}

static bool outcome_expected(const proc_t *p)
{
    switch (p->expect) {
    case EXPECT_EXIT: return !p->killed && p->exit_status == p->expect_code;
    case EXPECT_KILLED: return p->killed;
    case EXPECT_SERVE: return false; /* a server must not end */
    }
    return false;
}

static void describe_expectation(const proc_t *p, char *buf, size_t n);

/*
 * The address space and the capabilities go; the process is over.  The
 * frames the kernel set aside for it at boot stay where they are: they are
 * not the vmm's to hand out, and the kernel allocates nothing after boot.
 */
static void finish(proc_t *p)
{
    sched_forget_vspace(p);
    vspace_destroy(&p->vs, NULL, NULL);
    cap_table_init(&p->caps);
    p->state = P_ENDED;
    p->thread.state = T_DEAD;
    char want[32];
    describe_expectation(p, want, sizeof want);
    if (p->killed)
        kprintf("[kernel] pid %u (%s) ended: killed (%s)\n", p->pid, p->name,
                outcome_expected(p) ? "as expected" : want);
    else
        kprintf("[kernel] pid %u (%s) ended: exit %ld (%s)\n", p->pid, p->name,
                (long)p->exit_status, outcome_expected(p) ? "as expected" : want);
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

static void describe_expectation(const proc_t *p, char *buf, size_t n)
{
    switch (p->expect) {
    case EXPECT_EXIT: fmt_snprintf(buf, n, "UNEXPECTED: wanted exit %ld", (long)p->expect_code); break;
    case EXPECT_KILLED: fmt_snprintf(buf, n, "UNEXPECTED: wanted killed"); break;
    case EXPECT_SERVE: fmt_snprintf(buf, n, "UNEXPECTED: a server"); break;
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
    case T_DEAD: return "dead";
    }
    return "?";
}

/* A server is as expected if it started and still runs (blocked, usually). */
static bool server_running(const proc_t *p)
{
    return p->state == P_LIVE && p->thread.kmsg != KMSG_START;
}

static void report(const proc_t *p, const char *why)
{
    const thread_t *t = &p->thread;
    kprintf("[kernel]   pid %u (%s): %s", p->pid, p->name, why ? why : state_name(t));
    if (t->blocked_on)
        kprintf(" on endpoint %u", t->blocked_on->id);
    kprintf("\n");
}

_Noreturn void proc_system_end(void)
{
    bool all_done = true, as_expected = true;
    for (unsigned i = 0; i < PROC_MAX; i++) {
        proc_t *p = &procs[i];
        if (p->state == P_FREE)
            continue;
        if (p->expect == EXPECT_SERVE)
            as_expected = as_expected && server_running(p);
        else if (p->state != P_ENDED)
            all_done = false;
        else if (!outcome_expected(p))
            as_expected = false;
    }
    if (!all_done) {
        kprintf("[kernel] deadlock: no thread can run, but programs have not ended:\n");
        for (unsigned i = 0; i < PROC_MAX; i++)
            if (procs[i].state != P_FREE && procs[i].state != P_ENDED)
                report(&procs[i], NULL);
        halt(HALT_MISMATCH);
    }
    for (unsigned i = 0; i < PROC_MAX; i++) {
        const proc_t *p = &procs[i];
        if (p->state != P_FREE && p->expect == EXPECT_SERVE && !server_running(p))
            report(p, p->state == P_ENDED ? "a server, but it ended" : NULL);
    }
    kprintf("[kernel] all programs ended%s\n", as_expected ? " as expected" : "; some UNEXPECTEDLY");
    halt(as_expected ? HALT_OK : HALT_MISMATCH);
}
