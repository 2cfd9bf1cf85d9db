/*
 * mempager: the pager and memory server of the mem-pager image
 * (tests/system/idl/memtest.idl).  It holds the physical-memory capability
 * and an address-space capability for every program, itself included, and
 * receives both its clients' requests and the kernel's START, FAULT and EXIT
 * messages on one endpoint, decoded by the generated memtest_dispatch.
 *
 * Identity: a request's client is the process whose badge on the endpoint
 * the boot-info page lists; a kernel message's process is the pid in its
 * badge, which carries AK_PAGER_BADGE_BIT.  A handler of a kernel message
 * that ever sees a badge without the bit counts a forgery (the dispatch
 * must make that impossible).
 *
 * Fault policy: a read or write fault on an unmapped page of the mmap area
 * gets a fresh zeroed read-write page, an exec fault there a read-execute
 * page whose code returns STUB_RESULT; any other fault (outside the mmap
 * area, or on a page that is mapped: a permission fault) is refused, which
 * kills the process.
 *
 * Frames come from a bump allocator over the physical memory in the
 * boot-info page and are never handed out twice, except by reclaim, which
 * reuses on purpose the frames of the program named by argv[1] after its
 * EXIT was answered.  Before answering that EXIT, the pager checks that
 * each of those frames is still busy for the kernel (mem-reclaim-busy).
 * When the program named by argv[2] ends, the pager checks that its EXIT
 * says it was killed (mem-exit-killed).
 *
 * Slot 1: the endpoint it receives on.  The others (physical memory,
 * address spaces) are found through the boot-info page.  Without an
 * address-space capability for itself it cannot write a frame, so it
 * refuses every fault and request that needs a fresh page.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>
#include <idl/memtest_server.h>

#define SLOT_EP 1

#define MAX_CLIENTS  AK_BOOTINFO_PROCS
#define MAX_MAPPINGS 16u
#define MAX_TABLES   16u
#define PAGE_WORDS   (AK_PAGE_SIZE / sizeof(uint64_t))

/* The pager's own window for writing a frame before handing it out. */
#define SCRATCH_VA (AK_USER_MMAP_MAX - AK_PAGE_SIZE)
/* A page of the pager's that never has a table: where busy frames are offered as tables. */
#define BUSY_PROBE_VA (AK_USER_MMAP_MIN + UINT64_C(0x01000000))

/* The code page of an exec fault: `movz w0, #STUB_RESULT; ret`; the rest is zero (udf). */
#define STUB_RESULT        42u
#define A64_MOVZ_W0(imm16) (UINT32_C(0x52800000) | ((uint32_t)(imm16) << 5))
#define A64_RET            UINT32_C(0xD65F03C0)

/* A page the pager mapped for a client. */
typedef struct mapping {
    uint64_t va;
    uint64_t pa;
} mapping_t;

/* What the pager knows of one process. */
typedef struct client {
    uint32_t pid;
    uint32_t aspace_slot;   /* UINT32_MAX if the pager has no capability for it */
    uint64_t badge;         /* its badge on SLOT_EP, 0 if it has none */
    const char *name;       /* in the boot-info page */
    uint64_t faults;        /* FAULT messages received */
    uint64_t far, esr, elr; /* the last of them */
    mapping_t maps[MAX_MAPPINGS];
    uint64_t tables[MAX_TABLES]; /* frames supplied as its translation tables, in order */
    unsigned nmaps;
    unsigned ntables;
    uint8_t access;
    bool ended;             /* its EXIT was handled (and so answered before the next message) */
    bool reclaimed;         /* its frames were handed to another client */
} client_t;

static client_t clients[MAX_CLIENTS];
static unsigned nclients;
static client_t *self;
static uint64_t next_frame, frames_end;
static uint64_t forged_handled;
static const char *reclaim_name; /* argv[1]: whose frames come back (may be NULL) */
static const char *killed_name;  /* argv[2]: who is expected to be killed (may be NULL) */

static client_t *client_by_pid(uint64_t pid)
{
    for (unsigned i = 0; i < nclients; i++)
        if (clients[i].pid == pid)
            return &clients[i];
    return NULL;
}

static client_t *client_by_name(const char *name)
{
    for (unsigned i = 0; name && i < nclients; i++)
        if (strcmp(clients[i].name, name) == 0)
            return &clients[i];
    return NULL;
}

/* The sender of a request, by its badge; NULL for an unknown badge. */
static client_t *request_client(uint64_t badge)
{
    for (unsigned i = 0; badge != 0 && i < nclients; i++)
        if (clients[i].badge == badge && clients[i].aspace_slot != UINT32_MAX)
            return &clients[i];
    return NULL;
}

/* The process a kernel message speaks for; counts a badge without the kernel's bit. */
static client_t *kernel_client(uint64_t badge)
{
    if (!(badge & AK_PAGER_BADGE_BIT)) {
        forged_handled++;
        return NULL;
    }
    client_t *c = client_by_pid(badge & ~AK_PAGER_BADGE_BIT);
    return c && c->aspace_slot != UINT32_MAX ? c : NULL;
}

/* A frame never handed out before, or 0 when there is none left. */
static uint64_t frame_alloc(void)
{
    if (next_frame >= frames_end)
        return 0;
    uint64_t pa = next_frame;
    next_frame += AK_PAGE_SIZE;
    return pa;
}

/*
 * Maps pa at va in c's address space, supplying fresh frames as the
 * tables the kernel asks for (recorded in c); *tables counts them.
 * Returns 0 or the kernel's error.
 */
static int map_into(client_t *c, uint64_t va, uint64_t pa, uint32_t prot, uint64_t *tables)
{
    for (unsigned tries = 0; tries < 3; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        int rc = aspace_map(c->aspace_slot, va, pa, prot, &level, &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        uint64_t table = frame_alloc();
        if (table == 0 || c->ntables == MAX_TABLES)
            return -AK_ENOMEM;
        rc = aspace_table(c->aspace_slot, table_va, level, table);
        if (rc != 0)
            return rc;
        c->tables[c->ntables++] = table;
        if (tables)
            ++*tables;
    }
    return -AK_EIO; /* the kernel kept asking for tables */
}

/* Maps pa at SCRATCH_VA in the pager, so that it can write it; NULL on error. */
static uint64_t *scratch_map(uint64_t pa)
{
    if (!self)
        return NULL;
    int rc = map_into(self, SCRATCH_VA, pa, AK_PROT_READ | AK_PROT_WRITE, NULL);
    if (rc != 0) {
        printf("mempager: cannot map frame 0x%lx into itself: error %d\n", (unsigned long)pa, rc);
        return NULL;
    }
    return (uint64_t *)(uintptr_t)SCRATCH_VA;
}

static void scratch_unmap(void)
{
    int rc = aspace_unmap(self->aspace_slot, SCRATCH_VA, 1);
    if (rc != 0)
        printf("mempager: cannot unmap its scratch page: error %d\n", rc);
}

/* Stores first + i * step in word i of the frame at pa.  Returns 0 or an error. */
static int frame_write(uint64_t pa, uint64_t first, uint64_t step)
{
    volatile uint64_t *w = scratch_map(pa);
    if (!w)
        return -AK_EIO;
    for (unsigned i = 0; i < PAGE_WORDS; i++)
        w[i] = first + i * step;
    scratch_unmap();
    return 0;
}

/* The page memtest's map_pattern promises: pattern + i in word i. */
static int frame_fill(uint64_t pa, uint64_t pattern)
{
    return frame_write(pa, pattern, 1);
}

static int frame_zero(uint64_t pa)
{
    return frame_write(pa, 0, 0);
}

/* Zeroes the frame at pa and writes the exec-fault stub at its start.  Returns 0 or an error. */
static int frame_fill_stub(uint64_t pa)
{
    volatile uint32_t *code = (volatile uint32_t *)scratch_map(pa);
    if (!code)
        return -AK_EIO;
    for (unsigned i = 0; i < AK_PAGE_SIZE / sizeof(uint32_t); i++)
        code[i] = 0;
    code[0] = A64_MOVZ_W0(STUB_RESULT);
    code[1] = A64_RET;
    scratch_unmap();
    return 0;
}

/* Records that pa is mapped at va for c (the record is advisory: full is not an error). */
static void record_mapping(client_t *c, uint64_t va, uint64_t pa)
{
    if (c->nmaps < MAX_MAPPINGS)
        c->maps[c->nmaps++] = (mapping_t){ va, pa };
}

static int on_map_pattern(void *ctx, uint64_t badge, uint64_t va, uint64_t pattern, uint32_t prot,
                          uint64_t *out_tables)
{
    (void)ctx;
    client_t *c = request_client(badge);
    if (!c)
        return -AK_EPERM;
    uint64_t pa = frame_alloc();
    if (pa == 0)
        return -AK_ENOMEM;
    int rc = frame_fill(pa, pattern);
    if (rc == 0)
        rc = map_into(c, va, pa, prot, out_tables);
    if (rc == 0)
        record_mapping(c, va, pa);
    return rc;
}

static int on_unmap(void *ctx, uint64_t badge, uint64_t va, uint64_t npages)
{
    (void)ctx;
    client_t *c = request_client(badge);
    if (!c)
        return -AK_EPERM;
    int rc = aspace_unmap(c->aspace_slot, va, npages);
    if (rc != 0)
        return rc;
    for (unsigned i = 0; i < c->nmaps;) {
        if (c->maps[i].va - va < npages * AK_PAGE_SIZE)
            c->maps[i] = c->maps[--c->nmaps];
        else
            i++;
    }
    return 0;
}

static int on_last_fault(void *ctx, uint64_t badge, uint64_t *out_far, uint64_t *out_esr,
                         uint64_t *out_elr, uint8_t *out_access, uint64_t *out_count)
{
    (void)ctx;
    const client_t *c = request_client(badge);
    if (!c)
        return -AK_EPERM;
    *out_far = c->far;
    *out_esr = c->esr;
    *out_elr = c->elr;
    *out_access = c->access;
    *out_count = c->faults;
    return 0;
}

/* Prints why a reclaim step failed and passes its error on. */
static int reclaim_step(const char *what, uint64_t pa, int rc)
{
    if (rc != 0)
        printf("mempager: reclaim: %s (frame 0x%lx): error %d\n", what, (unsigned long)pa, rc);
    return rc;
}

/* Fills the frame at pa with pattern and maps it read-only at va in c; no table may be missing. */
static int reclaim_map(client_t *c, uint64_t va, uint64_t pa, uint64_t pattern)
{
    int rc = frame_fill(pa, pattern);
    if (rc != 0)
        return rc;
    uint8_t level;
    uint64_t table_va;
    rc = aspace_map(c->aspace_slot, va, pa, AK_PROT_READ, &level, &table_va);
    if (rc == 0)
        record_mapping(c, va, pa);
    return rc;
}

static int on_reclaim(void *ctx, uint64_t badge, uint64_t low, uint64_t high, uint64_t pattern)
{
    (void)ctx;
    client_t *c = request_client(badge);
    client_t *v = client_by_name(reclaim_name);
    if (!c)
        return -AK_EPERM;
    if (!v)
        return -AK_ESRCH;
    if (!v->ended)
        return -AK_EAGAIN;
    if (v->reclaimed || v->nmaps != 2 || v->ntables != 3) {
        printf("mempager: reclaim: %s held %u mappings and %u tables (want 2 and 3)%s\n", v->name,
               v->nmaps, v->ntables, v->reclaimed ? ", already reclaimed" : "");
        return -AK_EIO;
    }
    v->reclaimed = true;
    uint64_t pa;
    uint32_t prot;
    int rc = aspace_query(v->aspace_slot, v->maps[0].va, &pa, &prot);
    if (rc != -AK_ESRCH) {
        printf("mempager: reclaim: query of %s's destroyed address space returned %d, want %d\n",
               v->name, rc, -AK_ESRCH);
        return -AK_EIO;
    }
    /* A mapped frame cannot become a table, nor a table frame be mapped: each step proves a
       frame FREE. */
    rc = reclaim_step("data frame as level-3 table", v->maps[0].pa,
                      aspace_table(c->aspace_slot, low, 3, v->maps[0].pa));
    if (rc == 0)
        rc = reclaim_step("data frame as level-2 table", v->maps[1].pa,
                          aspace_table(c->aspace_slot, high, 2, v->maps[1].pa));
    if (rc == 0)
        rc = reclaim_step("table frame as level-3 table", v->tables[0],
                          aspace_table(c->aspace_slot, high, 3, v->tables[0]));
    if (rc == 0)
        rc = reclaim_step("table frame mapped", v->tables[1],
                          reclaim_map(c, low, v->tables[1], pattern));
    if (rc == 0)
        rc = reclaim_step("table frame mapped", v->tables[2],
                          reclaim_map(c, high, v->tables[2], pattern));
    return rc;
}

static int on_forgeries(void *ctx, uint64_t badge, uint64_t *out_handled)
{
    (void)ctx;
    (void)badge;
    *out_handled = forged_handled;
    return 0;
}

static int on_start(void *ctx, uint64_t badge, uint32_t pid)
{
    (void)ctx;
    const client_t *c = kernel_client(badge);
    return c && c->pid == pid ? 0 : -AK_ESRCH;
}

static int on_fault(void *ctx, uint64_t badge, uint64_t far, uint64_t esr, uint64_t elr,
                    uint8_t access)
{
    (void)ctx;
    client_t *c = kernel_client(badge);
    if (!c)
        return -AK_ESRCH;
    c->faults++;
    c->far = far;
    c->esr = esr;
    c->elr = elr;
    c->access = access;

    uint64_t page = far & ~(AK_PAGE_SIZE - 1);
    if (page < AK_USER_MMAP_MIN || page >= AK_USER_MMAP_MAX)
        return -AK_EFAULT;
    if (access != AK_ACCESS_READ && access != AK_ACCESS_WRITE && access != AK_ACCESS_EXEC)
        return -AK_EFAULT;
    uint64_t mapped_pa;
    uint32_t mapped_prot;
    if (aspace_query(c->aspace_slot, page, &mapped_pa, &mapped_prot) == 0)
        return -AK_EACCES; /* a permission fault: refused */

    uint64_t pa = frame_alloc();
    if (pa == 0)
        return -AK_ENOMEM;
    bool exec = access == AK_ACCESS_EXEC;
    int rc = exec ? frame_fill_stub(pa) : frame_zero(pa);
    if (rc == 0)
        rc = map_into(c, page, pa,
                      exec ? AK_PROT_READ | AK_PROT_EXEC : AK_PROT_READ | AK_PROT_WRITE, NULL);
    if (rc == 0)
        record_mapping(c, page, pa);
    return rc;
}

/*
 * mem-reclaim-busy: while c's EXIT is unanswered its address space lives,
 * so every frame the pager gave it is still mapped or a table: the kernel
 * must refuse to make a mapped frame a table or to map a table frame.
 */
static void check_busy_before_exit(const client_t *c, uint64_t status)
{
    if (status != 0) {
        printf("AKTEST FAIL mem-reclaim-busy: %s ended with status 0x%lx, want 0\n", c->name,
               (unsigned long)status);
        return;
    }
    if (!self || c->nmaps != 2 || c->ntables != 3) {
        printf("AKTEST FAIL mem-reclaim-busy: %s holds %u mappings and %u tables, want 2 and 3\n",
               c->name, c->nmaps, c->ntables);
        return;
    }
    for (unsigned i = 0; i < c->nmaps; i++) {
        uint64_t pa = 0;
        uint32_t prot;
        int rc = aspace_query(c->aspace_slot, c->maps[i].va, &pa, &prot);
        if (rc != 0 || pa != c->maps[i].pa) {
            printf("AKTEST FAIL mem-reclaim-busy: before the EXIT answer, query of 0x%lx returned "
                   "%d, frame 0x%lx (want 0, frame 0x%lx)\n",
                   (unsigned long)c->maps[i].va, rc, (unsigned long)pa,
                   (unsigned long)c->maps[i].pa);
            return;
        }
        rc = aspace_table(self->aspace_slot, BUSY_PROBE_VA, 3, c->maps[i].pa);
        if (rc != -AK_EBUSY) {
            printf("AKTEST FAIL mem-reclaim-busy: mapped frame 0x%lx as a table: %d, not EBUSY\n",
                   (unsigned long)c->maps[i].pa, rc);
            return;
        }
    }
    for (unsigned i = 0; i < c->ntables; i++) {
        uint8_t level;
        uint64_t table_va;
        int rc = aspace_map(self->aspace_slot, SCRATCH_VA, c->tables[i], AK_PROT_READ, &level,
                            &table_va);
        if (rc != -AK_EBUSY) {
            if (rc == 0)
                scratch_unmap();
            printf("AKTEST FAIL mem-reclaim-busy: table frame 0x%lx mapped: %d, not EBUSY\n",
                   (unsigned long)c->tables[i], rc);
            return;
        }
    }
    printf("AKTEST PASS mem-reclaim-busy\n");
}

static int on_exit(void *ctx, uint64_t badge, uint32_t pid, uint64_t status)
{
    (void)ctx;
    client_t *c = kernel_client(badge);
    if (!c || c->pid != pid)
        return -AK_ESRCH; /* the kernel destroys the process whatever the answer */
    if (killed_name && strcmp(c->name, killed_name) == 0) {
        if (status == AK_EXIT_KILLED)
            printf("AKTEST PASS mem-exit-killed\n");
        else
            printf("AKTEST FAIL mem-exit-killed: EXIT of %s has status 0x%lx, not killed\n",
                   c->name, (unsigned long)status);
    }
    if (reclaim_name && strcmp(c->name, reclaim_name) == 0)
        check_busy_before_exit(c, status);
    c->ended = true;
    return 0;
}

static const memtest_handlers_t handlers = {
    .map_pattern = on_map_pattern,
    .unmap = on_unmap,
    .last_fault = on_last_fault,
    .reclaim = on_reclaim,
    .forgeries = on_forgeries,
    .start = on_start,
    .fault = on_fault,
    .exit = on_exit,
};

/*
 * Learns its memory and its clients from the boot-info page.  What it
 * lacks (memory, a capability for itself) makes the requests and faults
 * that need it fail, not the pager.
 */
static void setup(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    if (bi->nmems > 0) {
        next_frame = bi->mems[0].base;
        frames_end = bi->mems[0].base + bi->mems[0].size;
    } else {
        printf("mempager: no physical memory: it refuses every fault and request that needs a "
               "frame\n");
    }
    for (unsigned i = 0; i < bi->nprocs && i < MAX_CLIENTS; i++) {
        const ak_bootinfo_proc_t *p = &bi->procs[i];
        clients[nclients++] = (client_t){
            .pid = p->pid,
            .aspace_slot = p->aspace_slot,
            .badge = p->badge,
            .name = p->name,
        };
    }
    self = client_by_pid(bi->pid);
    if (self && self->aspace_slot == UINT32_MAX)
        self = NULL;
    if (!self)
        printf("mempager: no address-space capability for itself: it refuses every fault and "
               "request that needs a fresh page\n");
}

int main(int argc, char **argv)
{
    reclaim_name = argc > 1 ? argv[1] : NULL;
    killed_name = argc > 2 ? argv[2] : NULL;
    setup();
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_EP, &m);
    while (badge >= 0) {
        memtest_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_EP, &m);
    }
    printf("mempager: receive failed: %ld\n", (long)badge);
    return 1;
}
