/*
 * procroot: a root task holding process control, all physical memory and
 * power-off, that creates processes at run time and checks what the
 * kernel promises of them (idl/kernel.idl: procctl, process, physmem,
 * power).  Its argument picks the suite:
 *
 *   proc        proc-create-*: create, run, wait, destroy; errors; a full
 *               table; destroying a child blocked in IPC, one holding an
 *               unanswered caller, one with a pending fault; 1,000 cycles
 *   cap         cap-*: copy, mint, delete, and every widening refused
 *   physmem     physmem-split-*
 *   poweroff N  poweroff-*: 3 and 256 refused, then power off with N
 *   bench       BENCH proc,create-start-exit,instructions
 *   dev         dev-*, irq-*: the PL011's page mapped as a device, its
 *               receive interrupt delivered to a notification (the
 *               image's expect file types the input)
 *   irqbench    BENCH irq,to-user,instructions (the transmit interrupt: no input needed)
 *   reply       reply-cap-*: a server holding several callers, answering each later, once
 *   deadlock    starts a child that waits for ever, then waits for ever
 *               itself: the kernel must report the deadlock (status 1)
 *
 * Each check prints "AKTEST PASS name" or "AKTEST FAIL name: why"; at the
 * end procroot powers off with 0 if every check passed, else 1 (a root
 * task decides the system's end: the kernel does not while it holds the
 * power-off capability).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/notif.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <akuma/abi/process.h>
#include <akuma/counter.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

#include "child.h"

#define PRIO 100u   /* procroot's own priority (its manifest) */
#define PROC_KIDS_MAX 64u

static unsigned failures;

static void result(const char *name, bool ok, const char *why)
{
    if (ok) {
        printf("AKTEST PASS %s\n", name);
    } else {
        printf("AKTEST FAIL %s: %s\n", name, why);
        failures++;
    }
}

/* Fails name with "what: got X, want Y" unless got == want; returns got == want. */
static bool expect_eq(const char *name, const char *what, int64_t got, int64_t want)
{
    if (got == want)
        return true;
    char why[160];
    snprintf(why, sizeof why, "%s: got %ld, want %ld", what, (long)got, (long)want);
    result(name, false, why);
    return false;
}

typedef struct census {
    uint32_t procs, endpoints, physmem, max;
    unsigned frames;
} census_t;

static census_t census(void)
{
    census_t c = { 0 };
    procctl_census(SLOT_PROCCTL, &c.procs, &c.endpoints, &c.physmem, &c.max);
    c.frames = frames_free();
    return c;
}

static bool census_same(const char *name, census_t a, census_t b)
{
    return expect_eq(name, "free processes", b.procs, a.procs) &&
           expect_eq(name, "free endpoints", b.endpoints, a.endpoints) &&
           expect_eq(name, "free physical-memory ranges", b.physmem, a.physmem) &&
           expect_eq(name, "procroot's free frames", b.frames, a.frames);
}

/* Lets children of procroot's priority run until they block. */
static void let_run(void)
{
    for (unsigned i = 0; i < 8; i++)
        ak_yield();
}

/* ---- proc ---------------------------------------------------------------- */

static void proc_run(void)
{
    const char *name = "proc-create-run";
    census_t before = census();
    child_t c;
    uint32_t pid;
    uint8_t state;
    uint64_t status;
    if (!expect_eq(name, "create", child_create(&c, CHILD_EXIT, 42, PRIO, "exit42"), 0))
        return;
    if (!expect_eq(name, "status", process_status(c.proc_slot, &pid, &state, &status), 0) ||
        !expect_eq(name, "state after create", state, AK_PROC_CREATED) ||
        !expect_eq(name, "pid", pid, c.pid) ||
        !expect_eq(name, "start", child_start(&c), 0) ||
        !expect_eq(name, "wait", child_wait(&c, &status), 0) ||
        !expect_eq(name, "exit status", (int64_t)status, 42) ||
        !expect_eq(name, "status", process_status(c.proc_slot, &pid, &state, &status), 0) ||
        !expect_eq(name, "state after exit", state, AK_PROC_ENDED) ||
        !expect_eq(name, "status after exit", (int64_t)status, 42) ||
        !expect_eq(name, "destroy", child_destroy(&c), 0))
        return;
    child_release(&c);
    /* The pid is gone: the old slot's capability is empty, the old aspace named nothing. */
    if (!expect_eq(name, "status of a destroyed process", process_status(c.proc_slot, &pid, &state, &status),
                   -AK_EBADF))
        return;
    if (census_same(name, before, census()))
        result(name, true, "");
}

static void proc_errors(void)
{
    const char *name = "proc-create-errors";
    census_t before = census();
    uint32_t pid = 0;
    uint64_t root = frame_alloc();
    uint32_t slot = SLOT_FIRST_FREE + 100;
    struct {
        const char *what;
        int got, want;
    } cases[] = {
        { "priority above the creator's", procctl_create(SLOT_PROCCTL, slot, root, PRIO + 1, SLOT_EP, &pid), -AK_EPERM },
        { "unaligned root", procctl_create(SLOT_PROCCTL, slot, root + 8, PRIO, SLOT_EP, &pid), -AK_EINVAL },
        { "root outside its memory", procctl_create(SLOT_PROCCTL, slot, 0x40000000, PRIO, SLOT_EP, &pid), -AK_EPERM },
        { "process slot out of range", procctl_create(SLOT_PROCCTL, AK_CAP_SLOTS, root, PRIO, SLOT_EP, &pid), -AK_EBADF },
        { "process slot full", procctl_create(SLOT_PROCCTL, SLOT_EP, root, PRIO, SLOT_EP, &pid), -AK_EEXIST },
        { "pager slot empty", procctl_create(SLOT_PROCCTL, slot, root, PRIO, slot + 1, &pid), -AK_EBADF },
        { "pager slot not an endpoint", procctl_create(SLOT_PROCCTL, slot, root, PRIO, SLOT_PHYS, &pid), -AK_ENOTSUP },
        { "endpoint slot full", procctl_endpoint(SLOT_PROCCTL, SLOT_EP), -AK_EEXIST },
        { "endpoint slot out of range", procctl_endpoint(SLOT_PROCCTL, 0xFFFFFFFFu), -AK_EBADF },
        { "a label procctl does not have", process_cap_delete(SLOT_PROCCTL, 0), -AK_ENOSYS },
        { "poweroff 3 (the kernel's)", power_poweroff(SLOT_POWER, AK_POWEROFF_PANIC), -AK_EINVAL },
        { "poweroff 256", power_poweroff(SLOT_POWER, 256), -AK_EINVAL },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!expect_eq(name, cases[i].what, cases[i].got, cases[i].want))
            return;
    /* A frame procroot has mapped (its scratch window's table is one: busy). */
    uint64_t mapped_pa;
    uint32_t perms;
    if (!expect_eq(name, "query own code", aspace_query(SLOT_SELF, AK_USER_IMAGE_MIN, &mapped_pa, &perms), 0))
        return;
    frame_free(root);

    /* configure and start refuse what is not in place, and change nothing. */
    child_t c;
    if (!expect_eq(name, "create", child_create(&c, CHILD_EXIT, 1, PRIO, "errs"), 0))
        return;
    uint64_t nm = 0x7273727265; /* "errs" */
    struct {
        const char *what;
        int got, want;
    } cfg[] = {
        { "entry unaligned", process_configure(c.proc_slot, AK_USER_IMAGE_MIN + 2, 0, nm, 0), -AK_EINVAL },
        { "entry past the user range", process_configure(c.proc_slot, AK_USER_VA_END, 0, nm, 0), -AK_EINVAL },
        { "sp unaligned", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 8, nm, 0), -AK_EINVAL },
        { "sp past the user range", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, UINT64_MAX - 15, nm, 0), -AK_EINVAL },
        { "empty name", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 0, 0, 0), -AK_EINVAL },
        { "unprintable name", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 0, 0x01, 0), -AK_EINVAL },
        { "name without its NUL", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 0, UINT64_C(0x6161616161616161), UINT64_C(0x6161616161616161)), -AK_EINVAL },
        { "name with text after the NUL", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 0, 0x610061, 0), -AK_EINVAL },
        { "its aspace again", process_aspace(c.proc_slot, SLOT_FIRST_FREE + 102), 0 },
        { "unmap the pinned IPC buffer", aspace_unmap(SLOT_FIRST_FREE + 102, AK_IPCBUF_VA, 1), -AK_EPERM },
        { "drop it", (int)ak_cap_drop(SLOT_FIRST_FREE + 102), 0 },
        { "drop an empty slot", (int)ak_cap_drop(SLOT_FIRST_FREE + 102), -AK_EBADF },
        { "drop out of range", (int)ak_cap_drop(AK_CAP_SLOTS), -AK_EBADF },
    };
    for (unsigned i = 0; i < sizeof cfg / sizeof cfg[0]; i++)
        if (!expect_eq(name, cfg[i].what, cfg[i].got, cfg[i].want))
            return;
    uint64_t status;
    if (!expect_eq(name, "start", child_start(&c), 0) ||
        !expect_eq(name, "start twice", process_start(c.proc_slot), -AK_EBUSY) ||
        !expect_eq(name, "configure after start", process_configure(c.proc_slot, AK_USER_IMAGE_MIN, 0, nm, 0), -AK_EBUSY) ||
        !expect_eq(name, "wait", child_wait(&c, &status), 0) ||
        !expect_eq(name, "exit status", (int64_t)status, 1) ||
        !expect_eq(name, "aspace after its end", process_aspace(c.proc_slot, SLOT_FIRST_FREE + 101), -AK_ESRCH) ||
        !expect_eq(name, "destroy", child_destroy(&c), 0))
        return;
    child_release(&c);

    /* Bare: nothing mapped, so configure and start refuse; destroy frees it at once. */
    root = frame_alloc();
    uint32_t as = slot + 1;
    uint8_t state;
    if (!expect_eq(name, "create bare", procctl_create(SLOT_PROCCTL, slot, root, PRIO, AK_NO_SLOT, &pid), 0) ||
        !expect_eq(name, "root already a table", procctl_create(SLOT_PROCCTL, slot + 2, root, PRIO, SLOT_EP, &pid), -AK_EBUSY) ||
        !expect_eq(name, "configure without boot info", process_configure(slot, AK_USER_IMAGE_MIN, 0, nm, 0), -AK_ENOENT) ||
        !expect_eq(name, "start before configure", process_start(slot), -AK_EINVAL) ||
        !expect_eq(name, "status", process_status(slot, &pid, &state, &status), 0) ||
        !expect_eq(name, "still created", state, AK_PROC_CREATED) ||
        !expect_eq(name, "its aspace", process_aspace(slot, as), 0) ||
        !expect_eq(name, "destroy before start", process_destroy(slot), 0) ||
        !expect_eq(name, "its aspace is stale", aspace_unmap(as, AK_USER_MMAP_MIN, 1), -AK_ESRCH))
        return;
    ak_cap_drop(as);
    frame_free(root);
    if (census_same(name, before, census()))
        result(name, true, "");
}

static void proc_full(void)
{
    const char *name = "proc-create-full";
    census_t before = census();
    static child_t kids[PROC_KIDS_MAX];
    unsigned n = 0;
    int rc = 0;
    while (n < PROC_KIDS_MAX && (rc = child_create(&kids[n], CHILD_EXIT, 0, PRIO, "filler")) == 0)
        n++;
    bool ok = expect_eq(name, "the error when the table is full", rc, -AK_ENOSPC) &&
              expect_eq(name, "children created", n, before.procs);
    for (unsigned i = 0; i < n; i++) {
        child_destroy(&kids[i]);
        child_release(&kids[i]);
    }
    if (ok && census_same(name, before, census()))
        result(name, true, "");
}

/* Destroys a child that waits in the kernel, then checks its EXIT says killed. */
static bool destroy_and_wait(const char *name, child_t *c)
{
    uint64_t status;
    if (!expect_eq(name, "destroy", child_destroy(c), 0) || !expect_eq(name, "wait", child_wait(c, &status), 0) ||
        !expect_eq(name, "exit status", (int64_t)status, (int64_t)AK_EXIT_KILLED))
        return false;
    child_release(c);
    return true;
}

static void proc_destroy_blocked(void)
{
    const char *name = "proc-create-destroy-blocked";
    census_t before = census();
    uint32_t ep = SLOT_FIRST_FREE + 110;
    child_t c;
    if (!expect_eq(name, "endpoint", procctl_endpoint(SLOT_PROCCTL, ep), 0) ||
        !expect_eq(name, "create", child_create(&c, CHILD_RECV, 1, PRIO, "blocked"), 0) ||
        !expect_eq(name, "copy", process_cap_copy(c.proc_slot, ep, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "start", child_start(&c), 0))
        return;
    let_run();
    if (!destroy_and_wait(name, &c))
        return;
    /* Its place in the queue went: a send now finds nobody and would block, so ask the census. */
    ak_cap_drop(ep);
    if (census_same(name, before, census()))
        result(name, true, "");
}

static void proc_destroy_server(void)
{
    const char *name = "proc-create-destroy-server";
    census_t before = census();
    uint32_t ep = SLOT_FIRST_FREE + 111;
    child_t server, client;
    /* The server receives the client's call on its slot 1, then calls procroot on its slot 2. */
    if (!expect_eq(name, "endpoint", procctl_endpoint(SLOT_PROCCTL, ep), 0) ||
        !expect_eq(name, "create server", child_create(&server, CHILD_SERVE, 0, PRIO, "server"), 0) ||
        !expect_eq(name, "create client", child_create(&client, CHILD_CALL, 1, PRIO, "client"), 0) ||
        !expect_eq(name, "copy recv", process_cap_copy(server.proc_slot, ep, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "mint", process_cap_copy(server.proc_slot, SLOT_EP, 2, AK_RIGHT_SEND, 0x77), 0) ||
        !expect_eq(name, "copy send", process_cap_copy(client.proc_slot, ep, 1, AK_RIGHT_SEND, 0), 0) ||
        !expect_eq(name, "start server", child_start(&server), 0) ||
        !expect_eq(name, "start client", child_start(&client), 0))
        return;
    ak_cap_drop(ep);
    uint64_t label, badge, w[4];
    if (!expect_eq(name, "the server's call", root_recv(&label, &badge, w), 0) ||
        !expect_eq(name, "its badge", (int64_t)badge, 0x77))
        return;
    /* procroot now holds the server's call unanswered, and the server holds the client's. */
    if (!destroy_and_wait(name, &server))
        return;
    uint64_t status;
    if (!expect_eq(name, "client's wait", child_wait(&client, &status), 0) ||
        !expect_eq(name, "the client's call ended with", (int64_t)status, AK_ESRCH) ||
        !expect_eq(name, "no caller left to answer", root_reply(0), -AK_ENOENT) ||
        !expect_eq(name, "destroy client", child_destroy(&client), 0))
        return;
    child_release(&client);
    if (census_same(name, before, census()))
        result(name, true, "");
}

static void proc_destroy_fault(void)
{
    const char *name = "proc-create-destroy-fault";
    census_t before = census();
    child_t c;
    if (!expect_eq(name, "create", child_create(&c, CHILD_FAULT, 0x10000000, PRIO, "faulter"), 0) ||
        !expect_eq(name, "start", child_start(&c), 0))
        return;
    uint64_t label, badge, w[4];
    if (!expect_eq(name, "its fault", root_recv(&label, &badge, w), 0) ||
        !expect_eq(name, "label", (int64_t)label, (int64_t)AK_PAGER_FAULT) ||
        !expect_eq(name, "address", (int64_t)w[AK_FAULT_W_FAR], 0x10000000))
        return;
    /* The fault stays unanswered: destroy it while it waits. */
    if (!destroy_and_wait(name, &c))
        return;
    if (census_same(name, before, census()))
        result(name, true, "");
}

static void proc_spin(void)
{
    const char *name = "proc-create-destroy-runnable";
    census_t before = census();
    child_t c;
    if (!expect_eq(name, "create", child_create(&c, CHILD_SPIN, 0, PRIO, "spinner"), 0) ||
        !expect_eq(name, "start", child_start(&c), 0))
        return;
    let_run();
    if (destroy_and_wait(name, &c) && census_same(name, before, census()))
        result(name, true, "");
}

static void proc_cycles(void)
{
    const char *name = "proc-create-cycles";
    census_t before = census();
    for (unsigned i = 0; i < 1000; i++) {
        child_t c;
        uint64_t status;
        if (!expect_eq(name, "create", child_create(&c, CHILD_EXIT, i & 0xff, PRIO, "cycle"), 0) ||
            !expect_eq(name, "start", child_start(&c), 0) || !expect_eq(name, "wait", child_wait(&c, &status), 0) ||
            !expect_eq(name, "status", (int64_t)status, i & 0xff) || !expect_eq(name, "destroy", child_destroy(&c), 0))
            return;
        child_release(&c);
    }
    if (census_same(name, before, census()))
        result(name, true, "");
}

/* ---- cap ----------------------------------------------------------------- */

static void cap_tests(void)
{
    const char *name = "cap-copy-mint-delete";
    census_t before = census();
    child_t c;
    uint64_t status;
    /* A minted endpoint reaches procroot with its new badge. */
    if (!expect_eq(name, "create", child_create(&c, CHILD_CALL, 1, PRIO, "caller"), 0) ||
        !expect_eq(name, "mint", process_cap_copy(c.proc_slot, SLOT_EP, 1, AK_RIGHT_SEND, 0x1234), 0) ||
        !expect_eq(name, "start", child_start(&c), 0))
        return;
    uint64_t label, badge, w[4];
    if (!expect_eq(name, "its call", root_recv(&label, &badge, w), 0) || !expect_eq(name, "badge", (int64_t)badge, 0x1234) ||
        !expect_eq(name, "label", (int64_t)label, 7) || !expect_eq(name, "answer", root_reply(99), 0) ||
        !expect_eq(name, "wait", child_wait(&c, &status), 0) || !expect_eq(name, "its answer", (int64_t)status, 99) ||
        !expect_eq(name, "destroy", child_destroy(&c), 0))
        return;
    child_release(&c);
    /* A deleted capability: the child's call fails with EBADF. */
    if (!expect_eq(name, "create", child_create(&c, CHILD_CALL, 1, PRIO, "deleted"), 0) ||
        !expect_eq(name, "copy", process_cap_copy(c.proc_slot, SLOT_BADGED, 1, AK_RIGHT_SEND, 0), 0) ||
        !expect_eq(name, "delete", process_cap_delete(c.proc_slot, 1), 0) ||
        !expect_eq(name, "delete twice", process_cap_delete(c.proc_slot, 1), -AK_EBADF) ||
        !expect_eq(name, "delete out of range", process_cap_delete(c.proc_slot, AK_CAP_SLOTS), -AK_EBADF) ||
        !expect_eq(name, "start", child_start(&c), 0) || !expect_eq(name, "wait", child_wait(&c, &status), 0) ||
        !expect_eq(name, "its call", (int64_t)(int32_t)status, -AK_EBADF) ||
        !expect_eq(name, "copy into an ended process", process_cap_copy(c.proc_slot, SLOT_EP, 2, AK_RIGHT_SEND, 0), -AK_ESRCH) ||
        !expect_eq(name, "destroy", child_destroy(&c), 0))
        return;
    child_release(&c);
    if (census_same(name, before, census()))
        result(name, true, "");

    name = "cap-refused";
    before = census();
    if (!expect_eq(name, "create", child_create(&c, CHILD_EXIT, 0, PRIO, "target"), 0))
        return;
    struct {
        const char *what;
        int got, want;
    } cases[] = {
        { "widen send-only to send+recv", process_cap_copy(c.proc_slot, SLOT_BADGED, 2, AK_RIGHT_SEND | AK_RIGHT_RECV, 0), -AK_EPERM },
        { "badge a badged endpoint again", process_cap_copy(c.proc_slot, SLOT_BADGED, 2, AK_RIGHT_SEND, 0x99), -AK_EPERM },
        { "hand on a process capability", process_cap_copy(c.proc_slot, c.proc_slot, 2, AK_RIGHT_WRITE, 0), -AK_EPERM },
        { "a right physmem lacks", process_cap_copy(c.proc_slot, SLOT_PHYS, 2, AK_RIGHT_WRITE | AK_RIGHT_SEND, 0), -AK_EPERM },
        { "no rights", process_cap_copy(c.proc_slot, SLOT_EP, 2, 0, 0), -AK_EINVAL },
        { "an unknown right", process_cap_copy(c.proc_slot, SLOT_EP, 2, 0x8, 0), -AK_EINVAL },
        { "a badge on physmem", process_cap_copy(c.proc_slot, SLOT_PHYS, 2, AK_RIGHT_WRITE, 1), -AK_EINVAL },
        { "a badge above the maximum", process_cap_copy(c.proc_slot, SLOT_EP, 2, AK_RIGHT_SEND, AK_PAGER_BADGE_BIT), -AK_EINVAL },
        { "from an empty slot", process_cap_copy(c.proc_slot, SLOT_FIRST_FREE + 120, 2, AK_RIGHT_SEND, 0), -AK_EBADF },
        { "from out of range", process_cap_copy(c.proc_slot, AK_CAP_SLOTS, 2, AK_RIGHT_SEND, 0), -AK_EBADF },
        { "to out of range", process_cap_copy(c.proc_slot, SLOT_EP, AK_CAP_SLOTS, AK_RIGHT_SEND, 0), -AK_EBADF },
        { "a copy", process_cap_copy(c.proc_slot, SLOT_EP, 3, AK_RIGHT_SEND, 0), 0 },
        { "to a full slot", process_cap_copy(c.proc_slot, SLOT_EP, 3, AK_RIGHT_SEND, 0), -AK_EEXIST },
        { "procctl.endpoint on a process (label 2 is configure, 4 words)", procctl_endpoint(c.proc_slot, 4), -AK_EBADMSG },
    };
    bool ok = true;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0] && ok; i++)
        ok = expect_eq(name, cases[i].what, cases[i].got, cases[i].want);
    child_destroy(&c);
    child_release(&c);
    if (ok && census_same(name, before, census()))
        result(name, true, "");
}

/* ---- physmem --------------------------------------------------------------- */

static void physmem_tests(void)
{
    const char *name = "physmem-split-basic";
    uint64_t base, size, base2, size2;
    uint32_t upper = SLOT_FIRST_FREE + 90;
    census_t before = census();
    if (!expect_eq(name, "info", physmem_info(SLOT_PHYS, &base, &size), 0))
        return;
    uint64_t half = (size / 2) & ~(AK_PAGE_SIZE - 1);
    struct {
        const char *what;
        int got, want;
    } cases[] = {
        { "size 0", physmem_split(SLOT_PHYS, 0, upper), -AK_EINVAL },
        { "size not a page multiple", physmem_split(SLOT_PHYS, half + 1, upper), -AK_EINVAL },
        { "size of the whole range", physmem_split(SLOT_PHYS, size, upper), -AK_EINVAL },
        { "size past the range", physmem_split(SLOT_PHYS, UINT64_MAX & ~(AK_PAGE_SIZE - 1), upper), -AK_EINVAL },
        { "into a full slot", physmem_split(SLOT_PHYS, half, SLOT_EP), -AK_EEXIST },
        { "into a slot out of range", physmem_split(SLOT_PHYS, half, AK_CAP_SLOTS), -AK_EBADF },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!expect_eq(name, cases[i].what, cases[i].got, cases[i].want))
            return;
    if (!expect_eq(name, "info unchanged", physmem_info(SLOT_PHYS, &base2, &size2), 0) ||
        !expect_eq(name, "size unchanged", (int64_t)size2, (int64_t)size) ||
        !expect_eq(name, "split", physmem_split(SLOT_PHYS, half, upper), 0) ||
        !expect_eq(name, "info", physmem_info(SLOT_PHYS, &base2, &size2), 0) ||
        !expect_eq(name, "first part's base", (int64_t)base2, (int64_t)base) ||
        !expect_eq(name, "first part's size", (int64_t)size2, (int64_t)half) ||
        !expect_eq(name, "info", physmem_info(upper, &base2, &size2), 0) ||
        !expect_eq(name, "second part's base", (int64_t)base2, (int64_t)(base + half)) ||
        !expect_eq(name, "second part's size", (int64_t)size2, (int64_t)(size - half)))
        return;
    result(name, true, "");

    /* procroot's frames now come from the lower half only (its lowest physmem slot). */
    name = "physmem-split-authority";
    uint64_t lo_pa = base + half - AK_PAGE_SIZE, hi_pa = base + half;
    uint32_t va = 0x30000000;
    uint8_t level;
    uint64_t tva;
    if (!expect_eq(name, "map a frame of the other part", aspace_map(SLOT_SELF, va, hi_pa, AK_PROT_READ, &level, &tva), -AK_EPERM))
        return;
    int rc = aspace_map(SLOT_SELF, va, lo_pa, AK_PROT_READ, &level, &tva);
    if (!expect_eq(name, "a frame of its own part (a table is missing)", rc, -AK_ENOTABLE))
        return;
    result(name, true, "");

    /* Splitting until the table of ranges is full, and nothing changes then. */
    name = "physmem-split-full";
    unsigned n = 0;
    uint32_t slot = SLOT_FIRST_FREE + 20, from = upper;
    uint64_t last = 0;
    physmem_info(upper, &base2, &last);
    while ((rc = physmem_split(from, AK_PAGE_SIZE, slot + n)) == 0) {
        from = slot + n++;
        last -= AK_PAGE_SIZE;
    }
    census_t full = census();
    if (!expect_eq(name, "the error", rc, -AK_ENOSPC) || !expect_eq(name, "ranges free", full.physmem, 0) ||
        !expect_eq(name, "info", physmem_info(from, &base2, &size2), 0) ||
        !expect_eq(name, "unchanged by the refusal", (int64_t)size2, (int64_t)last))
        return;
    /* Drop them all: every range is free again but the two procroot keeps. */
    for (unsigned i = 0; i < n; i++)
        ak_cap_drop(slot + i);
    census_t after = census();
    if (expect_eq(name, "ranges free after the drops", after.physmem, before.physmem - 1))
        result(name, true, "");
}

/* ---- notifications and time ------------------------------------------------- */

#define SLOT_N1 (SLOT_FIRST_FREE + 70)
#define SLOT_N2 (SLOT_FIRST_FREE + 71)

static uint64_t ms_now(void)
{
    return ak_counter() * 1000u / ak_counter_freq();
}

/* A child of kind with procroot's notification `from` copied (minted with badge) into its slot `to`. */
static int notif_child(child_t *c, child_kind_t kind, uint64_t arg, const char *name, uint32_t from,
                       uint32_t to, uint8_t rights, uint64_t badge)
{
    int rc = child_create(c, kind, arg, PRIO, name);
    if (rc == 0)
        rc = process_cap_copy(c->proc_slot, from, to, rights, badge);
    return rc;
}

/* Runs c to its end and returns its exit status (or a negative error). */
static int64_t run_to_end(child_t *c)
{
    uint64_t status = 0;
    int rc = child_start(c);
    if (rc == 0)
        rc = child_wait(c, &status);
    if (rc == 0)
        rc = child_destroy(c);
    child_release(c);
    return rc ? rc : (int64_t)(int32_t)status;
}

static void notif_tests(void)
{
    const char *name = "notif-signal-wait-poll";
    census_t before = census();
    if (!expect_eq(name, "create", procctl_notification(SLOT_PROCCTL, SLOT_N1), 0) ||
        !expect_eq(name, "poll of nothing", ak_poll(SLOT_N1), 0) ||
        !expect_eq(name, "signal (unbadged: bit 0)", ak_signal(SLOT_N1), 0) ||
        !expect_eq(name, "wait", ak_wait(SLOT_N1, 0), 1) ||
        !expect_eq(name, "poll after the wait took it", ak_poll(SLOT_N1), 0) ||
        !expect_eq(name, "signal", ak_signal(SLOT_N1), 0) ||
        !expect_eq(name, "poll", ak_poll(SLOT_N1), 1) ||
        !expect_eq(name, "poll cleared it", ak_poll(SLOT_N1), 0))
        return;
    result(name, true, "");

    /* Signals before anyone waits accumulate: two badges, many times, one wait. */
    name = "notif-accumulate";
    child_t a, b;
    if (!expect_eq(name, "child a", notif_child(&a, CHILD_SIGNAL, 5, "sig-a", SLOT_N1, 1, AK_RIGHT_SEND, 0x2), 0) ||
        !expect_eq(name, "child b", notif_child(&b, CHILD_SIGNAL, 3, "sig-b", SLOT_N1, 1, AK_RIGHT_SEND, 0x40), 0) ||
        !expect_eq(name, "a's end", run_to_end(&a), 0) || !expect_eq(name, "b's end", run_to_end(&b), 0) ||
        !expect_eq(name, "one wait gets both badges", ak_wait(SLOT_N1, 0), 0x42) ||
        !expect_eq(name, "and nothing is left", ak_poll(SLOT_N1), 0))
        return;
    result(name, true, "");

    /* A waiter blocked in wait is woken by a child's signal. */
    name = "notif-wake-waiter";
    child_t w;
    if (!expect_eq(name, "waiter", notif_child(&w, CHILD_WAIT, 0, "waiter", SLOT_N1, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "start", child_start(&w), 0))
        return;
    let_run(); /* it blocks in wait */
    uint64_t status;
    if (!expect_eq(name, "signal", ak_signal(SLOT_N1), 0) || !expect_eq(name, "wait for its end", child_wait(&w, &status), 0) ||
        !expect_eq(name, "it got the bit", (int64_t)status, 1) || !expect_eq(name, "destroy", child_destroy(&w), 0))
        return;
    child_release(&w);
    result(name, true, "");

    /* A bound notification wakes procroot's recv on its endpoint, with the kernel's badge. */
    name = "notif-bound-recv";
    child_t s;
    if (!expect_eq(name, "bind an endpoint", ak_bind(SLOT_EP), -AK_ENOTSUP) ||
        !expect_eq(name, "bind", ak_bind(SLOT_N1), 0) ||
        !expect_eq(name, "signaller", notif_child(&s, CHILD_SIGNAL, 1, "binder", SLOT_N1, 1, AK_RIGHT_SEND, 0x10), 0) ||
        !expect_eq(name, "start", child_start(&s), 0))
        return;
    uint64_t label, badge, wv[4];
    if (!expect_eq(name, "recv", root_recv(&label, &badge, wv), 0) ||
        !expect_eq(name, "badge", (int64_t)badge, (int64_t)AK_NOTIFY_BADGE) ||
        !expect_eq(name, "label", (int64_t)label, (int64_t)AK_NOTIFY_LABEL) ||
        !expect_eq(name, "bits", (int64_t)wv[0], 0x10) || !expect_eq(name, "its end", child_wait(&s, &status), 0) ||
        !expect_eq(name, "destroy", child_destroy(&s), 0))
        return;
    child_release(&s);
    result(name, true, "");

    /* A child cannot pass a message for a notification: its badge gives it away. */
    name = "notif-no-forgery";
    child_t f;
    if (!expect_eq(name, "forger", notif_child(&f, CHILD_CALL_NOTIFY, 0, "forger", SLOT_EP, 1, AK_RIGHT_SEND, 0x66), 0) ||
        !expect_eq(name, "start", child_start(&f), 0) || !expect_eq(name, "recv", root_recv(&label, &badge, wv), 0) ||
        !expect_eq(name, "label it chose", (int64_t)label, (int64_t)AK_NOTIFY_LABEL) ||
        !expect_eq(name, "the badge is its own", (int64_t)badge, 0x66) ||
        !expect_eq(name, "mint the kernel's bit", process_cap_copy(f.proc_slot, SLOT_N1, 2, AK_RIGHT_SEND, AK_NOTIFY_BADGE), -AK_EINVAL) ||
        !expect_eq(name, "answer", root_reply(0), 0) || !expect_eq(name, "its end", child_wait(&f, &status), 0) ||
        !expect_eq(name, "destroy", child_destroy(&f), 0))
        return;
    child_release(&f);
    result(name, true, "");

    name = "notif-refused";
    child_t r;
    struct {
        const char *what;
        int64_t got, want;
    } cases[] = {
        { "wait on an endpoint", ak_wait(SLOT_EP, 0), -AK_ENOTSUP },
        { "wait on an empty slot", ak_wait(SLOT_FIRST_FREE + 120, 0), -AK_EBADF },
        { "wait past the slots", ak_wait(AK_CAP_SLOTS, 0), -AK_EBADF },
        { "signal on physmem", ak_signal(SLOT_PHYS), -AK_ENOTSUP },
        { "a wait longer than the maximum", ak_wait(SLOT_N1, AK_TIMEOUT_MAX_MS + 1), -AK_EINVAL },
        { "a sleep longer than the maximum", ak_sleep(UINT64_MAX), -AK_EINVAL },
        { "recv longer than the maximum", ak_ipc_recv_timed(SLOT_EP, &(ak_msg_t){ 0 }, AK_TIMEOUT_MAX_MS + 1), -AK_EINVAL },
        { "bind a second notification", (procctl_notification(SLOT_PROCCTL, SLOT_N2), ak_bind(SLOT_N2)), -AK_EBUSY },
        { "unbind", ak_bind(AK_NO_SLOT), 0 },
        { "bind again", ak_bind(SLOT_N2), 0 },
        { "unbind again", ak_bind(AK_NO_SLOT), 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!expect_eq(name, cases[i].what, cases[i].got, cases[i].want))
            return;
    /* Rights: a send-only copy cannot wait, a recv-only copy cannot signal. */
    if (!expect_eq(name, "waiter without recv", notif_child(&r, CHILD_WAIT, 0, "norecv", SLOT_N1, 1, AK_RIGHT_SEND, 0), 0) ||
        !expect_eq(name, "its wait", run_to_end(&r), -AK_EPERM) ||
        !expect_eq(name, "signaller without send", notif_child(&r, CHILD_SIGNAL, 1, "nosend", SLOT_N1, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "its end", run_to_end(&r), 0) ||
        !expect_eq(name, "nothing was signalled", ak_poll(SLOT_N1), 0))
        return;
    result(name, true, "");

    /* Time. */
    name = "time-sleep";
    uint64_t t0 = ms_now();
    if (!expect_eq(name, "sleep 50 ms", ak_sleep(50), 0))
        return;
    uint64_t slept = ms_now() - t0;
    /* At least what was asked (strict); the upper bound is loose: the host may be busy. */
    if (slept < 50 || slept > 50 + 2000)
        result(name, false, "slept outside [50, 2050] ms");
    else
        result(name, true, "");

    name = "time-wait-deadline";
    t0 = ms_now();
    if (!expect_eq(name, "wait with nothing coming", ak_wait(SLOT_N1, 30), -AK_ETIMEDOUT))
        return;
    uint64_t waited = ms_now() - t0;
    if (!expect_eq(name, "at least 30 ms", waited >= 30, 1) || !expect_eq(name, "not grossly more", waited < 2030, 1))
        return;
    t0 = ms_now();
    if (!expect_eq(name, "recv with nothing coming", ak_ipc_recv_timed(SLOT_EP, &(ak_msg_t){ 0 }, 20), -AK_ETIMEDOUT) ||
        !expect_eq(name, "recv lasted at least 20 ms", ms_now() - t0 >= 20, 1))
        return;
    result(name, true, "");

    /* A signal before the deadline wins. */
    name = "time-signal-wins";
    child_t late;
    if (!expect_eq(name, "child", notif_child(&late, CHILD_SLEEP_SIGNAL, 20, "sleeper", SLOT_N1, 1, AK_RIGHT_SEND, 0x8), 0) ||
        !expect_eq(name, "start", child_start(&late), 0))
        return;
    t0 = ms_now();
    int64_t got = ak_wait(SLOT_N1, 5000);
    uint64_t took = ms_now() - t0;
    if (!expect_eq(name, "the signal", got, 0x8) || !expect_eq(name, "before the deadline", took < 1000, 1) ||
        !expect_eq(name, "after the child's sleep", took >= 20, 1) || !expect_eq(name, "its end", child_wait(&late, &status), 0) ||
        !expect_eq(name, "destroy", child_destroy(&late), 0))
        return;
    child_release(&late);
    result(name, true, "");

    /* Destroying children that wait on a notification or sleep. */
    name = "notif-destroy-waiting";
    child_t dw, ds;
    if (!expect_eq(name, "waiter", notif_child(&dw, CHILD_WAIT, 0, "dwait", SLOT_N1, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "sleeper", notif_child(&ds, CHILD_SLEEP_SIGNAL, 60000, "dsleep", SLOT_N1, 1, AK_RIGHT_SEND, 0), 0) ||
        !expect_eq(name, "start", child_start(&dw), 0) || !expect_eq(name, "start", child_start(&ds), 0))
        return;
    let_run();
    uint64_t st;
    if (!expect_eq(name, "destroy the waiter", child_destroy(&dw), 0) || !expect_eq(name, "its end", child_wait(&dw, &st), 0) ||
        !expect_eq(name, "destroy the sleeper", child_destroy(&ds), 0) || !expect_eq(name, "its end", child_wait(&ds, &st), 0))
        return;
    child_release(&dw);
    child_release(&ds);
    /* The waiter left the queue: a signal now stays in the word. */
    if (!expect_eq(name, "signal", ak_signal(SLOT_N1), 0) || !expect_eq(name, "poll", ak_poll(SLOT_N1), 1))
        return;
    ak_cap_drop(SLOT_N1);
    ak_cap_drop(SLOT_N2);
    if (census_same(name, before, census()))
        result(name, true, "");
}

/* process.watch: how init learns of every ending.  Bad requests change nothing. */
static void watch_tests(void)
{
    const char *name = "proc-watch";
    census_t before = census();
    child_t c;
    uint32_t pid;
    uint8_t state;
    uint64_t status;
    if (!expect_eq(name, "notification", procctl_notification(SLOT_PROCCTL, SLOT_N1), 0) ||
        !expect_eq(name, "create", child_create(&c, CHILD_EXIT, 7, PRIO, "watched"), 0) ||
        !expect_eq(name, "an empty slot", process_watch(c.proc_slot, SLOT_N2, 1), -AK_EBADF) ||
        !expect_eq(name, "a slot past the table", process_watch(c.proc_slot, AK_CAP_SLOTS, 1), -AK_EBADF) ||
        !expect_eq(name, "slot 2^32-1", process_watch(c.proc_slot, UINT32_MAX, 1), -AK_EBADF) ||
        !expect_eq(name, "an endpoint", process_watch(c.proc_slot, SLOT_EP, 1), -AK_ENOTSUP) ||
        !expect_eq(name, "no bits", process_watch(c.proc_slot, SLOT_N1, 0), -AK_EINVAL) ||
        !expect_eq(name, "a reserved bit", process_watch(c.proc_slot, SLOT_N1, AK_BADGE_MAX + 1), -AK_EINVAL) ||
        !expect_eq(name, "bit 63", process_watch(c.proc_slot, SLOT_N1, UINT64_C(1) << 63), -AK_EINVAL) ||
        !expect_eq(name, "watch", process_watch(c.proc_slot, SLOT_N1, 0x30), 0) ||
        !expect_eq(name, "a second watch replaces the first", process_watch(c.proc_slot, SLOT_N1, 0x10), 0) ||
        !expect_eq(name, "nothing signalled before it ends", ak_poll(SLOT_N1), 0) ||
        !expect_eq(name, "start", child_start(&c), 0) || !expect_eq(name, "its end", child_wait(&c, &status), 0) ||
        !expect_eq(name, "the end signalled the bits", ak_wait(SLOT_N1, 1000), 0x10) ||
        !expect_eq(name, "status", process_status(c.proc_slot, &pid, &state, &status), 0) ||
        !expect_eq(name, "ended", state, AK_PROC_ENDED) ||
        !expect_eq(name, "an ended process", process_watch(c.proc_slot, SLOT_N1, 1), -AK_ESRCH) ||
        !expect_eq(name, "destroy", child_destroy(&c), 0))
        return;
    child_release(&c);
    /* A process destroyed before it started gives its watch's reference back; nothing is signalled. */
    if (!expect_eq(name, "create again", child_create(&c, CHILD_EXIT, 0, PRIO, "unstarted"), 0) ||
        !expect_eq(name, "watch it", process_watch(c.proc_slot, SLOT_N1, 0x4), 0) ||
        !expect_eq(name, "destroy it", child_destroy(&c), 0) ||
        !expect_eq(name, "no signal", ak_poll(SLOT_N1), 0))
        return;
    child_release(&c);
    ak_cap_drop(SLOT_N1);
    if (census_same(name, before, census()))
        result(name, true, "");
}

/* Nothing else runs: procroot's sleep must idle the CPU, not end the system. */
static void idle_tests(void)
{
    uint64_t t0 = ms_now();
    int64_t rc = ak_sleep(100);
    uint64_t slept = ms_now() - t0;
    result("idle-sleep-alone", rc == 0 && slept >= 100 && slept < 2100, "sleep alone did not last 100-2100 ms");
}

/* ---- devices and interrupts -------------------------------------------------- */

#define DEV_VA     AK_DEVICE_VA_MIN
#define SLOT_IRQ   (SLOT_FIRST_FREE + 80)
#define SLOT_RXN   (SLOT_FIRST_FREE + 81)
#define UART_DR    0x000u
#define UART_FR    0x018u
#define UART_LCR_H 0x02Cu
#define UART_CR    0x030u
#define UART_IMSC  0x038u
#define UART_ICR   0x044u
#define UART_PERIPHID0 0xFE0u
#define UART_PCELLID0  0xFF0u
#define FR_RXFE    (1u << 4)
#define LCR_H_FEN_8BIT 0x70u   /* FIFOs on (else the receiver holds one byte), 8 bits */
#define CR_UARTEN  (1u << 0)
#define CR_TXE     (1u << 8)
#define CR_RXE     (1u << 9)
#define IMSC_RX    ((1u << 4) | (1u << 6))   /* receive, receive timeout */
#define IMSC_TX    (1u << 5)
#define PL011_IRQ  33u

static volatile uint32_t *uart(uint32_t off)
{
    return (volatile uint32_t *)(uintptr_t)(DEV_VA + off);
}

/* Reads what the receive FIFO holds into buf (NUL-terminated); returns how many. */
static unsigned uart_drain(char *buf, unsigned max)
{
    unsigned n = 0;
    while (!(*uart(UART_FR) & FR_RXFE)) {
        char ch = (char)(*uart(UART_DR) & 0xff);
        if (n + 1 < max)
            buf[n++] = ch;
    }
    buf[n] = '\0';
    return n;
}

static void dev_tests(void)
{
    const char *name = "dev-map";
    uint64_t pa;
    uint32_t perms;
    if (!expect_eq(name, "map the PL011", map_with_tables_dev(SLOT_SELF, DEV_VA, 0, AK_PROT_READ | AK_PROT_WRITE, SLOT_DEVICE), 0) ||
        !expect_eq(name, "query", aspace_query(SLOT_SELF, DEV_VA, &pa, &perms), 0) ||
        !expect_eq(name, "its page", (int64_t)pa, 0x09000000) ||
        !expect_eq(name, "PeriphID0 of a PL011", *uart(UART_PERIPHID0) & 0xff, 0x11) ||
        !expect_eq(name, "PCellID0 of a PrimeCell", *uart(UART_PCELLID0) & 0xff, 0x0d))
        return;
    result(name, true, "");

    name = "dev-refused";
    struct {
        const char *what;
        int64_t got, want;
    } cases[] = {
        { "a second mapping", aspace_map_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, SLOT_DEVICE, AK_PROT_READ, NULL, NULL), -AK_EBUSY },
        { "executable", aspace_map_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, SLOT_DEVICE, AK_PROT_READ | AK_PROT_EXEC, NULL, NULL), -AK_EACCES },
        { "no access", aspace_map_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, SLOT_DEVICE, AK_PROT_NONE, NULL, NULL), -AK_EINVAL },
        { "outside the window", aspace_map_device(SLOT_SELF, AK_USER_MMAP_MIN, SLOT_DEVICE, AK_PROT_READ, NULL, NULL), -AK_EINVAL },
        { "an endpoint as the device", aspace_map_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, SLOT_EP, AK_PROT_READ, NULL, NULL), -AK_ENOTSUP },
        { "an empty slot as the device", aspace_map_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, SLOT_FIRST_FREE + 99, AK_PROT_READ, NULL, NULL), -AK_EBADF },
        { "the page as normal memory", aspace_map(SLOT_SELF, AK_USER_MMAP_MIN, 0x09000000, AK_PROT_READ, NULL, NULL), -AK_EPERM },
        { "a RAM frame in the window", aspace_map(SLOT_SELF, DEV_VA + AK_PAGE_SIZE, frame_alloc(), AK_PROT_READ, NULL, NULL), -AK_EPERM },
        { "unmap the window", aspace_unmap(SLOT_SELF, DEV_VA, 1), -AK_EPERM },
        { "protect the window", aspace_protect(SLOT_SELF, DEV_VA, 1, AK_PROT_READ | AK_PROT_EXEC), -AK_EPERM },
        { "take from the window", aspace_take(SLOT_SELF, DEV_VA, &pa), -AK_EPERM },
        { "unmap_device outside the window", aspace_unmap_device(SLOT_SELF, AK_USER_MMAP_MIN), -AK_EINVAL },
        { "unmap_device of nothing", aspace_unmap_device(SLOT_SELF, DEV_VA + AK_PAGE_SIZE), -AK_ENOENT },
        { "the registers still answer", *uart(UART_PERIPHID0) & 0xff, 0x11 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!expect_eq(name, cases[i].what, cases[i].got, cases[i].want))
            return;
    result(name, true, "");

    name = "irq-claim-refused";
    struct {
        const char *what;
        int64_t got, want;
    } claims[] = {
        { "the kernel's timer", irqctl_claim(SLOT_IRQCTL, 30, SLOT_IRQ), -AK_EPERM },
        { "a per-CPU line", irqctl_claim(SLOT_IRQCTL, 5, SLOT_IRQ), -AK_EINVAL },
        { "past the lines", irqctl_claim(SLOT_IRQCTL, 1020, SLOT_IRQ), -AK_EINVAL },
        { "into a full slot", irqctl_claim(SLOT_IRQCTL, PL011_IRQ, SLOT_EP), -AK_EEXIST },
        { "the PL011's", irqctl_claim(SLOT_IRQCTL, PL011_IRQ, SLOT_IRQ), 0 },
        { "it again", irqctl_claim(SLOT_IRQCTL, PL011_IRQ, SLOT_IRQ + 5), -AK_EBUSY },
        { "ack before bind", irq_ack(SLOT_IRQ), -AK_EINVAL },
        { "bind an endpoint", irq_bind(SLOT_IRQ, SLOT_EP), -AK_ENOTSUP },
    };
    for (unsigned i = 0; i < sizeof claims / sizeof claims[0]; i++)
        if (!expect_eq(name, claims[i].what, claims[i].got, claims[i].want))
            return;
    result(name, true, "");

    /* The receive interrupt, with what the expect file types: "ab" first, "cd" 4 s later. */
    name = "irq-rx";
    char got[32];
    if (!expect_eq(name, "notification", procctl_notification(SLOT_PROCCTL, SLOT_RXN), 0) ||
        !expect_eq(name, "bind", irq_bind(SLOT_IRQ, SLOT_RXN), 0))
        return;
    *uart(UART_ICR) = 0x7ff;
    *uart(UART_LCR_H) = LCR_H_FEN_8BIT;
    *uart(UART_IMSC) = IMSC_RX;
    *uart(UART_CR) = CR_UARTEN | CR_TXE | CR_RXE;
    int64_t bits = ak_wait(SLOT_RXN, 20000);
    if (!expect_eq(name, "the first interrupt", bits, 1))
        return;
    /* procroot waited alone (init, which started it, waits for its end): the CPU idled until the
       interrupt instead of ending the system. */
    census_t now = census();
    result("idle-wait-irq", now.procs == now.max - 2, "another process ran while procroot waited");
    ak_sleep(100); /* both bytes in */
    uart_drain(got, sizeof got);
    if (strcmp(got, "ab") != 0) {
        result(name, false, "the first input was not \"ab\"");
        return;
    }
    result(name, true, "");

    /* Not acknowledged: the second input raises the line, but nothing is delivered. */
    name = "irq-masked-until-ack";
    ak_sleep(6000);
    if (!expect_eq(name, "no signal while unacknowledged", ak_poll(SLOT_RXN), 0) ||
        !expect_eq(name, "ack", irq_ack(SLOT_IRQ), 0) || !expect_eq(name, "the next interrupt", ak_wait(SLOT_RXN, 5000), 1))
        return;
    uart_drain(got, sizeof got);
    if (strcmp(got, "cd") != 0) {
        result(name, false, "the second input was not \"cd\"");
        return;
    }
    result(name, true, "");
    *uart(UART_IMSC) = 0;
    irq_ack(SLOT_IRQ);

    /* Unmapped, the page may be mapped again; a dropped IRQ capability frees the line. */
    name = "dev-unmap";
    if (!expect_eq(name, "unmap", aspace_unmap_device(SLOT_SELF, DEV_VA), 0) ||
        !expect_eq(name, "unmap again", aspace_unmap_device(SLOT_SELF, DEV_VA), -AK_ENOENT) ||
        !expect_eq(name, "map again", aspace_map_device(SLOT_SELF, DEV_VA, SLOT_DEVICE, AK_PROT_READ | AK_PROT_WRITE, NULL, NULL), 0) ||
        !expect_eq(name, "drop the line", ak_cap_drop(SLOT_IRQ), 0) ||
        !expect_eq(name, "claim it again", irqctl_claim(SLOT_IRQCTL, PL011_IRQ, SLOT_IRQ), 0))
        return;
    result(name, true, "");
}

/*
 * Writing a byte raises the PL011's transmit interrupt at once (QEMU sets
 * it when the byte goes): from that write to the handler's wait returning.
 */
static void bench_irq(void)
{
    enum { WARMUP = 10, ROUNDS = 1000 };
    if (map_with_tables_dev(SLOT_SELF, DEV_VA, 0, AK_PROT_READ | AK_PROT_WRITE, SLOT_DEVICE) ||
        irqctl_claim(SLOT_IRQCTL, PL011_IRQ, SLOT_IRQ) || procctl_notification(SLOT_PROCCTL, SLOT_RXN) ||
        irq_bind(SLOT_IRQ, SLOT_RXN)) {
        printf("procroot: irq bench set-up failed\n");
        failures++;
        return;
    }
    fflush_stdout();
    *uart(UART_ICR) = IMSC_TX;
    *uart(UART_IMSC) = IMSC_TX;
    uint64_t total = 0;
    bool ok = true;
    for (unsigned i = 0; i < WARMUP + ROUNDS && ok; i++) {
        uint64_t t0 = ak_instructions();
        *uart(UART_DR) = (i % 64 == 63) ? '\n' : '.';
        ok = ak_wait(SLOT_RXN, 1000) == 1;
        uint64_t t1 = ak_instructions();
        if (i >= WARMUP)
            total += t1 - t0;
        *uart(UART_ICR) = IMSC_TX; /* the line stays up until cleared: clear, then unmask */
        irq_ack(SLOT_IRQ);
    }
    *uart(UART_IMSC) = 0;
    printf("\n");
    if (!ok) {
        printf("procroot: a transmit interrupt did not come\n");
        failures++;
        return;
    }
    printf("BENCH irq,to-user,instructions,%lu,guest instructions\n", (unsigned long)((total + ROUNDS / 2) / ROUNDS));
}

/* ---- reply capabilities ------------------------------------------------------- */

/* Starts a CHILD_CALL client calling procroot's endpoint with badge, and receives its call. */
static int client_calls(const char *name, child_t *c, uint64_t badge)
{
    uint64_t label, got, w[4];
    int rc = notif_child(c, CHILD_CALL, 1, name, SLOT_EP, 1, AK_RIGHT_SEND, badge);
    if (rc == 0)
        rc = child_start(c);
    if (rc == 0)
        rc = root_recv(&label, &got, w);
    if (rc == 0 && (got != badge || label != 7))
        rc = -AK_EBADMSG;
    return rc;
}

static int64_t end_of(child_t *c)
{
    uint64_t status;
    int rc = child_wait(c, &status);
    if (rc == 0)
        rc = child_destroy(c);
    child_release(c);
    return rc ? rc : (int64_t)(int32_t)status;
}

static void reply_tests(void)
{
    const char *name = "reply-cap-many-callers";
    census_t before = census();
    uint32_t r1 = SLOT_FIRST_FREE + 40, r2 = SLOT_FIRST_FREE + 41, r3 = SLOT_FIRST_FREE + 42;
    child_t a, b;
    ak_msg_t m5 = { .info = ak_msginfo(5, 0) }, m6 = { .info = ak_msginfo(6, 0) };
    if (!expect_eq(name, "save with no caller", ak_save_reply(r1), -AK_ENOENT) ||
        !expect_eq(name, "client a calls", client_calls("client-a", &a, 0xA), 0) ||
        !expect_eq(name, "save a's call", ak_save_reply(r1), 0) ||
        /* procroot may now receive again: b's call. */
        !expect_eq(name, "client b calls", client_calls("client-b", &b, 0xB), 0) ||
        !expect_eq(name, "save into a full slot", ak_save_reply(SLOT_EP), -AK_EEXIST) ||
        !expect_eq(name, "save past the slots", ak_save_reply(AK_CAP_SLOTS), -AK_EBADF) ||
        !expect_eq(name, "save b's call", ak_save_reply(r2), 0) ||
        !expect_eq(name, "answer b first", ak_reply_to(r2, &m5), 0) || !expect_eq(name, "b's end", end_of(&b), 5) ||
        !expect_eq(name, "answer a later", ak_reply_to(r1, &m6), 0) || !expect_eq(name, "a's end", end_of(&a), 6))
        return;
    result(name, true, "");

    name = "reply-cap-once";
    ak_msg_t toolong = { .info = ak_msginfo(0, AK_MSG_MAX_WORDS + 1) };
    child_t c;
    if (!expect_eq(name, "answer a again", ak_reply_to(r1, &m6), -AK_EBADF) ||
        !expect_eq(name, "reply_to on an endpoint", ak_reply_to(SLOT_EP, &m6), -AK_ENOTSUP) ||
        !expect_eq(name, "client c calls", client_calls("client-c", &c, 0xC), 0) ||
        !expect_eq(name, "save", ak_save_reply(r3), 0) ||
        !expect_eq(name, "a message too long", ak_reply_to(r3, &toolong), -AK_EMSGSIZE) ||
        !expect_eq(name, "hand it to a child", process_cap_copy(c.proc_slot, r3, 3, AK_RIGHT_SEND, 0), -AK_EPERM) ||
        !expect_eq(name, "still answers after the refusals", ak_reply_to(r3, &m5), 0) ||
        !expect_eq(name, "c's end", end_of(&c), 5))
        return;
    result(name, true, "");

    /* A reply capability dropped unused: its caller gets AK_ESRCH, not a wait for ever. */
    name = "reply-cap-dropped";
    if (!expect_eq(name, "client calls", client_calls("client-d", &c, 0xD), 0) ||
        !expect_eq(name, "save", ak_save_reply(r3), 0) || !expect_eq(name, "drop", ak_cap_drop(r3), 0) ||
        !expect_eq(name, "its call ended with", end_of(&c), AK_ESRCH))
        return;
    result(name, true, "");

    /* The caller is destroyed while its answer is kept: answering finds nobody. */
    name = "reply-cap-caller-gone";
    uint64_t st;
    if (!expect_eq(name, "client calls", client_calls("client-e", &c, 0xE), 0) ||
        !expect_eq(name, "save", ak_save_reply(r3), 0) || !expect_eq(name, "destroy it", child_destroy(&c), 0) ||
        !expect_eq(name, "its end", child_wait(&c, &st), 0) ||
        !expect_eq(name, "answer", ak_reply_to(r3, &m5), -AK_ESRCH) ||
        !expect_eq(name, "the capability went", ak_reply_to(r3, &m5), -AK_EBADF))
        return;
    child_release(&c);
    result(name, true, "");

    /* A server that ends holding a caller's reply capability: the caller gets AK_ESRCH. */
    name = "reply-cap-server-ends";
    uint32_t ep = SLOT_FIRST_FREE + 43;
    child_t s, f;
    if (!expect_eq(name, "endpoint", procctl_endpoint(SLOT_PROCCTL, ep), 0) ||
        !expect_eq(name, "server", notif_child(&s, CHILD_SAVE_EXIT, 0, "saver", ep, 1, AK_RIGHT_RECV, 0), 0) ||
        !expect_eq(name, "client", notif_child(&f, CHILD_CALL, 1, "client-f", ep, 1, AK_RIGHT_SEND, 0x77), 0) ||
        !expect_eq(name, "start the server", child_start(&s), 0) || !expect_eq(name, "start the client", child_start(&f), 0))
        return;
    ak_cap_drop(ep);
    if (!expect_eq(name, "the server's end", end_of(&s), 0) ||
        !expect_eq(name, "the client's call ended with", end_of(&f), AK_ESRCH))
        return;
    if (census_same(name, before, census()))
        result(name, true, "");
}

/* ---- bench ----------------------------------------------------------------- */

static void bench(void)
{
    enum { WARMUP = 20, ROUNDS = 500 };
    /* Instructions of each phase, summed over the measured rounds. */
    uint64_t phase[4] = { 0 }, i0 = 0;
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        if (i == WARMUP)
            i0 = ak_instructions();
        child_t c;
        uint64_t status, t[5];
        t[0] = ak_instructions();
        int rc = child_create(&c, CHILD_EXIT, 0, PRIO, "bench");
        t[1] = ak_instructions();
        rc = rc ? rc : child_start(&c);
        t[2] = ak_instructions();
        rc = rc ? rc : child_wait(&c, &status);
        t[3] = ak_instructions();
        rc = rc ? rc : child_destroy(&c);
        child_release(&c);
        t[4] = ak_instructions();
        if (rc) {
            printf("procroot: bench round %u failed: %d\n", i, rc);
            failures++;
            return;
        }
        for (unsigned k = 0; i >= WARMUP && k < 4; k++)
            phase[k] += t[k + 1] - t[k];
    }
    uint64_t per = (ak_instructions() - i0 + ROUNDS / 2) / ROUNDS;
    printf("procroot: per round: create+build+configure %lu, start (START answered) %lu, "
           "run to EXIT answered (the kernel destroys the address space) %lu, destroy+release %lu\n",
           (unsigned long)(phase[0] / ROUNDS), (unsigned long)(phase[1] / ROUNDS),
           (unsigned long)(phase[2] / ROUNDS), (unsigned long)(phase[3] / ROUNDS));
    printf("BENCH proc,create-start-exit,instructions,%lu,guest instructions\n", (unsigned long)per);
}

/* Two processes ping-pong through two notifications: a signal and a wait on each side per round. */
static void bench_notif(void)
{
    enum { WARMUP = 100, ROUNDS = 10000 };
    child_t c;
    if (procctl_notification(SLOT_PROCCTL, SLOT_N1) || procctl_notification(SLOT_PROCCTL, SLOT_N2) ||
        notif_child(&c, CHILD_PINGPONG, 0, "pong", SLOT_N1, 1, AK_RIGHT_RECV, 0) ||
        process_cap_copy(c.proc_slot, SLOT_N2, 2, AK_RIGHT_SEND, 0) || child_start(&c)) {
        printf("procroot: notification bench set-up failed\n");
        failures++;
        return;
    }
    uint64_t i0 = 0, t0 = 0;
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        if (i == WARMUP) {
            i0 = ak_instructions();
            t0 = ak_counter();
        }
        if (ak_signal_wait(SLOT_N1, SLOT_N2) != 1) {
            printf("procroot: ping-pong round %u failed\n", i);
            failures++;
            return;
        }
    }
    uint64_t di = ak_instructions() - i0, dt = ak_counter() - t0;
    uint64_t hundredths = (di * 100 + ROUNDS / 2) / ROUNDS;
    printf("BENCH notif,signal-wait,instructions,%lu.%02lu,guest instructions\n", (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100));
    printf("BENCH notif,signal-wait,ns,%lu,host ns\n", (unsigned long)(dt * 1000000000u / ak_counter_freq() / ROUNDS));
    child_destroy(&c);
    uint64_t status;
    child_wait(&c, &status);
    child_release(&c);
}

int main(int argc, char **argv)
{
    if (!child_init()) {
        printf("AKTEST FAIL procroot: no physical memory or no address-space capability for itself\n");
        power_poweroff(SLOT_POWER, AK_POWEROFF_MISMATCH);
        return 1;
    }
    const char *suite = argc > 1 ? argv[1] : "";
    if (strcmp(suite, "proc") == 0) {
        proc_run();
        proc_errors();
        proc_full();
        proc_destroy_blocked();
        proc_destroy_server();
        proc_destroy_fault();
        proc_spin();
        proc_cycles();
    } else if (strcmp(suite, "cap") == 0) {
        cap_tests();
    } else if (strcmp(suite, "physmem") == 0) {
        physmem_tests();
    } else if (strcmp(suite, "poweroff") == 0 && argc > 2) {
        int refused = power_poweroff(SLOT_POWER, AK_POWEROFF_PANIC);
        int big = power_poweroff(SLOT_POWER, 256);
        result("poweroff-3-refused", refused == -AK_EINVAL && big == -AK_EINVAL, "poweroff(3) or (256) was not EINVAL");
        unsigned status = 0;
        for (const char *p = argv[2]; *p >= '0' && *p <= '9'; p++)
            status = status * 10 + (unsigned)(*p - '0');
        fflush_stdout();
        power_poweroff(SLOT_POWER, failures ? AK_POWEROFF_MISMATCH : status);
        return 1;
    } else if (strcmp(suite, "notif") == 0) {
        notif_tests();
        watch_tests();
        idle_tests();
    } else if (strcmp(suite, "bench") == 0) {
        bench();
        bench_notif();
    } else if (strcmp(suite, "dev") == 0) {
        dev_tests();
    } else if (strcmp(suite, "irqbench") == 0) {
        bench_irq();
    } else if (strcmp(suite, "reply") == 0) {
        reply_tests();
    } else if (strcmp(suite, "deadlock") == 0) {
        child_t c;
        if (child_create(&c, CHILD_RECV, SLOT_FIRST_FREE, PRIO, "waiter") == 0 &&
            procctl_endpoint(SLOT_PROCCTL, SLOT_FIRST_FREE + 50) == 0 &&
            process_cap_copy(c.proc_slot, SLOT_FIRST_FREE + 50, SLOT_FIRST_FREE, AK_RIGHT_RECV, 0) == 0 &&
            child_start(&c) == 0) {
            uint64_t label, badge, w[4];
            root_recv(&label, &badge, w); /* nothing will come */
        }
        printf("AKTEST FAIL procroot: the deadlock did not end the system\n");
    } else {
        printf("AKTEST FAIL procroot: unknown suite '%s'\n", suite);
        failures++;
    }
    fflush_stdout();
    power_poweroff(SLOT_POWER, failures ? AK_POWEROFF_MISMATCH : AK_POWEROFF_OK);
    return 1; /* not reached: the power-off does not return */
}
