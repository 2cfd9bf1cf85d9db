/*
 * spawner: tests init's process manager (idl/proc.idl) from a program of
 * the manifest that holds an endpoint to init (slot 1) and process control
 * (slot 2, for the kernel's census).  Each check prints AKTEST PASS or
 * FAIL with its name; the expect file lists them.  Started with a mode, it
 * is the child the tests spawn: `exit N`, `sleep MS N`, `spin`, `env`,
 * and, paged by a vmm, `malloc N`, `hold N`, `probe`, `attack`; with
 * `inherit` it is a second manifest program, paged by the vmm, whose
 * children get its vmm; with `bench` it measures spawn-wait-hello for
 * make bench (bench/spawn).
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
#include <akuma/abi/caps.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>
#include <idl/vmm_client.h>

#define SLOT_PROCCTL 2u

/* How malloc ends a program it cannot serve, after its report (libakuma/malloc/guest/glue.c). */
#define OUT_OF_MEMORY (-1)

/* Its endpoint to init: slot 1, or 2 for heir, whose slot 1 is its vmm's (abi/caps.h). */
static uint32_t slot_init = 1;
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

static int spawn_quota(const char *program, const char *args, const char *env, const char *pager,
                       unsigned prio, uint64_t quota, uint32_t *pid)
{
    static char a[AK_PM_ARGS_MAX + 64], e[AK_PM_ENV_MAX + 64];
    uint64_t alen = strs(a, sizeof a, args), elen = strs(e, sizeof e, env);
    return proc_spawn(slot_init, program, a, alen, e, elen, pager, (uint8_t)prio, quota, pid);
}

static int spawn(const char *program, const char *args, const char *env, const char *pager, unsigned prio,
                 uint32_t *pid)
{
    return spawn_quota(program, args, env, pager, prio, 0, pid);
}

typedef struct ending {
    uint8_t state, why;
    int32_t status;
} ending_t;

static int wait_for(uint32_t pid, ending_t *e)
{
    return proc_wait(slot_init, pid, &e->state, &e->status, &e->why);
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
        !expect_eq(name, "status", proc_status(slot_init, pid, &state, &status, &why), 0) ||
        !expect_eq(name, "running", state, AK_PM_RUNNING) ||
        !expect_eq(name, "kill init", proc_kill(slot_init, 1), -AK_EPERM) ||
        !expect_eq(name, "kill no one", proc_kill(slot_init, 0), -AK_ESRCH) ||
        !expect_eq(name, "kill pid 2^32-1", proc_kill(slot_init, UINT32_MAX), -AK_ESRCH) ||
        !expect_eq(name, "kill it", proc_kill(slot_init, pid), 0) ||
        !expect_eq(name, "kill it again", proc_kill(slot_init, pid), 0) ||
        !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "killed", e.state, AK_PM_KILLED) ||
        !expect_eq(name, "by kill", e.why, AK_PM_WHY_KILL) ||
        !expect_eq(name, "gone", proc_status(slot_init, pid, &state, &status, &why), -AK_ESRCH))
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
        !expect_eq(name, "a vmm that does not exist", spawn("hello", "", "", "novmm", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "a program that is no vmm", spawn("hello", "", "", "spawner", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "a file that is no vmm", spawn("hello", "", "", "hello", PRIO, &pid), -AK_EINVAL) ||
        !expect_eq(name, "a quota more than the vmm has",
                   spawn_quota("hello", "", "", "vmm", PRIO, UINT64_C(1) << 40, &pid), -AK_ENOMEM) ||
        !expect_eq(name, "a quota of 2^64-1", spawn_quota("hello", "", "", "vmm", PRIO, UINT64_MAX, &pid),
                   -AK_ENOMEM) ||
        !expect_eq(name, "a quota without a vmm",
                   proc_spawn(slot_init, "hello", "", 0, "", 0, "", PRIO, 5, &pid), -AK_EINVAL) ||
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
        !expect_eq(name, "list", proc_list(slot_init, 0, &next, entries, &n), 0))
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
        !expect_eq(name, "from past every pid", proc_list(slot_init, pid + 1, &next, entries, &n), 0) ||
        !expect_eq(name, "nothing", (int64_t)n, 0) || !expect_eq(name, "no more", next, 0))
        return;
    ending_t e;
    if (!expect_eq(name, "kill", proc_kill(slot_init, pid), 0) || !expect_eq(name, "wait", wait_for(pid, &e), 0))
        return;
    result(name, true, "");
}

/* spawn-table-full: init tracks 32 spawned processes at once; the 33rd is AK_ENOSPC and changes nothing. */
static void test_table_full(void)
{
    const char *name = "spawn-table-full";
    static uint32_t pids[40];
    unsigned n = 0;
    int rc = 0;
    while (n < 40 && (rc = spawn("spawner", "spin", "", "none", PRIO - 30, &pids[n])) == 0)
        n++;
    bool ok = expect_eq(name, "spawned before the table was full", n, 32) &&
              expect_eq(name, "the 33rd", rc, -AK_ENOSPC);
    for (unsigned i = 0; i < n; i++) {
        ending_t e;
        ok = expect_eq(name, "kill", proc_kill(slot_init, pids[i]), 0) && expect_eq(name, "wait", wait_for(pids[i], &e), 0) &&
             ok;
    }
    uint32_t pid = 0;
    ending_t e;
    if (ok && expect_eq(name, "a spawn after", spawn("spawner", "exit 5", "", "none", PRIO, &pid), 0) &&
        expect_eq(name, "its wait", wait_for(pid, &e), 0) && expect_eq(name, "its status", e.status, 5))
        result(name, true, "");
}

/* init's frames in use (list's entry for pid 1) and the kernel's free process entries. */
static bool snapshot(uint64_t *frames, uint32_t *procs_free)
{
    uint32_t next, eps, phys, max;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    if (proc_list(slot_init, 0, &next, entries, &n) != 0 || n == 0 || entries[0].pid != 1)
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

/* ---- programs paged by a vmm ---- */

/* A probe child's count of the vmm's frames in use (its own included: the same each time), or -1. */
static int64_t vmm_in_use(void)
{
    uint32_t pid = 0;
    ending_t e;
    if (spawn("spawner", "probe", "", "vmm", PRIO, &pid) != 0 || wait_for(pid, &e) != 0 || e.state != AK_PM_EXITED)
        return -1;
    return e.status;
}

static void test_vmm_run(void)
{
    const char *name = "spawn-vmm-run";
    uint32_t pid = 0;
    ending_t e;
    int64_t before = vmm_in_use();
    /* 300 blocks of 4000 bytes, touched and freed: every page from the vmm, and all of it back. */
    if (!expect_eq(name, "probe", before >= 0, 1) ||
        !expect_eq(name, "spawn", spawn("spawner", "malloc 300", "", "vmm", PRIO, &pid), 0) ||
        !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "state", e.state, AK_PM_EXITED) ||
        !expect_eq(name, "status", e.status, 0) || !expect_eq(name, "frames back", vmm_in_use(), before))
        return;
    /* A client cannot speak for init: adopt, usage and disown refuse its badge. */
    if (!expect_eq(name, "spawn attack", spawn("spawner", "attack", "", "vmm", PRIO, &pid), 0) ||
        !expect_eq(name, "wait attack", wait_for(pid, &e), 0) || !expect_eq(name, "attack status", e.status, 0))
        return;
    result(name, true, "");
}

static void test_vmm_quota(void)
{
    const char *name = "spawn-vmm-quota";
    uint32_t pid = 0;
    ending_t e;
    /* 100 pages (its stack and image are init's): 30 blocks of 4000 bytes fit in either malloc
       mode, 300 in neither. */
    if (!expect_eq(name, "spawn 30", spawn_quota("spawner", "malloc 30", "", "vmm", PRIO, 100, &pid), 0) ||
        !expect_eq(name, "wait 30", wait_for(pid, &e), 0) || !expect_eq(name, "30 fit", e.status, 0) ||
        !expect_eq(name, "spawn 300", spawn_quota("spawner", "malloc 300", "", "vmm", PRIO, 100, &pid), 0) ||
        !expect_eq(name, "wait 300", wait_for(pid, &e), 0) ||
        !expect_eq(name, "300 refused: malloc's out-of-memory exit", e.status, OUT_OF_MEMORY))
        return;
    result(name, true, "");
}

static void test_vmm_kill_and_list(void)
{
    const char *name = "spawn-vmm-list";
    uint32_t pid = 0, next = 0;
    ending_t e;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    int64_t before = vmm_in_use();
    if (!expect_eq(name, "spawn a holder", spawn_quota("spawner", "hold 20", "MALLOC=chunk", "vmm", PRIO - 20, 500,
                                                         &pid), 0))
        return;
    /* The holder runs while this one sleeps; once it has touched its 20 blocks, it sleeps too. */
    for (unsigned tries = 0; tries < 200; tries++) {
        if (proc_list(slot_init, pid, &next, entries, &n) != 0 || n != 1 || entries[0].pages >= 20)
            break;
        ak_sleep(10);
    }
    if (!expect_eq(name, "one entry", (int64_t)n, 1))
        return;
    const proc_entry_t *c = &entries[0];
    if (!expect_eq(name, "its pid", c->pid, pid) || !expect_eq(name, "its vmm", strcmp(c->pager, "vmm"), 0) ||
        !expect_eq(name, "its quota", (int64_t)c->quota, 500) ||
        !expect_eq(name, "its frames: 20 pages and their tables", c->pages >= 20 && c->pages <= 40, 1) ||
        !expect_eq(name, "its malloc mode", c->malloc_mode, AK_PM_MALLOC_CHUNK) ||
        !expect_eq(name, "kill", proc_kill(slot_init, pid), 0) || !expect_eq(name, "wait", wait_for(pid, &e), 0) ||
        !expect_eq(name, "killed", e.state, AK_PM_KILLED) || !expect_eq(name, "frames back", vmm_in_use(), before))
        return;
    result(name, true, "");
}

/* spawn-vmm-1000: as spawn-1000, each child allocating through the vmm. */
static void test_vmm_many(void)
{
    const char *name = "spawn-vmm-1000";
    uint64_t frames0, frames1;
    uint32_t free0, free1;
    int64_t vmm0 = vmm_in_use();
    if (!snapshot(&frames0, &free0) || vmm0 < 0) {
        result(name, false, "no snapshot");
        return;
    }
    for (unsigned i = 0; i < 1000; i++) {
        uint32_t pid = 0;
        ending_t e;
        if (!expect_eq(name, "spawn", spawn("spawner", "malloc 3", "", "vmm", PRIO, &pid), 0) ||
            !expect_eq(name, "wait", wait_for(pid, &e), 0) || !expect_eq(name, "status", e.status, 0))
            return;
    }
    if (!snapshot(&frames1, &free1)) {
        result(name, false, "no snapshot after");
        return;
    }
    if (expect_eq(name, "init's frames in use", (int64_t)frames1, (int64_t)frames0) &&
        expect_eq(name, "the kernel's free process entries", free1, free0) &&
        expect_eq(name, "the vmm's frames in use", vmm_in_use(), vmm0))
        result(name, true, "");
}

/* The manifest's second spawner, paged by the vmm: pager "" gives a child its vmm. */
static int inherit(void)
{
    const char *name = "spawn-vmm-inherit";
    uint32_t pid = 0, next = 0;
    ending_t e;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    /* Its own entry: the manifest's env chose its malloc mode. */
    if (!expect_eq(name, "list itself", proc_list(slot_init, ak_bootinfo()->pid, &next, entries, &n), 0) ||
        !expect_eq(name, "its malloc mode", n >= 1 && entries[0].malloc_mode == AK_PM_MALLOC_PAGE, 1))
        return 1;
    if (!expect_eq(name, "spawn", spawn("spawner", "hold 1", "", "", PRIO, &pid), 0) ||
        !expect_eq(name, "list", proc_list(slot_init, pid, &next, entries, &n), 0) ||
        !expect_eq(name, "its vmm", n == 1 && strcmp(entries[0].pager, "vmm") == 0, 1) ||
        !expect_eq(name, "kill", proc_kill(slot_init, pid), 0) || !expect_eq(name, "wait", wait_for(pid, &e), 0) ||
        !expect_eq(name, "none", spawn("spawner", "exit 4", "", "none", PRIO, &pid), 0) ||
        !expect_eq(name, "list none", proc_list(slot_init, pid, &next, entries, &n), 0) ||
        !expect_eq(name, "no vmm", n == 1 && strcmp(entries[0].pager, "none") == 0, 1) ||
        !expect_eq(name, "wait none", wait_for(pid, &e), 0) || !expect_eq(name, "its status", e.status, 4))
        return 1;
    result(name, true, "");
    return 0;
}

/* Whether the process called name is listed and running. */
static bool running(const char *name)
{
    uint32_t from = 0, next = 0;
    proc_entry_t entries[AK_PM_LIST_MAX];
    uint64_t n = 0;
    do {
        if (proc_list(slot_init, from, &next, entries, &n) != 0)
            return false;
        for (uint64_t i = 0; i < n; i++)
            if (strcmp(entries[i].name, name) == 0 && entries[i].state == AK_PM_RUNNING)
                return true;
        from = next;
    } while (next != 0);
    return false;
}

/* The child modes that use the vmm. */
static int child_malloc(unsigned n, bool hold)
{
    static void *blocks[400];
    if (n > 400)
        return 3;
    for (unsigned i = 0; i < n; i++) {
        blocks[i] = malloc(4000);
        if (!blocks[i])
            return 2;
        memset(blocks[i], (int)i, 4000);
    }
    for (unsigned i = 0; i < n; i++)
        if (((unsigned char *)blocks[i])[3999] != (unsigned char)i)
            return 4;
    if (hold)
        for (;;)
            ak_sleep(1000);
    for (unsigned i = 0; i < n; i++)
        free(blocks[i]);
    return 0;
}

static int child_probe(void)
{
    uint64_t w[18];
    int rc = vmm_stats(AK_SLOT_VMM, &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6], &w[7], &w[8], &w[9], &w[10],
                       &w[11], &w[12], &w[13], &w[14], &w[15], &w[16], &w[17]);
    return rc ? -1 : (int)w[14];   /* frames_in_use */
}

static int child_attack(void)
{
    uint64_t frames = 0, quota = 0;
    bool ok = vmm_adopt(AK_SLOT_VMM, 9999, AK_BOOT_CAP_SLOTS, 77, 0, "evil") == -AK_EPERM &&
              vmm_usage(AK_SLOT_VMM, ak_bootinfo()->pid, &frames, &quota) == -AK_EPERM &&
              vmm_disown(AK_SLOT_VMM, ak_bootinfo()->pid) == -AK_EPERM;
    return ok ? 0 : 1;
}

/*
 * bench/spawn: spawn hello with pager (no vmm, or one that adopts it), let it run, collect its status;
 * per round, in guest instructions and host ms, as row `proc,<row>`.
 */
static int bench(const char *pager, const char *row)
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
        int rc = spawn("hello", "bench", "", pager, PRIO, &pid);
        if (!rc)
            rc = wait_for(pid, &e);
        if (rc || e.state != AK_PM_EXITED) {
            printf("spawner: bench round %u failed: %d\n", i, rc);
            return 1;
        }
    }
    uint64_t per = (ak_instructions() - i0 + ROUNDS / 2) / ROUNDS;
    uint64_t us = (ak_counter() - c0) * 1000000 / ak_counter_freq() / ROUNDS;
    printf("BENCH proc,%s,instructions,%lu,guest instructions\n", row, (unsigned long)per);
    printf("BENCH proc,%s,ms,%lu.%03lu,host ms\n", row, (unsigned long)(us / 1000), (unsigned long)(us % 1000));
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
        return bench("none", "spawn-wait-hello") || bench("vmm", "spawn-wait-hello-vmm");
    if (strcmp(mode, "malloc") == 0 || strcmp(mode, "hold") == 0)
        return child_malloc(argc > 2 ? to_u(argv[2]) : 1, mode[0] == 'h');
    if (strcmp(mode, "probe") == 0)
        return child_probe();
    if (strcmp(mode, "attack") == 0)
        return child_attack();
    if (strcmp(mode, "inherit") == 0) {
        slot_init = 2;
        return inherit();
    }
    /* heir, the manifest's other spawner, uses the vmm too: the frame counts wait until it has ended. */
    for (unsigned tries = 0; tries < 500 && running("heir"); tries++)
        ak_sleep(10);
    test_run();
    test_fault();
    test_kill();
    test_errors();
    test_list();
    test_table_full();
    test_many();
    test_vmm_run();
    test_vmm_quota();
    test_vmm_kill_and_list();
    test_vmm_many();
    return failures ? 1 : 0;
}
