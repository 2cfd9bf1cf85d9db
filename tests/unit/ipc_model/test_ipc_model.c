/*
 * The kernel's IPC, scheduler and process lifecycle on the host: the real
 * ipc.c, sched.c, process.c and cap.c driven through a world of a few
 * processes (world.h) and checked after every step (check.c: queues,
 * states, caller links, address spaces, thread pointers, and every
 * message against what was sent).
 *
 *  - A random run: a million steps of system calls on random slots (bad
 *    ones too), long and malformed messages, yields, exits, faults, ticks,
 *    kernel messages and pagers' verdicts, over random worlds, entered as
 *    entry.S does (the fastpath first for call and reply_recv).
 *  - A differential run: every call and reply_recv made twice from the
 *    same state, through the fastpath and through the slow path only,
 *    with identical results required.
 *  - Directed tests of the lifecycle rules: a server that ends answers
 *    its caller AK_ESRCH; a thread waiting on a kernel message whose
 *    pager dies is killed; a process is ENDED only after its pager answers
 *    EXIT, and then signals the notification its creator watches it
 *    with; the system's end (init, pid 1, ending: its status; nothing able
 *    to run: a deadlock with every thread's state); and a thread switch
 *    made by the slow path keeps each thread's TPIDR_EL0.
 *
 * Runs are seeded: a failure names the world, its seed and the step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/process.h>
#include <ukernel/halt.h>
#include <ukernel/sched.h>

#include "kernel_host.h"
#include "world.h"

#define RANDOM_STEPS 1000000ul
#define DIFF_STEPS    200000ul
#define WORLD_STEPS     2000ul   /* a world is rebuilt when it halts or after this many steps */

#define PRIO_HIGH 120u
#define PRIO_MID  110u

/* A data abort on a write, as el0.c passes it on. */
#define WRITE_ABORT_ESR (((uint64_t)EC_DABT_LOWER << ESR_EC_SHIFT) | ESR_IL | ESR_ISS_WNR | 0x7u)
#define UNDEF_ESR       ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL)

static world_t w;

/*
 * Makes ev happen to pid, which must be the thread running, as entry.S
 * would; returns true if the system halted.
 */
static bool act(unsigned pid, event_t ev)
{
    int c = world_current();
    if (c != (int)pid - 1)
        fail_msg("step %lu: pid %u should run now, but pid %d does", w.step + 1, pid, c + 1);
    return world_step(&w, &ev, MODE_ENTRY);
}

/* Each test starts with a new world_t: its numbers and statistics start at 0. */
static int fresh_world(void **state)
{
    (void)state;
    memset(&w, 0, sizeof w);
    return 0;
}

static thread_t *thread(unsigned pid)
{
    return &procs[pid - 1].thread;
}

static void assert_logged(const char *text)
{
    if (!strstr(host_log(), text))
        fail_msg("the kernel did not print \"%s\"; it printed:\n%s", text, host_log());
}

/* A kernel message from pid with label: badge, info and the first words. */
static void assert_kmsg(unsigned to, unsigned from, uint64_t label, unsigned len, const uint64_t *words)
{
    const thread_t *t = thread(to);
    assert_int_equal(t->regs.x[0], from | AK_PAGER_BADGE_BIT);
    assert_int_equal(t->regs.x[1], ak_msginfo(label, len));
    for (unsigned i = 0; i < len; i++)
        assert_int_equal(t->regs.x[2 + i], words[i]);
    assert_ptr_equal(t->caller, thread(from));
}

/* ---- random runs --------------------------------------------------------- */

static void run_random(uint64_t seed, unsigned long steps, step_mode_t mode)
{
    unsigned long worlds = 0;
    world_random(&w, seed);
    while (w.stats.steps < steps) {
        if (w.halted || w.step >= WORLD_STEPS) {
            world_random(&w, seed + ++worlds);
            continue;
        }
        event_t ev;
        world_pick(&w, &ev);
        world_step(&w, &ev, mode);
    }
}

static void test_random_run(void **state)
{
    (void)state;
    run_random(UINT64_C(0x1A7E5EED), RANDOM_STEPS, MODE_ENTRY);
    const world_stats_t *s = &w.stats;
    /* The run must have done what it claims to check (about a third of what this seed does). */
    assert_true(s->fast_calls > 30000 && s->fast_replies > 30000);
    assert_true(s->delivered > 70000 && s->long_delivered > 15000);
    assert_true(s->replies > 50000 && s->errors > 100000);
    assert_true(s->kmsgs[KMSG_START] > 7000 && s->kmsgs[KMSG_FAULT] > 1000 && s->kmsgs[KMSG_EXIT] > 2000);
    assert_true(s->esrch > 1000 && s->kills > 5000 && s->ended > 5000 && s->busy > 1000);
    assert_true(s->halts > 5000 && s->halts_ok > 10);
}

static void test_fastpath_differential(void **state)
{
    (void)state;
    run_random(UINT64_C(0xD1FF5EED), DIFF_STEPS, MODE_DIFF);
    assert_true(w.stats.compared > DIFF_STEPS / 15);
}

/* ---- a server that ends -------------------------------------------------- */

/* pid 1 serves endpoint 0 and holds pid 2's 2-word call (badge 7). */
static void server_holding_call(unsigned nprocs, unsigned neps)
{
    world_init(&w, nprocs, neps, 1);
    thread(1)->prio = PRIO_HIGH;
    world_grant(&w, 0, 0, 0, AK_RIGHT_RECV, 0);
    world_grant(&w, 1, 0, 0, AK_RIGHT_SEND, 7);
}

static void call_server(void)
{
    act(1, ev_recv(0));
    act(2, ev_call(0, 2));
    assert_ptr_equal(thread(1)->caller, thread(2));
    assert_int_equal(thread(1)->regs.x[0], 7);
}

static void assert_answered_esrch(unsigned pid)
{
    const thread_t *t = thread(pid);
    assert_int_equal(t->state, T_RUNNABLE);
    assert_int_equal(t->regs.x[0], 0);
    assert_int_equal(t->regs.x[1], ak_msginfo(AK_ESRCH, 0));
}

static void test_server_that_exits_answers_caller_esrch(void **state)
{
    (void)state;
    server_holding_call(2, 1);
    world_start(&w);
    call_server();
    act(1, ev_exit(0));
    assert_answered_esrch(2);
    assert_int_equal(procs[0].state, P_ENDED);
    assert_ptr_equal(current, thread(2));
}

static void test_server_that_is_killed_answers_caller_esrch(void **state)
{
    (void)state;
    server_holding_call(2, 1);
    world_start(&w);
    call_server();
    act(1, ev_fault(0, UNDEF_ESR, 0));
    assert_answered_esrch(2);
    assert_true(procs[0].killed);
    assert_logged("pid 1 (p1) killed: Unknown reason (undefined instruction) at 0x");
}

/* The caller is answered when the server stops, not when its pager answers EXIT. */
static void test_exiting_server_answers_caller_before_its_pager(void **state)
{
    (void)state;
    server_holding_call(3, 2);
    thread(1)->pager = &endpoints[1];
    thread(3)->prio = PRIO_MID;
    world_grant(&w, 2, 0, 1, AK_RIGHT_RECV, 0);
    world_start(&w);
    act(3, ev_recv(0));
    act(3, ev_reply_recv(0, 0, 0));   /* START answered: pid 1 runs */
    call_server();
    act(1, ev_exit(5));
    assert_answered_esrch(2);
    assert_int_equal(procs[0].state, P_EXITING);
    assert_kmsg(3, 1, AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS, (uint64_t[]){ 1, 5 });
    act(3, ev_reply_recv(0, 0, 0));
    assert_int_equal(procs[0].state, P_ENDED);
}

/* ---- a pager that dies --------------------------------------------------- */

/* pid 1 pages pid 2 through endpoint 0 and has received its START. */
static void pager_with_start(void)
{
    world_init(&w, 2, 1, 2);
    thread(1)->prio = PRIO_HIGH;
    world_grant(&w, 0, 0, 0, AK_RIGHT_RECV, 0);
    thread(2)->pager = &endpoints[0];
    world_start(&w);
    act(1, ev_recv(0));
    assert_kmsg(1, 2, AK_PAGER_START, AK_PAGER_START_WORDS, (uint64_t[]){ 2 });
}

static void assert_killed_waiting_exit(unsigned pid)
{
    assert_true(procs[pid - 1].killed);
    assert_int_equal(procs[pid - 1].state, P_EXITING);
    assert_int_equal(thread(pid)->kmsg, KMSG_EXIT);
    assert_int_equal(host_vspace_destroyed[pid - 1], 0);
}

static void test_start_waiter_of_dying_pager_is_killed(void **state)
{
    (void)state;
    pager_with_start();
    assert_true(act(1, ev_exit(0)));   /* nothing can run after */
    assert_killed_waiting_exit(2);
    assert_logged("pid 2 (p2) killed: start (refused by its pager) at 0x");
}

static void test_fault_waiter_of_dying_pager_is_killed(void **state)
{
    (void)state;
    pager_with_start();
    act(1, ev_reply_recv(0, 0, 0));
    act(2, ev_fault(0xdead000, WRITE_ABORT_ESR, AK_ACCESS_WRITE));
    assert_kmsg(1, 2, AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS,
                (uint64_t[]){ 0xdead000, WRITE_ABORT_ESR, thread(2)->regs.elr, AK_ACCESS_WRITE });
    assert_true(act(1, ev_fault(0, UNDEF_ESR, 0)));
    assert_killed_waiting_exit(2);
    assert_logged("pid 2 (p2) killed: translation fault, level 3, write (refused by its pager) at 0xdead000");
}

/* ---- the end of a process and of the system ------------------------------- */

static void test_process_ends_only_when_pager_answers_exit(void **state)
{
    (void)state;
    pager_with_start();
    memset(&notifications[0], 0, sizeof notifications[0]);
    notifications[0].refs = 1;   /* the capability its watcher holds */
    assert_int_equal(proc_watch(&procs[1], &notifications[0], 0), -AK_EINVAL);
    assert_int_equal(proc_watch(&procs[1], &notifications[0], AK_BADGE_MAX + 1), -AK_EINVAL);
    assert_int_equal(proc_watch(&procs[1], &notifications[0], 0x24), 0);
    assert_int_equal(notifications[0].refs, 2);
    act(1, ev_reply_recv(0, 0, 0));
    act(2, ev_exit(3));
    assert_kmsg(1, 2, AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS, (uint64_t[]){ 2, 3 });
    act(1, ev_tick());
    act(1, ev_yield());
    assert_int_equal(procs[1].state, P_EXITING);
    assert_int_equal(thread(2)->state, T_BLOCKED_REPLY);
    assert_int_equal(host_vspace_destroyed[1], 0);
    assert_int_equal(notifications[0].word, 0);
    assert_true(act(1, ev_reply_recv(0, 0, 0)));
    assert_int_equal(procs[1].state, P_ENDED);
    assert_int_equal(thread(2)->state, T_DEAD);
    assert_int_equal(host_vspace_destroyed[1], 1);
    /* Its end signalled the watch, and nothing is left to run: init (pid 1) waits for ever. */
    assert_int_equal(notifications[0].word, UINT64_C(0x24));
    assert_int_equal(notifications[0].refs, 1);
    assert_int_equal(host_halt_status, HALT_MISMATCH);
    assert_logged("deadlock");
}

/* init (pid 1) ending ends the system: with its status when init could power off with it, else 1. */
static void init_ends(int64_t code, bool killed, int want)
{
    world_init(&w, 2, 0, 3);
    thread(1)->prio = PRIO_HIGH;
    proc_root = &procs[0];
    world_start(&w);
    if (killed)
        assert_true(act(1, ev_fault(0x10, WRITE_ABORT_ESR, AK_ACCESS_WRITE)));
    else
        assert_true(act(1, ev_exit(code)));
    assert_int_equal(host_halt_status, want);
    assert_logged("init ended");
    assert_null(strstr(host_log(), "deadlock"));
}

static void test_system_end_init_exit_status(void **state)
{
    (void)state;
    init_ends(0, false, 0);
    init_ends(2, false, 2);
    init_ends(255, false, 255);
    init_ends(HALT_PANIC, false, HALT_MISMATCH);   /* 3 is the kernel's */
    init_ends(256, false, HALT_MISMATCH);
    init_ends(-1, false, HALT_MISMATCH);
    init_ends(0, true, HALT_MISMATCH);
}

static void test_system_end_unanswered_exit_is_deadlock(void **state)
{
    (void)state;
    world_init(&w, 2, 2, 4);
    thread(1)->prio = PRIO_HIGH;
    world_grant(&w, 0, 0, 0, AK_RIGHT_RECV, 0);
    world_grant(&w, 0, 1, 1, AK_RIGHT_RECV, 0);
    thread(2)->pager = &endpoints[0];
    world_start(&w);
    act(1, ev_recv(0));
    act(1, ev_reply_recv(1, 0, 0));   /* answers START, then waits elsewhere */
    assert_true(act(2, ev_exit(0)));
    assert_int_equal(host_halt_status, HALT_MISMATCH);
    assert_logged("deadlock");
    assert_logged("pid 2 (p2): ended, waiting for its pager to answer EXIT on endpoint 0");
}

static void test_system_end_start_never_answered_is_deadlock(void **state)
{
    (void)state;
    world_init(&w, 2, 1, 6);
    thread(1)->pager = &endpoints[0];   /* no one receives its START */
    world_start(&w);
    assert_true(act(2, ev_exit(0)));
    assert_int_equal(host_halt_status, HALT_MISMATCH);
    assert_logged("deadlock");
    assert_logged("pid 1 (p1): waiting for its pager to answer START on endpoint 0");
}

/* ---- thread pointers ----------------------------------------------------- */

/* A long call and its long reply take the slow path, which hands the CPU over directly. */
static void test_slow_path_hand_off_switches_thread_pointer(void **state)
{
    (void)state;
    server_holding_call(2, 1);
    world_start(&w);
    act(1, ev_recv(0));
    event_t call = ev_call(0, AK_MSG_REG_WORDS + 1);
    call.set_tls = true;
    call.tls = 0xC11E;
    act(2, call);
    assert_ptr_equal(current, thread(1));
    assert_int_equal(host_tpidr_el0, w.m[0].tls);
    assert_int_equal(thread(2)->tls, 0xC11E);
    act(1, ev_reply_recv(0, AK_MSG_REG_WORDS + 1, 0));
    assert_ptr_equal(current, thread(2));
    assert_int_equal(host_tpidr_el0, 0xC11E);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_random_run, fresh_world),
        cmocka_unit_test_setup(test_fastpath_differential, fresh_world),
        cmocka_unit_test_setup(test_server_that_exits_answers_caller_esrch, fresh_world),
        cmocka_unit_test_setup(test_server_that_is_killed_answers_caller_esrch, fresh_world),
        cmocka_unit_test_setup(test_exiting_server_answers_caller_before_its_pager, fresh_world),
        cmocka_unit_test_setup(test_start_waiter_of_dying_pager_is_killed, fresh_world),
        cmocka_unit_test_setup(test_fault_waiter_of_dying_pager_is_killed, fresh_world),
        cmocka_unit_test_setup(test_process_ends_only_when_pager_answers_exit, fresh_world),
        cmocka_unit_test_setup(test_system_end_init_exit_status, fresh_world),
        cmocka_unit_test_setup(test_system_end_unanswered_exit_is_deadlock, fresh_world),
        cmocka_unit_test_setup(test_system_end_start_never_answered_is_deadlock, fresh_world),
        cmocka_unit_test_setup(test_slow_path_hand_off_switches_thread_pointer, fresh_world),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
