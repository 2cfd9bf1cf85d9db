/*
 * spawner: tests init's process manager (idl/proc.idl) from a program of
 * the manifest that holds an endpoint to init (slot 1) and process control
 * (slot 2, for the kernel's census).  Each check prints AKTEST PASS or
 * FAIL with its name; the expect file lists them.  Started with a mode, it
 * is the child the tests spawn: `exit N`, `sleep MS N`, `spin`, `env`;
 * with `bench` it measures spawn-wait-hello for make bench (bench/proc).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <akuma/counter.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>

#define SLOT_INIT    1u
#define SLOT_PROCCTL 2u
#define PRIO         100u   /* its priority in the manifest */

static unsigned failures;

static void result(const char *name, bool ok, const char *why)
{
    if (ok)
        printf("AKTEST PASS %s\n", name);
    else
        printf("AKTEST FAIL %s: %s\n", name, why);
    failures += !ok;
}

static bool expect_eq(const char *name, const char *what, int64_t got, int64_t want)
{
    if (got == want)
        return true;
    printf("AKTEST FAIL %s: %s: got %ld, want %ld\n", name, what, (long)got, (long)want);
    failures++;
    return false;
}

static unsigned to_u(const char *s)
{
    unsigned v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

/* A strs block: the words of s (space-separated) NUL-terminated end to end; its length. */
static uint64_t strs(char *out, size_t max, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > max)
        return 0;
    memcpy(out, s, n + 1);
    for (size_t i = 0; i < n; i++)
        if (out[i] == ' ')
            out[i] = '\0';
    return n ? n + 1 : 0;
}

static int spawn(const char *program, const char *args, const char *env, const char *pager, unsigned prio,
                 uint32_t *pid)
{
    static char a[AK_PM_ARGS_MAX + 64], e[AK_PM_ENV_MAX + 64];
    uint64_t alen = strs(a, sizeof a, args), elen = strs(e, sizeof e, env);
    return proc_spawn(SLOT_INIT, program, a, alen, e, elen, pager, (uint8_t)prio, 0, pid);
}

typedef struct ending {
    uint8_t state, why;
    int32_t status;
} ending_t;

static int wait_for(uint32_t pid, ending_t *e)
{
    return proc_wait(SLOT_INIT, pid, &e->state, &e->status, &e->why);
}

static void test_run(void)
{
    const char *name = "spawn-run";
    uint32_t pid = 0;
    ending_t e;
    if (!expect_eq(name, "spawn hello", spawn("hello", "spawned with args", "", "", PRIO, &pid), 0) ||
        !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "state", e.state, AK_PM_EXITED) ||
        !expect_eq(name, "status", e.status, 0) || !expect_eq(name, "why", e.why, AK_PM_WHY_NONE) ||
        !expect_eq(name, "a second wait", wait_for(pid, &e), -AK_ESRCH))
        return;
    /* A child that sleeps: the wait blocks until it ends, with its status. */
    if (!expect_eq(name, "spawn a sleeper", spawn("spawner", "sleep 50 7", "", "none", PRIO, &pid), 0) ||
        !expect_eq(name, "wait for it", wait_for(pid, &e), 0) || !expect_eq(name, "its state", e.state, AK_PM_EXITED) ||
        !expect_eq(name, "its status", e.status, 7))
        return;
    /* The environment reaches getenv. */
    if (!expect_eq(name, "spawn env", spawn("spawner", "env", "MALLOC=chunk OTHER=1", "", PRIO, &pid), 0) ||
        !expect_eq(name, "wait env", wait_for(pid, &e), 0) || !expect_eq(name, "env status", e.status, 0))
        return;
    result(name, true, "");
}

static void test_fault(void)
{
    const char *name = "spawn-killed-by-fault";
    uint32_t pid = 0;
    ending_t e;
    if (expect_eq(name, "spawn crash", spawn("crash", "null", "", "", PRIO, &pid), 0) &&
        expect_eq(name, "wait", wait_for(pid, &e), 0) && expect_eq(name, "state", e.state, AK_PM_KILLED) &&
        expect_eq(name, "why", e.why, AK_PM_WHY_FAULT) && expect_eq(name, "status", e.status, 0))
        result(name, true, "");
}

static void test_kill(void)
{
    const char *name = "spawn-kill";
    uint32_t pid = 0;
    ending_t e;
    uint8_t state = 0, why = 0;
    int32_t status = 0;
    if (!expect_eq(name, "spawn a spinner", spawn("spawner", "spin", "", "", PRIO - 10, &pid), 0) ||
        !expect_eq(name, "status", proc_status(SLOT_INIT, pid, &state, &status, &why), 0) ||
        !expect_eq(name, "running", state, AK_PM_RUNNING) ||
        !expect_eq(name, "kill init", proc_kill(SLOT_INIT, 1), -AK_EPERM) ||
        !expect_eq(name, "kill no one", proc_kill(SLOT_INIT, 0), -AK_ESRCH) ||
        !expect_eq(name, "kill pid 2^32-1", proc_kill(SLOT_INIT, UINT32_MAX), -AK_ESRCH) ||
        !expect_eq(name, "kill it", proc_kill(SLOT_INIT, pid), 0) ||
        !expect_eq(name, "kill it again", proc_kill(SLOT_INIT, pid), 0) ||
        !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "killed", e.state, AK_PM_KILLED) ||
        !expect_eq(name, "by kill", e.why, AK_PM_WHY_KILL) ||
        !expect_eq(name, "gone", proc_status(SLOT_INIT, pid, &state, &status, &why), -AK_ESRCH))
        return;
    result(name, true, "");
}

static void test_errors(void)
{
    const char *name = "spawn-errors";
    uint32_t pid = 0;
    ending_t e;
    static char many[AK_PM_ARGS_MAX];
    /* 64 one-letter words: with argv[0], one past what an initial stack holds. */
    for (size_t i = 0; i < 64; i++) {
        many[2 * i] = 'w';
        many[2 * i + 1] = i == 63 ? '\0' : ' ';
    }
    if (!expect_eq(name, "unknown program", spawn("nosuch", "", "", "", PRIO, &pid), -AK_ENOENT) ||
        !expect_eq(name, "empty name", spawn("", "", "", "", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "a priority above the caller's", spawn("hello", "", "", "", PRIO + 1, &pid), -AK_EINVAL) ||
        !expect_eq(name, "env without '='", spawn("hello", "", "NOEQUALS", "", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "env starting with '='", spawn("hello", "", "=x", "", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "a vmm as pager", spawn("hello", "", "", "vmm", PRIO, &pid), -AK_ENOTSUP) ||
        !expect_eq(name, "a quota without a vmm",
                   proc_spawn(SLOT_INIT, "hello", "", 0, "", 0, "", PRIO, 5, &pid), -AK_EINVAL) ||
        !expect_eq(name, "64 arguments", spawn("hello", many, "", "", PRIO, &pid), -AK_E2BIG) ||
        !expect_eq(name, "a damaged ELF file", spawn("pong", "", "", "", PRIO, &pid), -AK_ENOEXEC) ||
        !expect_eq(name, "a name past its bound (the stub)",
                   spawn("sixteen-letters!", "", "", "", PRIO, &pid), -AK_E2BIG) ||
        !expect_eq(name, "wait for no one", wait_for(0, &e), -AK_ESRCH) ||
        !expect_eq(name, "wait for init", wait_for(1, &e), -AK_ESRCH) ||
        !expect_eq(name, "wait for itself (not its child)", wait_for(ak_bootinfo()->pid, &e), -AK_EPERM))
        return;
    /* 63 arguments: the most, all delivered (the child checks its argc). */
    many[2 * 62 + 1] = '\0';
    if (!expect_eq(name, "63 arguments", spawn("spawner", many, "", "", PRIO, &pid), 0) ||
        !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "its argc", e.status, 64))
        return;
    result(name, true, "");
}

static void test_list(void)
{
    const char *name = "spawn-list";
    uint32_t pid = 0, next = 0;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    if (!expect_eq(name, "spawn a spinner", spawn("spawner", "spin", "", "", PRIO - 20, &pid), 0) ||
        !expect_eq(name, "list", proc_list(SLOT_INIT, 0, &next, entries, &n), 0))
        return;
    bool init_first = n > 0 && entries[0].pid == 1 && strcmp(entries[0].name, "init") == 0;
    const proc_entry_t *me = NULL, *child = NULL;
    for (uint64_t i = 0; i < n; i++) {
        if (entries[i].pid == ak_bootinfo()->pid)
            me = &entries[i];
        if (entries[i].pid == pid)
            child = &entries[i];
    }
    if (!init_first || !me || !child) {
        result(name, false, "init, spawner or its child missing from the list");
        return;
    }
    if (!expect_eq(name, "the child's parent", child->parent, me->pid) ||
        !expect_eq(name, "its priority", child->priority, PRIO - 20) ||
        !expect_eq(name, "its state", child->state, AK_PM_RUNNING) ||
        !expect_eq(name, "its name", strcmp(child->name, "spawner"), 0) ||
        !expect_eq(name, "its frames", child->pages > 0, 1) ||
        !expect_eq(name, "spawner's parent", me->parent, 1) ||
        !expect_eq(name, "from past every pid", proc_list(SLOT_INIT, pid + 1, &next, entries, &n), 0) ||
        !expect_eq(name, "nothing", (int64_t)n, 0) || !expect_eq(name, "no more", next, 0))
        return;
    ending_t e;
    if (!expect_eq(name, "kill", proc_kill(SLOT_INIT, pid), 0) || !expect_eq(name, "wait", wait_for(pid, &e), 0))
        return;
    result(name, true, "");
}

/* init's frames in use (list's entry for pid 1) and the kernel's free process entries. */
static bool snapshot(uint64_t *frames, uint32_t *procs_free)
{
    uint32_t next, eps, phys, max;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    if (proc_list(SLOT_INIT, 0, &next, entries, &n) != 0 || n == 0 || entries[0].pid != 1)
        return false;
    *frames = entries[0].pages;
    return procctl_census(SLOT_PROCCTL, procs_free, &eps, &phys, &max) == 0;
}

static void test_many(void)
{
    const char *name = "spawn-1000";
    uint64_t frames0, frames1;
    uint32_t free0, free1;
    if (!snapshot(&frames0, &free0)) {
        result(name, false, "no snapshot");
        return;
    }
    for (unsigned i = 0; i < 1000; i++) {
        uint32_t pid = 0;
        ending_t e;
        if (!expect_eq(name, "spawn", spawn("spawner", "exit 3", "", "", PRIO, &pid), 0) ||
            !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "status", e.status, 3))
            return;
    }
    if (!snapshot(&frames1, &free1)) {
        result(name, false, "no snapshot after");
        return;
    }
    if (expect_eq(name, "init's frames in use", (int64_t)frames1, (int64_t)frames0) &&
        expect_eq(name, "the kernel's free process entries", free1, free0))
        result(name, true, "");
}

/* bench/proc: spawn hello, let it run, collect its status; per round, in guest instructions and host ms. */
static int bench(void)
{
    enum { WARMUP = 5, ROUNDS = 100 };
    uint64_t i0 = 0, c0 = 0;
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        if (i == WARMUP) {
            i0 = ak_instructions();
            c0 = ak_counter();
        }
        uint32_t pid = 0;
        ending_t e = { 0 };
        int rc = spawn("hello", "bench", "", "", PRIO, &pid);
        if (!rc)
            rc = wait_for(pid, &e);
        if (rc || e.state != AK_PM_EXITED) {
            printf("spawner: bench round %u failed: %d\n", i, rc);
            return 1;
        }
    }
    uint64_t per = (ak_instructions() - i0 + ROUNDS / 2) / ROUNDS;
    uint64_t us = (ak_counter() - c0) * 1000000 / ak_counter_freq() / ROUNDS;
    printf("BENCH proc,spawn-wait-hello,instructions,%lu,guest instructions\n", (unsigned long)per);
    printf("BENCH proc,spawn-wait-hello,ms,%lu.%03lu,host ms\n", (unsigned long)(us / 1000),
           (unsigned long)(us % 1000));
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "exit") == 0)
        return argc > 2 ? (int)to_u(argv[2]) : 0;
    if (strcmp(mode, "sleep") == 0) {
        ak_sleep(argc > 2 ? to_u(argv[2]) : 10);
        return argc > 3 ? (int)to_u(argv[3]) : 0;
    }
    if (strcmp(mode, "spin") == 0)
        for (;;)
            ak_sleep(1000);
    if (strcmp(mode, "env") == 0) {
        const char *m = getenv("MALLOC"), *o = getenv("OTHER");
        return m && strcmp(m, "chunk") == 0 && o && strcmp(o, "1") == 0 && !getenv("MALLO") ? 0 : 1;
    }
    if (strcmp(mode, "w") == 0)
        return argc;   /* the 63-argument child: its argc */
    if (strcmp(mode, "bench") == 0)
        return bench();
    test_run();
    test_fault();
    test_kill();
    test_errors();
    test_list();
    test_many();
    return failures ? 1 : 0;
}
