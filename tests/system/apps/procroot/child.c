/*
 * Building, starting, waiting for and destroying procroot's children (see
 * child.h).  Frames come from a pool procroot keeps over the start of its
 * physical memory; a child's frames go back to it once the child is gone,
 * so that a long run of children proves the kernel gave every one back.
 */
#include "child.h"

#include <string.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/notif.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

#define POOL_FRAMES 512u
#define CODE_VA     AK_USER_IMAGE_MIN
/* procroot's window for writing a frame before it hands it out. */
#define SCRATCH_VA  (AK_USER_MMAP_MAX - AK_PAGE_SIZE)

static uint64_t pool[POOL_FRAMES];
static unsigned npool;

unsigned frames_free(void)
{
    return npool;
}

uint64_t frame_alloc(void)
{
    return npool ? pool[--npool] : 0;
}

void frame_free(uint64_t pa)
{
    if (pa && npool < POOL_FRAMES)
        pool[npool++] = pa;
}

/* Maps pa at va through aspace_slot, supplying tables from the pool (recorded in c, if any). */
static int map_with_tables(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot, child_t *c)
{
    for (unsigned tries = 0; tries < 3; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        int rc = aspace_map(aspace_slot, va, pa, prot, &level, &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        uint64_t table = frame_alloc();
        if (!table || (c && c->nframes == CHILD_MAX_FRAMES))
            return -AK_ENOMEM;
        rc = aspace_table(aspace_slot, table_va, level, table);
        if (rc != 0) {
            frame_free(table);
            return rc;
        }
        if (c)
            c->frames[c->nframes++] = table;
    }
    return -AK_EIO;
}

int map_with_tables_dev(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot, uint32_t device_slot)
{
    if (device_slot == AK_NO_SLOT)
        return map_with_tables(aspace_slot, va, pa, prot, NULL);
    for (unsigned tries = 0; tries < 3; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        int rc = aspace_map_device(aspace_slot, va, device_slot, prot, &level, &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        uint64_t table = frame_alloc();
        if (!table)
            return -AK_ENOMEM;
        if ((rc = aspace_table(aspace_slot, table_va, level, table)) != 0)
            return rc;
    }
    return -AK_EIO;
}

/* Writes n bytes of data into frame pa (the rest zero) through the scratch window. */
static int fill_frame(uint64_t pa, const void *data, size_t n)
{
    int rc = map_with_tables(SLOT_SELF, SCRATCH_VA, pa, AK_PROT_READ | AK_PROT_WRITE, NULL);
    if (rc)
        return rc;
    memset((void *)SCRATCH_VA, 0, AK_PAGE_SIZE);
    memcpy((void *)SCRATCH_VA, data, n);
    return aspace_unmap(SLOT_SELF, SCRATCH_VA, 1);
}

bool child_init(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    if (bi->nmems == 0)
        return false;
    uint64_t base = bi->mems[0].base;
    for (unsigned i = 0; i < POOL_FRAMES; i++)
        pool[i] = base + (uint64_t)(POOL_FRAMES - 1 - i) * AK_PAGE_SIZE;
    npool = POOL_FRAMES;
    /* The window's tables come from the pool once and stay. */
    uint64_t probe = frame_alloc();
    bool ok = fill_frame(probe, "", 0) == 0;
    frame_free(probe);
    return ok;
}

/* A64 encodings. */
#define MOVZ_X(rd, imm16) (UINT32_C(0xD2800000) | ((uint32_t)(imm16) << 5) | (rd))
#define SVC0              UINT32_C(0xD4000001)
#define B_SELF            UINT32_C(0x14000000)
#define LDR_X0_X1         UINT32_C(0xF9400020)            /* ldr x0, [x1] */
#define LSR_X0_X1_12      UINT32_C(0xD34CFC20)            /* lsr x0, x1, #12: a reply's label */
#define MOVK_X_16(rd, imm16) (UINT32_C(0xF2A00000) | ((uint32_t)(imm16) << 5) | (rd))
#define SUBS_X10_1        UINT32_C(0xF100054A)            /* subs x10, x10, #1 */
#define B_NE(off)         (UINT32_C(0x54000001) | (((uint32_t)(off) & 0x7ffffu) << 5))
#define B_BACK(n)         (UINT32_C(0x14000000) | ((uint32_t)(-(int32_t)(n)) & 0x3ffffffu))

/* The machine code of kind with arg, into code[]; returns the number of instructions. */
static unsigned child_code(child_kind_t kind, uint64_t arg, uint32_t code[16])
{
    unsigned n = 0;
    switch (kind) {
    case CHILD_EXIT:
        code[n++] = MOVZ_X(0, arg & 0xffff);
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_RECV:
        code[n++] = MOVZ_X(0, arg);
        code[n++] = MOVZ_X(1, 0);
        code[n++] = MOVZ_X(7, AK_SYS_RECV);
        code[n++] = SVC0;
        code[n++] = B_SELF;
        break;
    case CHILD_CALL:
        code[n++] = MOVZ_X(0, arg);
        code[n++] = MOVZ_X(1, 7u << 12);      /* label 7, no words */
        code[n++] = MOVZ_X(7, AK_SYS_CALL);
        code[n++] = SVC0;
        /* x0 < 0: the call failed, exit with the error; else with the reply's label. */
        code[n++] = UINT32_C(0xB7F80040);       /* tbnz x0, #63, +8 */
        code[n++] = LSR_X0_X1_12;
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_SERVE:
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(1, 0);
        code[n++] = MOVZ_X(7, AK_SYS_RECV);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 2);
        code[n++] = MOVZ_X(1, 0);
        code[n++] = MOVZ_X(7, AK_SYS_CALL);
        code[n++] = SVC0;
        code[n++] = B_SELF;
        break;
    case CHILD_FAULT:
        code[n++] = MOVZ_X(1, arg & 0xffff);
        code[n++] = MOVK_X_16(1, (arg >> 16) & 0xffff);
        code[n++] = LDR_X0_X1;
        code[n++] = B_SELF;
        break;
    case CHILD_SPIN:
        code[n++] = B_SELF;
        break;
    case CHILD_SIGNAL:
        code[n++] = MOVZ_X(10, arg & 0xffff);
        code[n++] = MOVZ_X(0, 1);                 /* loop: */
        code[n++] = MOVZ_X(7, AK_SYS_SIGNAL);
        code[n++] = SVC0;
        code[n++] = SUBS_X10_1;
        code[n++] = B_NE(-4);
        code[n++] = MOVZ_X(0, 0);
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_WAIT:
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(1, arg & 0xffff);
        code[n++] = MOVZ_X(7, AK_SYS_WAIT);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_PINGPONG:
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(1, 0);
        code[n++] = MOVZ_X(7, AK_SYS_WAIT);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 2);                 /* loop: signal_wait(2, 1) */
        code[n++] = MOVZ_X(1, 1);
        code[n++] = MOVZ_X(7, AK_SYS_SIGNAL_WAIT);
        code[n++] = SVC0;
        code[n++] = B_BACK(4);
        break;
    case CHILD_SLEEP_SIGNAL:
        code[n++] = MOVZ_X(0, arg & 0xffff);
        code[n++] = MOVZ_X(7, AK_SYS_SLEEP);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(7, AK_SYS_SIGNAL);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 0);
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_SAVE_EXIT:
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(1, 0);
        code[n++] = MOVZ_X(7, AK_SYS_RECV);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 5);
        code[n++] = MOVZ_X(7, AK_SYS_SAVE_REPLY);
        code[n++] = SVC0;
        code[n++] = MOVZ_X(0, 0);
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    case CHILD_CALL_NOTIFY:
        code[n++] = MOVZ_X(0, 1);
        code[n++] = MOVZ_X(1, (AK_NOTIFY_LABEL << 12) & 0xffff);
        code[n++] = MOVK_X_16(1, (AK_NOTIFY_LABEL << 12) >> 16);
        code[n++] = MOVZ_X(7, AK_SYS_CALL);
        code[n++] = SVC0;
        code[n++] = UINT32_C(0xB7F80040);       /* tbnz x0, #63, +8 */
        code[n++] = LSR_X0_X1_12;
        code[n++] = MOVZ_X(7, AK_SYS_EXIT);
        code[n++] = SVC0;
        break;
    }
    return n;
}

/* A free slot of procroot's own table at or above SLOT_FIRST_FREE (a query by use). */
static uint32_t slots_used[AK_CAP_SLOTS / 32];

static uint32_t slot_take(void)
{
    for (uint32_t s = SLOT_FIRST_FREE; s < AK_CAP_SLOTS; s++)
        if (!(slots_used[s / 32] & (1u << (s % 32)))) {
            slots_used[s / 32] |= 1u << (s % 32);
            return s;
        }
    return AK_NO_SLOT;
}

static void slot_give(uint32_t s)
{
    if (s < AK_CAP_SLOTS)
        slots_used[s / 32] &= ~(1u << (s % 32));
}

static uint64_t name_word(const char *name, unsigned i)
{
    char buf[AK_NAME_MAX] = { 0 };
    size_t n = strlen(name);
    memcpy(buf, name, n < AK_NAME_MAX - 1 ? n : AK_NAME_MAX - 1);
    uint64_t w;
    memcpy(&w, buf + sizeof w * (size_t)i, sizeof w);
    return w;
}

void child_release(child_t *c)
{
    for (unsigned i = 0; i < c->nframes; i++)
        frame_free(c->frames[i]);
    c->nframes = 0;
    if (c->aspace_slot != AK_NO_SLOT) {
        ak_cap_drop(c->aspace_slot);
        slot_give(c->aspace_slot);
        c->aspace_slot = AK_NO_SLOT;
    }
    if (c->proc_slot != AK_NO_SLOT) {
        slot_give(c->proc_slot);
        c->proc_slot = AK_NO_SLOT;
    }
}

/* One more fresh frame for c, recorded; 0 if the pool or the record is full. */
static uint64_t child_frame(child_t *c)
{
    if (c->nframes == CHILD_MAX_FRAMES)
        return 0;
    uint64_t pa = frame_alloc();
    if (pa)
        c->frames[c->nframes++] = pa;
    return pa;
}

int child_create(child_t *c, child_kind_t kind, uint64_t arg, unsigned prio, const char *name)
{
    memset(c, 0, sizeof *c);
    c->proc_slot = slot_take();
    c->aspace_slot = AK_NO_SLOT;
    uint64_t root = child_frame(c);
    if (!root || c->proc_slot == AK_NO_SLOT)
        goto fail_early;
    int rc = procctl_create(SLOT_PROCCTL, c->proc_slot, root, (uint8_t)prio, SLOT_EP, &c->pid);
    if (rc)
        goto fail_rc;
    c->aspace_slot = slot_take();
    rc = process_aspace(c->proc_slot, c->aspace_slot);
    if (rc)
        goto fail_rc;
    uint32_t code[16];
    unsigned n = child_code(kind, arg, code);
    uint64_t code_pa = child_frame(c), bi_pa = child_frame(c), buf_pa = child_frame(c);
    if (!code_pa || !bi_pa || !buf_pa)
        goto fail_nomem;
    ak_bootinfo_t bi;
    memset(&bi, 0, sizeof bi);
    bi.magic = AK_BOOTINFO_MAGIC;
    bi.version = AK_BOOTINFO_VERSION;
    bi.pid = c->pid;
    memcpy(bi.name, name, strnlen(name, AK_NAME_MAX - 1));
    if ((rc = fill_frame(code_pa, code, n * sizeof code[0])) ||
        (rc = fill_frame(bi_pa, &bi, sizeof bi)) || (rc = fill_frame(buf_pa, "", 0)) ||
        (rc = map_with_tables(c->aspace_slot, CODE_VA, code_pa, AK_PROT_READ | AK_PROT_EXEC, c)) ||
        (rc = map_with_tables(c->aspace_slot, AK_BOOTINFO_VA, bi_pa, AK_PROT_READ, c)) ||
        (rc = map_with_tables(c->aspace_slot, AK_IPCBUF_VA, buf_pa, AK_PROT_READ | AK_PROT_WRITE, c)))
        goto fail_rc;
    rc = process_configure(c->proc_slot, CODE_VA, 0, name_word(name, 0), name_word(name, 1));
    if (rc)
        goto fail_rc;
    /* Built: procroot, its pager, needs the address space no more (a pager would keep it). */
    ak_cap_drop(c->aspace_slot);
    slot_give(c->aspace_slot);
    c->aspace_slot = AK_NO_SLOT;
    return 0;
fail_nomem:
    rc = -AK_ENOMEM;
fail_rc:
    if (c->pid)
        process_destroy(c->proc_slot);
    child_release(c);
    return rc;
fail_early:
    child_release(c);
    return -AK_ENOMEM;
}

int root_recv(uint64_t *label, uint64_t *badge, uint64_t w[4])
{
    ak_msg_t m = { 0 };
    int64_t rc = ak_ipc_recv(SLOT_EP, &m);
    if (rc < 0)
        return (int)rc;
    *badge = (uint64_t)rc;
    *label = ak_msginfo_label(m.info);
    for (unsigned i = 0; i < 4; i++)
        w[i] = m.w[i];
    return 0;
}

int root_reply(uint64_t label)
{
    ak_msg_t m = { .info = ak_msginfo(label, 0) };
    return (int)ak_ipc_reply(&m);
}

int child_start(child_t *c)
{
    int rc = process_start(c->proc_slot);
    if (rc)
        return rc;
    uint64_t label, badge, w[4];
    if ((rc = root_recv(&label, &badge, w)))
        return rc;
    if (label != AK_PAGER_START || badge != (c->pid | AK_PAGER_BADGE_BIT) || w[AK_START_W_PID] != c->pid)
        return -AK_EBADMSG;
    return root_reply(0);
}

int child_wait(const child_t *c, uint64_t *status)
{
    for (;;) {
        uint64_t label, badge, w[4];
        int rc = root_recv(&label, &badge, w);
        if (rc)
            return rc;
        if (label == AK_PAGER_EXIT && badge == (c->pid | AK_PAGER_BADGE_BIT)) {
            *status = w[AK_EXIT_W_STATUS];
            return root_reply(0);
        }
        if (!(badge & AK_PAGER_BADGE_BIT))
            return -AK_EBADMSG; /* a child's own call: the tests wait for those themselves */
        if ((rc = root_reply(0)))
            return rc;
    }
}

int child_destroy(child_t *c)
{
    int rc = process_destroy(c->proc_slot);
    slot_give(c->proc_slot);
    c->proc_slot = AK_NO_SLOT;
    return rc;
}
