/*
 * The shell's commands (README "The shell"): programs of the boot archive
 * run through init's process manager (idl/proc.idl), in the foreground
 * (the console's foreground while it runs, so Ctrl-C kills it) or in the
 * background, and the built-ins.  Every failure is one line beginning
 * "sh: "; a command never ends the shell.
 */
#include <stdio.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/notif.h>
#include <akuma/abi/procmgr.h>
#include <akuma/sys.h>
#include <idl/console_client.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>

#include "shell.h"

/* Children spawned at the shell's own priority at most; this one runs them. */
#define SH_CHILD_PRIORITY 100u
/* Background jobs: init runs at most 32 spawned processes at once. */
#define SH_JOBS_MAX 32u
/* How often `wait` with no pid looks at its jobs. */
#define SH_WAIT_POLL_MS 10u

typedef struct job {
    uint32_t pid;              /* 0: a free entry */
    char name[AK_PM_NAME_MAX + 1];
} job_t;

static job_t jobs[SH_JOBS_MAX];

static const char *errname(int rc)
{
    switch (-rc) {
    case AK_ENOENT: return "no such file";
    case AK_ESRCH: return "no such process";
    case AK_EPERM: return "not permitted";
    case AK_EINVAL: return "invalid argument";
    case AK_E2BIG: return "too long";
    case AK_ENOEXEC: return "a damaged ELF file";
    case AK_ENOMEM: return "out of memory";
    case AK_ENOSPC: return "a table is full";
    case AK_EIO: return "refused";
    case AK_EBUSY: return "busy";
    case AK_ENOSYS: return "not implemented";
    case AK_EBADF: return "no such capability";
    default: return "error";
    }
}

static sh_end_t failed(void)
{
    return sh_exited(SH_STATUS_FAILED);
}

/*
 * The line for a failed request of command cmd (kill, wait) about pid:
 * "no process PID" and its ending for no such process, "pid PID" and the
 * command's reason for not permitted, else the error's name.
 */
static sh_end_t pid_failed(const char *cmd, uint32_t pid, int rc, const char *no_such_end, const char *not_permitted)
{
    if (rc == -AK_ESRCH)
        printf("sh: %s: no process %u%s\n", cmd, (unsigned)pid, no_such_end);
    else if (rc == -AK_EPERM)
        printf("sh: %s: pid %u %s\n", cmd, (unsigned)pid, not_permitted);
    else
        printf("sh: %s: pid %u: %s (error %d)\n", cmd, (unsigned)pid, errname(rc), rc);
    return failed();
}

static sh_end_t usage(const char *line)
{
    printf("%s\n", line);
    return sh_exited(SH_STATUS_USAGE);
}

/* --- jobs -------------------------------------------------------------------- */

static job_t *job_of(uint32_t pid)
{
    for (unsigned i = 0; i < SH_JOBS_MAX; i++)
        if (jobs[i].pid == pid && pid)
            return &jobs[i];
    return NULL;
}

static unsigned job_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < SH_JOBS_MAX; i++)
        n += jobs[i].pid != 0;
    return n;
}

static void report(uint32_t pid, const char *name, const sh_end_t *end, bool foreground)
{
    char d[SH_DESC_MAX];
    sh_end_describe(end, d);
    if (foreground && end->state == AK_PM_KILLED && end->why == AK_PM_WHY_KILL)
        printf("[pid %u] %s: killed (Ctrl-C)\n", (unsigned)pid, name);
    else
        printf("[pid %u] %s: %s\n", (unsigned)pid, name, d);
}

/* Waits for child pid and forgets it as a job; 0, or the wait's error. */
static int collect(uint32_t pid, const char *name, sh_end_t *end, bool foreground)
{
    uint8_t state = 0, why = 0;
    int32_t status = 0;
    int rc = proc_wait(SH_SLOT_INIT, pid, &state, &status, &why);
    if (rc)
        return rc;
    end->state = state;
    end->why = why;
    end->status = status;
    report(pid, name, end, foreground);
    job_t *j = job_of(pid);
    if (j)
        j->pid = 0;
    return 0;
}

void sh_reap(void)
{
    for (unsigned i = 0; i < SH_JOBS_MAX; i++) {
        if (!jobs[i].pid)
            continue;
        uint8_t state = 0, why = 0;
        int32_t status = 0;
        int rc = proc_status(SH_SLOT_INIT, jobs[i].pid, &state, &status, &why);
        sh_end_t end;
        if (rc == 0 && state != AK_PM_RUNNING)
            collect(jobs[i].pid, jobs[i].name, &end, false);
        else if (rc)
            jobs[i].pid = 0;  /* gone: nothing left to report */
    }
}

/* --- programs ------------------------------------------------------------------ */

static sh_end_t run_program(const sh_cmd_t *c)
{
    char args[AK_PM_ARGS_MAX];
    size_t alen = 0;
    for (unsigned i = 1; i < c->argc; i++) {
        size_t n = strlen(c->argv[i]) + 1;
        memcpy(args + alen, c->argv[i], n);  /* sh_parse bounded the sum by AK_PM_ARGS_MAX */
        alen += n;
    }
    const char *env = c->malloc_mode == AK_PM_MALLOC_CHUNK ? "MALLOC=chunk"
                      : c->malloc_mode == AK_PM_MALLOC_PAGE ? "MALLOC=page" : "";
    size_t elen = env[0] ? strlen(env) + 1 : 0;
    const char *name = c->argv[0];
    uint32_t pid = 0;
    int rc = proc_spawn(SH_SLOT_INIT, name, args, alen, env, elen, c->vmm, SH_CHILD_PRIORITY, c->quota, &pid);
    if (rc == -AK_ENOENT) {
        printf("sh: %s: command not found\n", name);
        return sh_exited(SH_STATUS_NOTFOUND);
    }
    if (rc == -AK_EINVAL && c->has_vmm) {
        printf("sh: vmm: no vmm called '%s' (error %d)\n", c->vmm, rc);
        return failed();
    }
    if (rc == -AK_ENOMEM && c->has_quota) {
        printf("sh: quota: %lu pages is more than the vmm can give (error %d)\n", (unsigned long)c->quota, rc);
        return failed();
    }
    if (rc) {
        printf("sh: %s: cannot start it: %s (error %d)\n", name, errname(rc), rc);
        return failed();
    }
    if (c->background) {
        job_t *j = NULL;
        for (unsigned i = 0; i < SH_JOBS_MAX && !j; i++)
            if (!jobs[i].pid)
                j = &jobs[i];
        if (j) {   /* init holds at most SH_JOBS_MAX: always found */
            j->pid = pid;
            memcpy(j->name, name, strlen(name) + 1);
        }
        printf("[pid %u] %s &\n", (unsigned)pid, name);
        return sh_exited(0);
    }
    fflush_stdout();
    int frc = console_foreground(AK_SLOT_CONSOLE, AK_CON_SPAWNED_ID(pid), pid);
    sh_end_t end = sh_exited(0);
    rc = collect(pid, name, &end, true);
    if (frc == 0)
        console_foreground(AK_SLOT_CONSOLE, 0, 0);
    if (rc) {
        printf("sh: %s: cannot wait for pid %u (error %d)\n", name, (unsigned)pid, rc);
        return failed();
    }
    return end;
}

/* --- built-ins ----------------------------------------------------------------- */

static sh_end_t cmd_help(const sh_cmd_t *c)
{
    (void)c;
    printf("PROGRAM [ARGS...] [&]   run a program of the boot archive (& in the background);\n"
           "                        before it: vmm=NAME malloc=page|chunk quota=PAGES\n"
           "jobs, ps                this shell's children, every process\n"
           "kill PID, wait [PID]    end a process; wait for one or every background job\n"
           "free                    each vmm's frames\n"
           "sh SCRIPT               run a script of the boot archive\n"
           "echo WORDS, sleep MS, poweroff [STATUS], help\n"
           "keys: Backspace, Ctrl-U (erase the line), Ctrl-C, Ctrl-D (end the shell)\n");
    return sh_exited(0);
}

static sh_end_t cmd_echo(const sh_cmd_t *c)
{
    for (unsigned i = 1; i < c->argc; i++)
        printf("%s%s", c->argv[i], i + 1 < c->argc ? " " : "");
    printf("\n");
    return sh_exited(0);
}

static sh_end_t cmd_sleep(const sh_cmd_t *c)
{
    uint64_t ms;
    if (c->argc != 2 || !sh_number(c->argv[1], AK_TIMEOUT_MAX_MS, &ms))
        return usage("sh: sleep: give a number of milliseconds, at most 4294967295");
    fflush_stdout();
    ak_sleep(ms);
    return sh_exited(0);
}

static bool get_pid(const sh_cmd_t *c, const char *what, uint32_t *pid)
{
    uint64_t v;
    if (!sh_number(c->argv[1], UINT32_MAX, &v) || v == 0) {
        printf("sh: %s: '%s' is not a pid\n", what, c->argv[1]);
        return false;
    }
    *pid = (uint32_t)v;
    return true;
}

static sh_end_t cmd_kill(const sh_cmd_t *c)
{
    uint32_t pid;
    if (c->argc != 2)
        return usage("sh: kill: give one pid");
    if (!get_pid(c, "kill", &pid))
        return sh_exited(SH_STATUS_USAGE);
    int rc = proc_kill(SH_SLOT_INIT, pid);
    if (rc)
        return pid_failed("kill", pid, rc, "", "is init or a server of the boot manifest");
    /* A job of the shell's is collected at once: the command ends as it did. */
    job_t *j = job_of(pid);
    sh_end_t end = sh_exited(0);
    if (j && collect(pid, j->name, &end, false) != 0) {
        j->pid = 0;
        end = sh_exited(0);
    }
    return end;
}

static sh_end_t cmd_wait(const sh_cmd_t *c)
{
    sh_end_t end = sh_exited(0);
    if (c->argc > 2)
        return usage("sh: wait: give one pid or none");
    if (c->argc == 2) {
        uint32_t pid;
        if (!get_pid(c, "wait", &pid))
            return sh_exited(SH_STATUS_USAGE);
        job_t *j = job_of(pid);
        fflush_stdout();
        int rc = collect(pid, j ? j->name : "?", &end, false);
        return rc ? pid_failed("wait", pid, rc, " to wait for", "is not a child of this shell") : end;
    }
    if (job_count() == 0) {
        printf("sh: wait: no background jobs\n");
        return failed();
    }
    /* In the order they end: look at every job, then sleep a little. */
    fflush_stdout();
    while (job_count()) {
        sh_reap();
        if (job_count())
            ak_sleep(SH_WAIT_POLL_MS);
    }
    return sh_exited(0);
}

static const char *mode_name(uint8_t m)
{
    return m == AK_PM_MALLOC_PAGE ? "page" : m == AK_PM_MALLOC_CHUNK ? "chunk" : "default";
}

static sh_end_t cmd_ps(const sh_cmd_t *c, bool mine)
{
    if (c->argc != 1)
        return usage(mine ? "sh: jobs: takes no arguments" : "sh: ps: takes no arguments");
    uint32_t self = ak_bootinfo()->pid, from = 0, next = 0;
    unsigned shown = 0;
    printf("  PID PARENT NAME            STATE      VMM             MALLOC   PAGES   QUOTA\n");
    do {
        proc_entry_t e[AK_PM_LIST_MAX];
        uint64_t n = 0;
        int rc = proc_list(SH_SLOT_INIT, from, &next, e, &n);
        if (rc) {
            printf("sh: %s: the process manager cannot list processes (error %d)\n", mine ? "jobs" : "ps", rc);
            return failed();
        }
        for (uint64_t i = 0; i < n && i < AK_PM_LIST_MAX; i++) {
            if (mine && e[i].parent != self)
                continue;
            sh_end_t end = { e[i].state, e[i].why, e[i].exit_status };
            char st[SH_DESC_MAX];
            if (e[i].state == AK_PM_RUNNING)
                snprintf(st, sizeof st, "running");
            else
                sh_end_describe(&end, st);
            printf("%5u %6u %-15s %-10s %-15s %-7s %6lu %7lu\n", (unsigned)e[i].pid, (unsigned)e[i].parent,
                   e[i].name, st, e[i].pager, mode_name(e[i].malloc_mode), (unsigned long)e[i].pages,
                   (unsigned long)e[i].quota);
            shown++;
        }
        from = next;
    } while (next);
    if (mine && shown == 0)
        printf("sh: jobs: none\n");
    return sh_exited(0);
}

static sh_end_t cmd_free(const sh_cmd_t *c)
{
    if (c->argc != 1)
        return usage("sh: free: takes no arguments");
    uint32_t from = 0, next = 0;
    printf("VMM               PID   FRAMES     FREE   IN USE  OWN USE  PROCS  REGIONS     PEAK\n");
    do {
        vmm_entry_t e[AK_PM_VMMS_MAX];
        uint64_t n = 0;
        int rc = proc_vmms(SH_SLOT_INIT, from, &next, e, &n);
        if (rc) {
            printf("sh: free: the process manager cannot list vmms (error %d)\n", rc);
            return failed();
        }
        for (uint64_t i = 0; i < n && i < AK_PM_VMMS_MAX; i++) {
            if (!e[i].alive) {
                printf("%-15s %5u   (not answering)\n", e[i].name, (unsigned)e[i].pid);
                continue;
            }
            printf("%-15s %5u %8lu %8lu %8lu %8lu %6u %8lu %8lu\n", e[i].name, (unsigned)e[i].pid,
                   (unsigned long)e[i].frames_total, (unsigned long)e[i].frames_free,
                   (unsigned long)e[i].frames_in_use, (unsigned long)e[i].frames_vmm, (unsigned)e[i].clients,
                   (unsigned long)e[i].regions, (unsigned long)e[i].peak);
        }
        from = next;
    } while (next);
    return sh_exited(0);
}

/* Any step not as expected in the scripts running now. */
static bool scripts_failed(void)
{
    for (unsigned i = 0; i < sh.depth; i++)
        if (sh.tallies[i]->bad || sh.tallies[i]->read_error)
            return true;
    return false;
}

static sh_step_t cmd_poweroff(const sh_cmd_t *c, sh_end_t *end)
{
    uint64_t status = 0;
    if (c->argc > 2 || (c->argc == 2 && !sh_number(c->argv[1], AK_POWEROFF_MAX, &status))) {
        *end = usage("sh: poweroff: give a status from 0 to 255, or none");
        return SH_STEP_GO;
    }
    if (sh.depth) {
        sh.poweroff = true;
        sh.poweroff_status = c->argc == 2 ? (int)status : sh_poweroff_status();
        return SH_STEP_STOP;
    }
    fflush_stdout();
    int rc = power_poweroff(SH_SLOT_POWER, (uint32_t)status);
    printf("sh: poweroff: %s (error %d)\n", rc == -AK_EBADF ? "this shell holds no power capability" : errname(rc),
           rc);
    *end = failed();
    return SH_STEP_GO;
}

int sh_poweroff_status(void)
{
    return scripts_failed() ? 1 : 0;
}

static sh_step_t cmd_sh(const sh_cmd_t *c, sh_end_t *end)
{
    if (c->argc != 2) {
        *end = usage("sh: sh: give the name of one script");
        return SH_STEP_GO;
    }
    if (sh.depth == SH_DEPTH_MAX) {
        printf("sh: sh: scripts run %u deep at most\n", SH_DEPTH_MAX);
        *end = failed();
        return SH_STEP_GO;
    }
    sh_tally_t t;
    *end = sh_exited(sh_run_script(c->argv[1], &t));
    return sh.poweroff ? SH_STEP_STOP : SH_STEP_GO;
}

sh_step_t sh_command(const sh_cmd_t *c, sh_end_t *end)
{
    static const char *const builtins[] = { "help", "echo", "sleep", "kill", "wait", "jobs",
                                            "ps",   "free", "poweroff", "sh", "expect" };
    const char *name = c->argv[0];
    bool builtin = false;
    for (unsigned i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        builtin |= strcmp(name, builtins[i]) == 0;
    if (builtin && (c->has_vmm || c->has_malloc || c->has_quota || c->background)) {
        printf("sh: %s: a built-in command: no vmm=, malloc=, quota= or '&'\n", name);
        *end = sh_exited(SH_STATUS_USAGE);
        return SH_STEP_GO;
    }
    if (!builtin)
        *end = run_program(c);
    else if (strcmp(name, "help") == 0)
        *end = cmd_help(c);
    else if (strcmp(name, "echo") == 0)
        *end = cmd_echo(c);
    else if (strcmp(name, "sleep") == 0)
        *end = cmd_sleep(c);
    else if (strcmp(name, "kill") == 0)
        *end = cmd_kill(c);
    else if (strcmp(name, "wait") == 0)
        *end = cmd_wait(c);
    else if (strcmp(name, "jobs") == 0)
        *end = cmd_ps(c, true);
    else if (strcmp(name, "ps") == 0)
        *end = cmd_ps(c, false);
    else if (strcmp(name, "free") == 0)
        *end = cmd_free(c);
    else if (strcmp(name, "poweroff") == 0)
        return cmd_poweroff(c, end);
    else if (strcmp(name, "sh") == 0)
        return cmd_sh(c, end);
    else
        *end = usage("sh: expect: only in a script, before the command it is about");
    return SH_STEP_GO;
}
