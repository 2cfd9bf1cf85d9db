/*
 * mallocmode: tests how a program's malloc mode is chosen at start
 * (akuma/malloc.h): MALLOC= of its environment, else its pin, else the
 * image's default.  Each check prints AKTEST PASS or FAIL with its name.
 *
 *   mallocmode report   prints "malloc-mode: MODE (FROM)" and exits with
 *                       10 * mode + from (AK_PM_MALLOC_*, AK_MALLOC_FROM_*);
 *                       allocates nothing, so it runs without a vmm
 *   mallocmode alloc [MODE]
 *                       the same, then checks that blocks behave as that
 *                       mode's do (needs a vmm): page mode gives each
 *                       block a page-aligned mapping of its own, chunk mode
 *                       packs small blocks into one 64 KiB chunk; with
 *                       MODE, exits 0 if MODE ("page", "chunk") is the
 *                       mode chosen, else 1
 *   mallocmode spawn    spawns itself and pinned-chunk (pinned) through
 *                       init with each environment and checks what each
 *                       child chose, and that init's list() reports the
 *                       same mode for it (malloc-mode-env-*)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/procmgr.h>
#include <akuma/malloc.h>
#include <idl/proc_client.h>

#define SLOT_INIT 1u
#define PRIO      100u   /* its priority in the manifest */
#define PAGE      ((uintptr_t)4096)
#define CHUNK     ((uintptr_t)65536)
#define BLOCKS    ((uintptr_t)8)

static int code(ak_malloc_mode_t m)
{
    return 10 * m.mode + m.from;
}

static int report(void)
{
    ak_malloc_mode_t m = ak_malloc_mode();
    printf("malloc-mode: %s (%s)\n", ak_malloc_mode_name(m.mode), ak_malloc_from_name(m.from));
    return code(m);
}

/* Whether BLOCKS small blocks are laid out as mode m lays them out. */
static bool blocks_behave(ak_malloc_mode_t m)
{
    char *b[BLOCKS];
    size_t got = 0;
    while (got < BLOCKS && (b[got] = malloc(24)) != NULL) {
        memset(b[got], (int)got, 24);
        got++;
    }
    ak_malloc_stats_t st;
    ak_malloc_stats(&st);
    uintptr_t a[BLOCKS];
    for (size_t i = 0; i < got; i++) {
        a[i] = (uintptr_t)b[i];
        free(b[i]);
    }
    if (got != BLOCKS || st.live_blocks != BLOCKS)
        return false;
    uintptr_t lo = a[0], hi = a[0];
    bool aligned = true;
    for (size_t i = 0; i < BLOCKS; i++) {
        aligned = aligned && a[i] % PAGE == 0;
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    if (m.mode == AK_PM_MALLOC_PAGE)   /* a mapping each: page-aligned, at least a page apart */
        return aligned && hi - lo >= (BLOCKS - 1) * PAGE && st.kernel_bytes_in >= BLOCKS * PAGE;
    return !aligned && hi - lo < CHUNK && st.kernel_bytes_in <= 2 * CHUNK;
}

/* A strs block of the words of s (space-separated), NUL-terminated end to end; its length. */
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

static unsigned failures;

/* The malloc mode init's list() reports for pid (listed until it is waited for); 255 if not listed. */
static uint8_t listed_mode(uint32_t pid)
{
    proc_entry_t e[AK_PM_LIST_MAX];
    uint32_t from = pid, next = 0;
    uint64_t n = 0;
    if (proc_list(SLOT_INIT, from, &next, e, &n) != 0)
        return 255;
    for (uint64_t i = 0; i < n; i++)
        if (e[i].pid == pid)
            return e[i].malloc_mode;
    return 255;
}

/* Spawns program with env (no vmm: it allocates nothing) and checks its exit status is want. */
static void check_child(const char *name, const char *program, const char *env, int want)
{
    static char a[16], e[AK_PM_ENV_MAX];
    uint64_t alen = strs(a, sizeof a, "report"), elen = strs(e, sizeof e, env);
    uint32_t pid = 0;
    uint8_t state = 0, why = 0;
    int32_t status = 0;
    int err = proc_spawn(SLOT_INIT, program, a, alen, e, elen, "", PRIO, 0, &pid);
    uint8_t listed = err == 0 ? listed_mode(pid) : 255;  /* init's view: the mode in effect, as ps shows it */
    if (err == 0)
        err = proc_wait(SLOT_INIT, pid, &state, &status, &why);
    if (err == 0 && state == AK_PM_EXITED && status == want && listed == want / 10) {
        printf("AKTEST PASS %s\n", name);
        return;
    }
    printf("AKTEST FAIL %s: %s with \"%s\": error %d, state %u, status %d, want %d, listed mode %u\n", name,
           program, env, err, state, (int)status, want, listed);
    failures++;
}

static int spawn_tests(void)
{
    const int page_env = 10 * AK_PM_MALLOC_PAGE + AK_MALLOC_FROM_ENV;
    const int chunk_env = 10 * AK_PM_MALLOC_CHUNK + AK_MALLOC_FROM_ENV;
    const int page_default = 10 * AK_PM_MALLOC_PAGE + AK_MALLOC_FROM_DEFAULT;
    const int chunk_pin = 10 * AK_PM_MALLOC_CHUNK + AK_MALLOC_FROM_PIN;
    /* The environment beats the default and the pin, among other variables. */
    check_child("malloc-mode-env-chunk", "mallocmode", "MALLOC=chunk", chunk_env);
    check_child("malloc-mode-env-page", "pinned-chunk", "MALLOC=page", page_env);
    check_child("malloc-mode-env-among", "mallocmode", "MALLO=page OTHER=1 MALLOC=chunk MALLOCX=page", chunk_env);
    /* Without it, the pin, else the default. */
    check_child("malloc-mode-env-none-default", "mallocmode", "OTHER=1", page_default);
    check_child("malloc-mode-env-none-pin", "pinned-chunk", "", chunk_pin);
    /* A value that names no mode is ignored (with a line saying so). */
    check_child("malloc-mode-env-bad", "mallocmode", "MALLOC=Chunk", page_default);
    check_child("malloc-mode-env-empty", "pinned-chunk", "MALLOC=", chunk_pin);
    check_child("malloc-mode-env-suffix", "mallocmode", "MALLOC=chunky", page_default);
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "report";
    if (strcmp(what, "spawn") == 0)
        return spawn_tests();
    int status = report();
    if (strcmp(what, "alloc") == 0) {
        bool ok = blocks_behave(ak_malloc_mode());
        printf("malloc-mode: blocks %s as %s mode's\n", ok ? "behave" : "DO NOT behave",
               ak_malloc_mode_name(ak_malloc_mode().mode));
        if (!ok)
            return 1;
        if (argc > 2)
            return strcmp(argv[2], ak_malloc_mode_name(ak_malloc_mode().mode)) == 0 ? 0 : 1;
    }
    return status;
}
