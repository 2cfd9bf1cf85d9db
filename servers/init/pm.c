/*
 * The process table and the process manager (idl/proc.idl).
 *
 * Entry i of pm_procs is a process init created: the manifest's program i
 * (i < 16), or one spawned at run time; its process capability is in
 * SLOT_PROC0 + i and its end signals bit i of init's ending notification
 * (process.watch), which is bound to init's thread so that it also wakes
 * the receive on init's endpoint.  A manifest program's end is judged
 * against the manifest, one line each.  A spawned one waits, ended, until
 * its parent's wait() collects it; a parent already waiting was answered
 * later through a reply capability, so init never blocks on one caller.
 *
 * A spawned program's memory is served by a vmm of the manifest, or by
 * nobody (pager "none": it runs in the pages init built it with).  init
 * builds it (its segments, stack and boot-info page, from init's frames),
 * copies its address-space capability into the vmm's slot
 * AK_BOOT_CAP_SLOTS + (i - BI_MAX_PROGRAMS), gives it an endpoint to the
 * vmm badged INIT_VMM_BADGE(pid) and tells the vmm (vmm.idl adopt) before
 * starting it; then only the vmm holds its address space.  Once the
 * kernel has finished it (after the vmm's answer to EXIT), init empties
 * that slot and takes its frames back.
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/notif.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/process.h>
#include <akuma/abi/procmgr.h>
#include <akuma/abi/start.h>
#include <akuma/ipc.h>
#include <akuma/malloc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>
#include <idl/proc_server.h>
#include <idl/vmm_client.h>

pm_proc_t pm_procs[INIT_PROCS];

static const bootimage_t *manifest;
static uint32_t manifest_left;        /* manifest programs, not servers, still to end */
static bool manifest_ok = true;

/* The wait() requests held, to be dispatched again once their child has ended. */
typedef struct held {
    bool used;
    uint64_t badge;
    ak_msg_t msg;
} held_t;
static held_t held[INIT_WAITERS];

static bool deferred;                 /* the request just dispatched is held: no reply now */
static uint32_t deferred_slot;

int pm_track(uint32_t i, uint32_t pid, const char *name, const char *pager, uint8_t priority, uint32_t parent,
             bool is_manifest)
{
    pm_proc_t *p = &pm_procs[i];
    frame_list_t frames = p->frames;   /* a spawned one's, recorded while it was built */
    memset(p, 0, sizeof *p);
    p->frames = frames;
    p->used = true;
    p->manifest = is_manifest;
    p->pid = pid;
    p->parent = parent;
    p->priority = priority;
    p->waiter = AK_NO_SLOT;
    p->pager_ep = AK_NO_SLOT;
    p->console_ep = AK_NO_SLOT;
    p->vmm = -1;
    memcpy(p->name, name, strnlen(name, AK_NAME_MAX - 1));
    memcpy(p->pager, pager, strnlen(pager, AK_NAME_MAX - 1));
    return process_watch(SLOT_PROC0 + i, SLOT_ENDED, UINT64_C(1) << i);
}

void pm_set_manifest(const bootimage_t *image)
{
    manifest = image;
    for (uint32_t i = 0; i < image->nprograms; i++)
        if (image->programs[i].expect.kind != BI_EXPECT_SERVE)
            manifest_left++;
}

/* A process that wait() and list() know: created, and not yet collected. */
static bool visible(const pm_proc_t *p)
{
    return p->used && !p->collected;
}

static pm_proc_t *by_pid(uint32_t pid)
{
    for (uint32_t i = 0; i < INIT_PROCS; i++)
        if (visible(&pm_procs[i]) && pm_procs[i].pid == pid)
            return &pm_procs[i];
    return NULL;
}

static uint32_t index_of(const pm_proc_t *p)
{
    return (uint32_t)(p - pm_procs);
}

/* The caller, by the badge of its endpoint to init (its entry number plus one), or NULL. */
static pm_proc_t *caller_of(uint64_t badge)
{
    if (badge == 0 || badge > INIT_PROCS || !pm_procs[badge - 1].used)
        return NULL;
    return &pm_procs[badge - 1];
}

static void describe_want(const bootimage_expect_t *e, char *buf, size_t n)
{
    switch (e->kind) {
    case BI_EXPECT_EXIT: snprintf(buf, n, "UNEXPECTED: wanted exit %d", (int)e->code); break;
    case BI_EXPECT_KILLED: snprintf(buf, n, "UNEXPECTED: wanted killed"); break;
    default: snprintf(buf, n, "UNEXPECTED: a server"); break;
    }
}

/* Prints a manifest program's ending; returns whether it is the one the manifest expects. */
static bool judge(uint32_t i, const pm_proc_t *p)
{
    const bootimage_program_t *prog = &manifest->programs[i];
    bool ok = prog->expect.kind == BI_EXPECT_KILLED ? p->killed
            : prog->expect.kind == BI_EXPECT_EXIT && !p->killed && p->exit_status == prog->expect.code;
    char want[40];
    describe_want(&prog->expect, want, sizeof want);
    if (p->killed)
        printf("[init] pid %u (%s) ended: killed (%s)\n", p->pid, p->name, ok ? "as expected" : want);
    else
        printf("[init] pid %u (%s) ended: exit %d (%s)\n", p->pid, p->name, (int)p->exit_status,
               ok ? "as expected" : want);
    return ok;
}

/* What wait() and status() report of an ended or running process. */
static void report(const pm_proc_t *p, uint8_t *state, int32_t *status, uint8_t *why)
{
    *state = !p->ended ? AK_PM_RUNNING : p->killed ? AK_PM_KILLED : AK_PM_EXITED;
    *status = p->ended && !p->killed ? p->exit_status : 0;
    *why = !p->ended || !p->killed ? AK_PM_WHY_NONE : p->killed_by_pm ? AK_PM_WHY_KILL : AK_PM_WHY_FAULT;
}

/* Gone and collected: the entry, its kernel slot and its frames go back. */
static void release(pm_proc_t *p)
{
    if (!p->destroyed)
        process_destroy(SLOT_PROC0 + index_of(p));
    frames_release(&p->frames);
    p->used = false;
}

/* The kernel has finished p: the vmm's copy of its address space (dead now) goes. */
static void mark_gone(pm_proc_t *p)
{
    p->gone = true;
    if (p->vmm >= 0)
        (void)process_cap_delete(SLOT_PROC0 + (uint32_t)p->vmm, p->vmm_slot);  /* ESRCH if the vmm ended */
    if (p->collected)
        release(p);
}

/* A spawned process collected by its parent: forgotten, and released once gone. */
static void forget(pm_proc_t *p)
{
    p->collected = true;
    if (p->gone)
        release(p);
}

static void answer_waiter(pm_proc_t *p);

/* Entry i has ended (killed, or with status): record it, judge it or answer its waiter. */
static void mark_ended(uint32_t i, bool killed, int32_t status)
{
    pm_proc_t *p = &pm_procs[i];
    p->ended = true;
    p->killed = killed;
    p->exit_status = killed ? 0 : status;
    if (p->manifest) {
        manifest_ok = judge(i, p) && manifest_ok;
        if (manifest->programs[i].expect.kind != BI_EXPECT_SERVE)
            manifest_left--;
    }
    if (p->waiter != AK_NO_SLOT)
        answer_waiter(p);
}

/*
 * Bit i of the ending notification came: the kernel has finished entry i
 * (a killed one, whose capability init destroyed, signals only then) or
 * the bit is a stale one and its status says it runs.
 */
static void check_ended(uint32_t i)
{
    pm_proc_t *p = &pm_procs[i];
    if (!p->used || p->gone)
        return;
    if (!p->destroyed) {
        uint32_t pid = 0;
        uint8_t state = 0;
        uint64_t status = 0;
        if (process_status(SLOT_PROC0 + i, &pid, &state, &status) != 0 || state != AK_PROC_ENDED)
            return;
        if (!p->ended)
            mark_ended(i, status == AK_EXIT_KILLED, (int32_t)status);
    }
    mark_gone(p);
}

/* ---- proc.idl ---------------------------------------------------------- */

/* The file of the archive called name, of kind (BI_FILE_ELF or BI_FILE_DATA), or -1. */
static int find_file(const char *name, uint32_t kind)
{
    for (uint32_t k = 0; k < manifest->nfiles; k++)
        if (manifest->files[k].kind == kind && strcmp(manifest->files[k].name, name) == 0)
            return (int)k;
    return -1;
}

/* Splits a strs block (NUL-terminated strings end to end) into pointers; -AK_E2BIG past max. */
static int split_strs(const char *block, uint64_t len, const char **out, unsigned max)
{
    unsigned n = 0;
    for (uint64_t at = 0; at < len; at += strlen(block + at) + 1) {
        if (n == max)
            return -AK_E2BIG;
        out[n++] = block + at;
    }
    return (int)n;
}

uint8_t pm_malloc_mode(const char *const envp[], int envc, const uint8_t *elf, size_t size)
{
    uint8_t mode = AK_PM_MALLOC_DEFAULT;
    for (int e = 0; e < envc; e++) {
        if (strcmp(envp[e], "MALLOC=page") == 0)
            mode = AK_PM_MALLOC_PAGE;
        else if (strcmp(envp[e], "MALLOC=chunk") == 0)
            mode = AK_PM_MALLOC_CHUNK;
        else if (strncmp(envp[e], "MALLOC=", 7) == 0)
            mode = AK_PM_MALLOC_DEFAULT;  /* not a mode: the program falls back to its own, and says so */
    }
    uint64_t off, len;
    if (mode == AK_PM_MALLOC_DEFAULT && elf_find_section(elf, size, AK_MALLOC_SECTION, &off, &len) == 0 && len >= 1) {
        uint8_t built = elf[off];
        if (built == AK_PM_MALLOC_PAGE || built == AK_PM_MALLOC_CHUNK)
            mode = built;
    }
    return mode;
}

/*
 * The vmm spawn's pager names: "none" for none; "" for the caller's own,
 * if a vmm pages it (else none); otherwise a vmm of the manifest that
 * still runs.  Sets *vmm (-1 for none) and *ep; -AK_EINVAL if it names no
 * vmm.
 */
static int choose_vmm(const pm_proc_t *caller, const char *pager, int32_t *vmm, uint32_t *ep)
{
    *vmm = -1;
    *ep = AK_NO_SLOT;
    if (strcmp(pager, "none") == 0)
        return 0;
    if (pager[0] == '\0') {
        if (caller->pager_ep == AK_NO_SLOT)
            return 0;
        pager = caller->pager;
    }
    uint32_t v = 0;
    if (!manifest_vmm(manifest, pager, &v, ep) || !pm_procs[v].used || pm_procs[v].ended)
        return -AK_EINVAL;
    *vmm = (int32_t)v;
    return 0;
}

/* Undoes a spawn that failed after building entry i: nothing of it is left (vmm: its vmm's entry, or -1). */
static int spawn_undo(uint32_t i, int32_t vmm, uint32_t vmm_slot, int rc)
{
    pm_proc_t *p = &pm_procs[i];
    if (vmm >= 0)
        (void)process_cap_delete(SLOT_PROC0 + (uint32_t)vmm, vmm_slot);   /* EBADF if never copied */
    process_destroy(SLOT_PROC0 + i);
    frames_release(&p->frames);
    p->used = false;
    return rc;
}

static int h_spawn(void *ctx, uint64_t badge, const char *program, const char *args, uint64_t args_len,
                   const char *env, uint64_t env_len, const char *pager, uint8_t priority, uint64_t quota,
                   uint32_t *out_pid)
{
    (void)ctx;
    pm_proc_t *caller = caller_of(badge);
    if (!caller)
        return -AK_EPERM;
    if (program[0] == '\0' || priority > caller->priority)
        return -AK_EINVAL;
    int32_t vmm;
    uint32_t vmm_ep;
    int rc = choose_vmm(caller, pager, &vmm, &vmm_ep);
    if (rc)
        return rc;
    if (vmm < 0 && quota != 0)
        return -AK_EINVAL;    /* a quota is a vmm's to enforce */
    int f = find_file(program, BI_FILE_ELF);   /* a data file is no program: AK_ENOENT */
    if (f < 0)
        return -AK_ENOENT;
    static const char *argv[AK_START_ARGV_MAX];
    static const char *envp[AK_START_ENV_MAX];
    argv[0] = program;
    int argc = split_strs(args, args_len, argv + 1, AK_START_ARGV_MAX - 1);
    int envc = split_strs(env, env_len, envp, AK_START_ENV_MAX);
    if (argc < 0 || envc < 0)
        return -AK_E2BIG;
    for (int e = 0; e < envc; e++)
        if (!strchr(envp[e], '=') || envp[e][0] == '=')
            return -AK_EINVAL;
    static elf_image_t image;
    char why[160];
    const bootimage_file_t *file = &manifest->files[f];
    if (elf_parse(file->elf, file->elf_size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &image, why, sizeof why)) {
        printf("[init] spawn %s: ELF file: %s\n", program, why);
        return -AK_ENOEXEC;
    }
    uint32_t i = BI_MAX_PROGRAMS;
    while (i < INIT_PROCS && pm_procs[i].used)
        i++;
    if (i == INIT_PROCS)
        return -AK_ENOSPC;
    pm_proc_t *p = &pm_procs[i];
    p->frames.n = 0;
    build_req_t r = {
        .name = program, .image = &image, .elf = file->elf, .argv = argv, .argc = 1u + (unsigned)argc,
        .envp = envp, .envc = (unsigned)envc, .priority = priority, .pager_slot = vmm_ep,
        .proc_slot = SLOT_PROC0 + i, .aspace_slot = SLOT_ASPACE0,
    };
    built_t b;
    rc = build_process(&r, &p->frames, &b);
    if (rc) {
        frames_release(&p->frames);
        return rc == -AK_ENOMEM || rc == -AK_ENOSPC || rc == -AK_E2BIG ? rc : -AK_ENOMEM;
    }
    static ak_bootinfo_t bi;
    memset(&bi, 0, sizeof bi);
    bi.magic = AK_BOOTINFO_MAGIC;
    bi.version = AK_BOOTINFO_VERSION;
    bi.pid = b.pid;
    memcpy(bi.name, program, strnlen(program, AK_NAME_MAX - 1));
    uint64_t vmm_badge = INIT_VMM_BADGE(b.pid);
    uint32_t vmm_slot = AK_BOOT_CAP_SLOTS + (i - BI_MAX_PROGRAMS);
    if (vmm >= 0) {
        /* Its endpoint to the vmm, in the slot libakuma calls (abi/caps.h), and the vmm's copy of its
           address space. */
        bi.caps[bi.ncaps++] = (ak_bootinfo_cap_t){ .slot = AK_SLOT_VMM, .kind = AK_CAP_ENDPOINT,
                                                   .rights = AK_RIGHT_SEND, .badge = vmm_badge };
        rc = process_cap_copy(SLOT_PROC0 + i, vmm_ep, AK_SLOT_VMM, AK_RIGHT_SEND, vmm_badge);
        if (!rc)
            rc = process_cap_copy(SLOT_PROC0 + (uint32_t)vmm, SLOT_ASPACE0, vmm_slot, AK_RIGHT_WRITE, 0);
    }
    if (!rc && caller->console_ep != AK_NO_SLOT) {
        /* The parent's console, as a client of its own: its lines and its Ctrl-C are its own. */
        uint64_t con_badge = AK_CON_SPAWNED_ID(b.pid);
        bi.caps[bi.ncaps++] = (ak_bootinfo_cap_t){ .slot = AK_SLOT_CONSOLE, .kind = AK_CAP_ENDPOINT,
                                                   .rights = AK_RIGHT_SEND, .badge = con_badge };
        rc = process_cap_copy(SLOT_PROC0 + i, caller->console_ep, AK_SLOT_CONSOLE, AK_RIGHT_SEND, con_badge);
    }
    if (!rc)
        rc = finish_process(r.proc_slot, program, image.entry, &b, &bi);
    ak_cap_drop(SLOT_ASPACE0);
    if (!rc)
        rc = pm_track(i, b.pid, program, vmm >= 0 ? pm_procs[vmm].name : "none", priority, caller->pid, false);
    if (rc)
        return spawn_undo(i, vmm, vmm_slot, -AK_EIO);
    p->vmm = vmm;
    p->vmm_slot = vmm_slot;
    p->pager_ep = vmm_ep;
    p->console_ep = caller->console_ep;
    p->malloc_mode = pm_malloc_mode(envp, envc, file->elf, file->elf_size);
    if (vmm >= 0) {
        rc = vmm_adopt(vmm_ep, b.pid, vmm_slot, vmm_badge, quota, program);
        if (rc)   /* AK_ENOMEM: the quota; AK_ENOSPC: its table */
            return spawn_undo(i, vmm, vmm_slot, rc == -AK_ENOMEM || rc == -AK_ENOSPC ? rc : -AK_EIO);
    }
    rc = process_start(r.proc_slot);
    if (rc) {
        if (vmm >= 0)
            (void)vmm_disown(vmm_ep, b.pid);
        return spawn_undo(i, vmm, vmm_slot, -AK_EIO);
    }
    *out_pid = b.pid;
    return 0;
}

static int h_wait(void *ctx, uint64_t badge, uint32_t pid, uint8_t *out_state, int32_t *out_exit_status,
                  uint8_t *out_why)
{
    (void)ctx;
    pm_proc_t *caller = caller_of(badge);
    pm_proc_t *p = by_pid(pid);
    if (!caller || !p)
        return -AK_ESRCH;
    if (p->parent != caller->pid || p->manifest)
        return -AK_EPERM;
    if (!p->ended) {
        if (p->waiter != AK_NO_SLOT)
            return -AK_EBUSY;   /* one waiter per child */
        uint32_t w = 0;
        while (w < INIT_WAITERS && held[w].used)
            w++;
        if (w == INIT_WAITERS)
            return -AK_ENOSPC;
        if (ak_save_reply(SLOT_REPLY0 + w) != 0)
            return -AK_EIO;
        held[w].used = true;
        p->waiter = SLOT_REPLY0 + w;
        deferred = true;
        deferred_slot = w;
        return 0;
    }
    report(p, out_state, out_exit_status, out_why);
    forget(p);
    return 0;
}

static int h_kill(void *ctx, uint64_t badge, uint32_t pid)
{
    (void)ctx;
    pm_proc_t *caller = caller_of(badge);
    pm_proc_t *p = by_pid(pid);
    if (!caller || (!p && pid != AK_INIT_PID))
        return -AK_ESRCH;
    if (pid == AK_INIT_PID || (p->manifest && manifest->programs[index_of(p)].expect.kind == BI_EXPECT_SERVE))
        return -AK_EPERM;
    if (p->ended)
        return 0;
    uint32_t i = index_of(p);
    /* A pagerless process ends at once; a paged one's vmm hears EXIT and the kernel finishes it
       after the answer (then bit i comes).  Either way its capability goes now, so it is recorded
       as killed now, and its frames wait for the kernel (mark_gone). */
    int rc = process_destroy(SLOT_PROC0 + i);
    if (rc)
        return rc;
    p->destroyed = true;
    p->killed_by_pm = true;
    mark_ended(i, true, 0);
    return 0;
}

static int h_list(void *ctx, uint64_t badge, uint32_t from, uint32_t *out_next, proc_entry_t *out,
                  uint64_t *out_count)
{
    (void)ctx;
    (void)badge;
    uint64_t n = 0;
    *out_next = 0;
    /* init first, then the table in pid order. */
    uint32_t last = from;
    for (;;) {
        const pm_proc_t *best = NULL;
        bool init_next = from <= AK_INIT_PID && last <= AK_INIT_PID && n == 0;
        if (init_next) {
            proc_entry_t *e = &out[n++];
            e->pid = AK_INIT_PID;
            e->parent = 0;
            e->state = AK_PM_RUNNING;
            e->priority = AK_INIT_PRIORITY;
            e->pages = frames_in_use();
            e->malloc_mode = ak_malloc_mode().mode;  /* its own, as its start-up chose it */
            memcpy(e->name, AK_INIT_NAME, sizeof AK_INIT_NAME);
            last = AK_INIT_PID + 1;
            continue;
        }
        for (uint32_t i = 0; i < INIT_PROCS; i++)
            if (visible(&pm_procs[i]) && pm_procs[i].pid >= last && (!best || pm_procs[i].pid < best->pid))
                best = &pm_procs[i];
        if (!best)
            break;
        if (n == AK_PM_LIST_MAX) {
            *out_next = best->pid;
            break;
        }
        proc_entry_t *e = &out[n++];
        uint8_t why;
        report(best, &e->state, &e->exit_status, &why);
        e->why = why;
        e->pid = best->pid;
        e->parent = best->parent;
        e->priority = best->priority;
        e->malloc_mode = best->malloc_mode;
        /* Its vmm's count while it runs (init asks it: the vmm never calls init, so this cannot
           deadlock), else the frames init built it with. */
        uint64_t frames = 0, quota = 0;
        if (best->pager_ep != AK_NO_SLOT && !best->gone && vmm_usage(best->pager_ep, best->pid, &frames, &quota) == 0) {
            e->pages = frames;
            e->quota = quota;
        } else {
            e->pages = best->frames.n;
        }
        memcpy(e->name, best->name, sizeof best->name);
        memcpy(e->pager, best->pager, sizeof best->pager);
        last = best->pid + 1;
    }
    *out_count = n;
    return 0;
}

static int h_status(void *ctx, uint64_t badge, uint32_t pid, uint8_t *out_state, int32_t *out_exit_status,
                    uint8_t *out_why)
{
    (void)ctx;
    (void)badge;
    const pm_proc_t *p = by_pid(pid);
    if (!p)
        return -AK_ESRCH;
    report(p, out_state, out_exit_status, out_why);
    return 0;
}

/* A chunk of a data file of the archive: the stub has checked the name's bound and NUL. */
static int h_file(void *ctx, uint64_t badge, const char *name, uint64_t offset, uint64_t *out_size,
                  uint8_t *out_data, uint64_t *out_data_len)
{
    (void)ctx;
    (void)badge;
    if (name[0] == '\0')
        return -AK_EINVAL;
    int f = find_file(name, BI_FILE_DATA);
    if (f < 0)
        return -AK_ENOENT;
    const bootimage_file_t *file = &manifest->files[f];
    *out_size = file->elf_size;
    uint64_t n = 0;
    if (offset < file->elf_size) {
        n = file->elf_size - offset;    /* offset < size: no wrap, and within the file */
        if (n > AK_PM_FILE_CHUNK)
            n = AK_PM_FILE_CHUNK;
        memcpy(out_data, file->elf + offset, (size_t)n);
    }
    *out_data_len = n;
    return 0;
}

/* The vmms of the manifest from the from-th, each asked for its totals (vmm.idl, as init: badge 0). */
static int h_vmms(void *ctx, uint64_t badge, uint32_t from, uint32_t *out_next, vmm_entry_t *out,
                  uint64_t *out_count)
{
    (void)ctx;
    (void)badge;
    uint64_t n = 0;
    uint32_t k = 0;   /* the vmm's number, in manifest order */
    *out_next = 0;
    for (uint32_t i = 0; i < manifest->nprograms; i++) {
        uint32_t v, ep;
        if (!manifest_vmm(manifest, manifest->programs[i].name, &v, &ep) || v != i)
            continue;
        if (k++ < from)
            continue;
        if (n == AK_PM_VMMS_MAX) {
            *out_next = k - 1;
            break;
        }
        vmm_entry_t *e = &out[n++];
        const pm_proc_t *p = &pm_procs[i];
        e->pid = p->pid;
        memcpy(e->name, manifest->programs[i].name, strlen(manifest->programs[i].name));
        /* Asked only while it runs (the vmm never calls init, so this cannot deadlock). */
        uint64_t clients = 0;
        if (!p->ended && vmm_totals(ep, &e->frames_total, &e->frames_free, &e->frames_in_use, &e->frames_vmm,
                                    &e->peak, &clients, &e->regions) == 0) {
            e->alive = 1;
            e->clients = clients > UINT32_MAX ? UINT32_MAX : (uint32_t)clients;
        } else {
            e->frames_total = e->frames_free = e->frames_in_use = e->frames_vmm = e->peak = e->regions = 0;
        }
    }
    *out_count = n;
    return 0;
}

static const proc_handlers_t handlers = {
    .spawn = h_spawn, .wait = h_wait, .kill = h_kill, .list = h_list, .status = h_status, .vmms = h_vmms,
    .file = h_file,
};

/* p's parent waits: its held wait() is dispatched again, now that p has ended, and answered. */
static void answer_waiter(pm_proc_t *p)
{
    uint32_t w = p->waiter - SLOT_REPLY0;
    held_t *h = &held[w];
    p->waiter = AK_NO_SLOT;
    static ak_ipcbuf_t buf;
    proc_dispatch(&handlers, NULL, h->badge, &h->msg, &buf);
    int64_t rc = ak_reply_to(SLOT_REPLY0 + w, &h->msg);
    if (rc != 0 && rc != -AK_ESRCH)
        printf("[init] answering a wait for pid %u: error %ld\n", p->pid, (long)rc);
    h->used = false;
}

bool pm_serve(void)
{
    ak_msg_t m;
    int64_t badge = 0;
    bool reply = false;
    while (manifest_left > 0) {
        badge = reply ? ak_ipc_reply_recv(SLOT_PM, &m) : ak_ipc_recv(SLOT_PM, &m);
        reply = false;
        if (badge < 0) {
            printf("[init] receiving: error %ld\n", (long)badge);
            return false;
        }
        if ((uint64_t)badge == AK_NOTIFY_BADGE && ak_msginfo_label(m.info) == AK_NOTIFY_LABEL) {
            for (uint32_t i = 0; i < INIT_PROCS; i++)
                if (m.w[0] & (UINT64_C(1) << i))
                    check_ended(i);
            continue;
        }
        /* A request: kept whole in case wait() must answer it later. */
        ak_msg_t request = m;
        deferred = false;
        proc_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        if (deferred) {
            held[deferred_slot].badge = (uint64_t)badge;
            held[deferred_slot].msg = request;
            continue;
        }
        reply = true;
    }
    if (reply)
        ak_ipc_reply(&m);
    return manifest_ok;
}
