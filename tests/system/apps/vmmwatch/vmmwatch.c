/*
 * vmmwatch: tests init's proc.vmms (idl/proc.idl) and the vmms' totals
 * (idl/vmm.idl) on the init-vmms image: seven vmms of 16 MiB each (the
 * three variants, some twice) in the order of VMMS below.  It holds an
 * endpoint to init in slot 1 and badged send rights to the endpoints of
 * vmm, vmm-list and vmm-bump in slots 2..4.  Each check prints AKTEST PASS
 * or FAIL with its name; the expect file lists them.  Started with
 * `hold N` it is the child spawned on a vmm: it touches N blocks of 4,000
 * bytes and sleeps until it is killed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <akuma/sys.h>
#include <idl/proc_client.h>
#include <idl/vmm_client.h>

#define SLOT_INIT     1u
#define SLOT_VMM_EP0  2u        /* vmm's, vmm-list's, vmm-bump's endpoints: slots 2, 3, 4 */
#define NVMMS         7u
#define SPAWNED       3u        /* the first three get a child each */
#define VMM_FRAMES    4096u     /* 16 MiB of 4 KiB frames */
#define HOLD_BLOCKS   20u
#define BLOCK_BYTES   4000u
#define PRIO          100u
#define TRIES         300u

static const char *const VMMS[NVMMS] = { "vmm", "vmm-list", "vmm-bump", "vmm-b", "list-b", "bump-b", "vmm-c" };

static unsigned failures;

static bool check(const char *name, const char *what, int64_t got, int64_t want)
{
    if (got == want)
        return true;
    printf("AKTEST FAIL %s: %s: got %ld, want %ld\n", name, what, (long)got, (long)want);
    failures++;
    return false;
}

static bool holds(const char *name, const char *what, bool ok)
{
    return check(name, what, ok, 1);
}

static void pass(const char *name)
{
    printf("AKTEST PASS %s\n", name);
}

/* Every vmm, from two calls (6, then 1); false after a FAIL line. */
static bool all_vmms(const char *name, vmm_entry_t out[NVMMS])
{
    uint32_t next = 99;
    uint64_t n = 99;
    if (!check(name, "vmms from 0", proc_vmms(SLOT_INIT, 0, &next, out, &n), 0) ||
        !check(name, "a full reply", (int64_t)n, AK_PM_VMMS_MAX) || !check(name, "next", next, AK_PM_VMMS_MAX))
        return false;
    vmm_entry_t rest[AK_PM_VMMS_MAX];
    if (!check(name, "vmms from next", proc_vmms(SLOT_INIT, next, &next, rest, &n), 0) ||
        !check(name, "the rest", (int64_t)n, NVMMS - AK_PM_VMMS_MAX) || !check(name, "no more", next, 0))
        return false;
    memcpy(&out[AK_PM_VMMS_MAX], rest, (NVMMS - AK_PM_VMMS_MAX) * sizeof *rest);
    return true;
}

/* What holds of every vmm at any time. */
static bool sane(const char *name, const vmm_entry_t *e)
{
    return holds(name, e->name, e->alive == 1) && check(name, "frames_total", (int64_t)e->frames_total, VMM_FRAMES) &&
           check(name, "free + in use + vmm == total",
                 (int64_t)(e->frames_free + e->frames_in_use + e->frames_vmm), (int64_t)e->frames_total) &&
           holds(name, "peak >= in use", e->peak >= e->frames_in_use) && holds(name, "its own frames", e->frames_vmm > 0);
}

/* init-vmms-list: each vmm once, in manifest order, with its pid and name as list() says; paging. */
static void test_list(void)
{
    const char *name = "init-vmms-list";
    vmm_entry_t e[NVMMS];
    if (!all_vmms(name, e))
        return;
    for (unsigned i = 0; i < NVMMS; i++) {
        if (!check(name, VMMS[i], strcmp(e[i].name, VMMS[i]), 0) || !sane(name, &e[i]) ||
            !check(name, "no clients yet", e[i].clients, 0) || !check(name, "no regions yet", (int64_t)e[i].regions, 0))
            return;
        /* Its pid is the one list() gives that name. */
        uint32_t next = 0;
        uint64_t n = 0;
        proc_entry_t p[AK_PM_LIST_MAX];
        if (!check(name, "list", proc_list(SLOT_INIT, e[i].pid, &next, p, &n), 0) || !holds(name, "listed", n >= 1) ||
            !check(name, "its pid", p[0].pid, e[i].pid) || !check(name, "its name", strcmp(p[0].name, VMMS[i]), 0))
            return;
        for (unsigned j = 0; j < i; j++)
            if (!holds(name, "pids differ", e[j].pid != e[i].pid))
                return;
    }
    /* From the middle, from the end, from past it. */
    static const struct { uint32_t from; uint64_t n; } pages[] = {
        { 1, 6 }, { 2, 5 }, { 6, 1 }, { 7, 0 }, { 8, 0 }, { UINT32_MAX, 0 },
    };
    for (unsigned k = 0; k < sizeof pages / sizeof pages[0]; k++) {
        vmm_entry_t r[AK_PM_VMMS_MAX];
        uint32_t next = 99;
        uint64_t n = 99;
        if (!check(name, "vmms", proc_vmms(SLOT_INIT, pages[k].from, &next, r, &n), 0) ||
            !check(name, "entries", (int64_t)n, (int64_t)pages[k].n) || !check(name, "next", next, 0) ||
            (n > 0 && !check(name, "first name", strcmp(r[0].name, VMMS[pages[k].from]), 0)))
            return;
    }
    pass(name);
}

/* Polls until the first SPAWNED vmms each hold at least min frames for others (or TRIES run out). */
static bool wait_in_use(const char *name, vmm_entry_t e[NVMMS], uint64_t min, uint32_t clients)
{
    for (unsigned t = 0; t < TRIES; t++) {
        if (!all_vmms(name, e))
            return false;
        bool done = true;
        for (unsigned i = 0; i < SPAWNED; i++)
            done &= e[i].clients == clients && (clients ? e[i].frames_in_use >= min : e[i].frames_in_use == min);
        if (done)
            return true;
        ak_sleep(10);
    }
    return true;   /* the checks after say what is wrong */
}

/* init-vmms-clients: a child on each of three vmms is counted while it runs, its frames too, and the peak stays. */
static void test_clients(void)
{
    const char *name = "init-vmms-clients";
    vmm_entry_t before[NVMMS], during[NVMMS], after[NVMMS];
    if (!all_vmms(name, before))
        return;
    uint32_t pids[SPAWNED];
    static const char args[] = "hold\0" "20";
    for (unsigned i = 0; i < SPAWNED; i++)
        if (!check(name, "spawn", proc_spawn(SLOT_INIT, "vmmwatch", args, sizeof args, "", 0, VMMS[i], PRIO - 10, 0,
                                             &pids[i]), 0))
            return;
    if (!wait_in_use(name, during, HOLD_BLOCKS, 1))
        return;
    for (unsigned i = 0; i < NVMMS; i++) {
        bool served = i < SPAWNED;
        if (!check(name, VMMS[i], strcmp(during[i].name, VMMS[i]), 0) || !sane(name, &during[i]) ||
            !check(name, "clients", during[i].clients, served) ||
            !holds(name, "its child's frames", served ? during[i].frames_in_use >= before[i].frames_in_use + HOLD_BLOCKS
                                                       : during[i].frames_in_use == before[i].frames_in_use) ||
            !holds(name, "the peak follows", during[i].peak >= during[i].frames_in_use))
            return;
    }
    for (unsigned i = 0; i < SPAWNED; i++)
        printf("[vmmwatch] %s: total %lu free %lu in use %lu vmm %lu peak %lu clients %u regions %lu\n",
               during[i].name, (unsigned long)during[i].frames_total, (unsigned long)during[i].frames_free,
               (unsigned long)during[i].frames_in_use, (unsigned long)during[i].frames_vmm,
               (unsigned long)during[i].peak, during[i].clients, (unsigned long)during[i].regions);
    /* The tree records a node for the child's free area; the others keep none while nobody runs. */
    if (!holds(name, "the tree's regions", during[0].regions >= 1))
        return;
    for (unsigned i = SPAWNED; i < NVMMS; i++)
        if (!check(name, "regions of a vmm serving none", (int64_t)during[i].regions, 0))
            return;
    for (unsigned i = 0; i < SPAWNED; i++) {
        uint8_t state = 0, why = 0;
        int32_t status = 0;
        if (!check(name, "kill", proc_kill(SLOT_INIT, pids[i]), 0) ||
            !check(name, "wait", proc_wait(SLOT_INIT, pids[i], &state, &status, &why), 0) ||
            !check(name, "killed", state, AK_PM_KILLED))
            return;
    }
    if (!wait_in_use(name, after, before[0].frames_in_use, 0))
        return;
    for (unsigned i = 0; i < SPAWNED; i++) {
        if (!sane(name, &after[i]) || !check(name, "no clients", after[i].clients, 0) ||
            !check(name, "frames back", (int64_t)after[i].frames_in_use, (int64_t)before[i].frames_in_use) ||
            !check(name, "no regions", (int64_t)after[i].regions, 0) ||
            !holds(name, "the peak remembers", after[i].peak >= during[i].frames_in_use))
            return;
    }
    pass(name);
}

/* init-vmms-eperm: totals is init's alone; a badged caller gets AK_EPERM from every variant, nothing written. */
static void test_eperm(void)
{
    const char *name = "init-vmms-eperm";
    for (uint32_t s = 0; s < SPAWNED; s++) {
        uint64_t w[7];
        memset(w, 0x5a, sizeof w);
        if (!check(name, VMMS[s], vmm_totals(SLOT_VMM_EP0 + s, &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6]),
                   -AK_EPERM))
            return;
        for (unsigned i = 0; i < 7; i++)
            if (!check(name, "untouched", (int64_t)w[i], 0x5a5a5a5a5a5a5a5a))
                return;
    }
    pass(name);
}

static unsigned to_u(const char *s)
{
    unsigned v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10u + (unsigned)(*s++ - '0');
    return v;
}

static int hold(unsigned n)
{
    static void *blocks[HOLD_BLOCKS * 4];
    if (n > sizeof blocks / sizeof blocks[0])
        return 3;
    for (unsigned i = 0; i < n; i++) {
        blocks[i] = malloc(BLOCK_BYTES);
        if (!blocks[i])
            return 2;
        memset(blocks[i], (int)i + 1, BLOCK_BYTES);
    }
    for (;;)
        ak_sleep(1000);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "hold") == 0)
        return hold(to_u(argv[2]));
    test_list();
    test_clients();
    test_eperm();
    printf("[vmmwatch] %u failures\n", failures);
    return failures ? 1 : 0;
}
