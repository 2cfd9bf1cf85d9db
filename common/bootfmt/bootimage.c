/*
 * The boot-image parser (see bootimage.h).  It reads the header, then the
 * tables in blob order, and checks each field before anything depends on
 * it: counts before table sizes are formed, a record's holder before its
 * slot is looked up, a program's name before messages quote it.
 *
 * Invariants it relies on: every table length is a count already bounded by
 * its BI_MAX_* times a record size, so it cannot overflow; every other sum
 * of two blob-controlled values is checked before it is formed; records are
 * copied out with memcpy, so the blob may sit at any alignment.
 */
#include <bootfmt/bootimage.h>

#include <stdarg.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/syscall.h>
#include <common/fmt.h>
#include <common/string.h>

/* What a string of the image may contain. */
enum bi_charset {
    BI_CHARS_NAME,       /* [A-Za-z0-9_.-] */
    BI_CHARS_PRINTABLE,  /* ASCII 0x20 .. 0x7e */
};

#define BI_ASCII_FIRST_PRINTABLE 0x20
#define BI_ASCII_LAST_PRINTABLE  0x7e
#define BI_WHERE_MAX             48u   /* "program 15 (<name>)", "cap 127 (<name> slot 31)" */
#define BI_NO_CAP                0xFFu /* bi_ctx_t.slot_cap: slot not filled */

typedef struct bi_ctx {
    const uint8_t *blob;
    uint64_t size;                  /* the header's total_size, within the caller's size */
    const char *strings;
    uint64_t strings_size;
    char *err;
    size_t errlen;
    uint8_t slot_cap[BI_MAX_PROGRAMS][AK_BOOT_CAP_SLOTS]; /* cap index filling a slot, or BI_NO_CAP */
} bi_ctx_t;

_Static_assert(BI_MAX_CAPS <= BI_NO_CAP, "cap indices fit slot_cap");

/* Writes the reason into err (if there is room) and returns -AK_EINVAL. */
static int bi_fail(const bi_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bi_fail(const bi_ctx_t *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    return -AK_EINVAL;
}

static bool bi_char_ok(char ch, enum bi_charset set)
{
    if (set == BI_CHARS_PRINTABLE)
        return ch >= BI_ASCII_FIRST_PRINTABLE && ch <= BI_ASCII_LAST_PRINTABLE;
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '-';
}

/*
 * Finds the string at offset off of the string area: it must end with a
 * NUL inside the area and within max bytes (NUL included), and hold only
 * characters of set; names must not be empty.  where and what describe it
 * for the message ("program 3", "name").
 */
static int bi_string(const bi_ctx_t *c, uint32_t off, size_t max, enum bi_charset set,
                     const char *where, const char *what, const char **out)
{
    if (off >= c->strings_size)
        return bi_fail(c, "%s: %s at string offset 0x%x is outside the string area (0x%lx bytes)",
                       where, what, off, c->strings_size);
    const char *s = c->strings + off;
    uint64_t room = c->strings_size - off;
    size_t limit = room < max ? (size_t)room : max;
    size_t len = strnlen(s, limit);
    if (len == limit) {
        if (limit == max)
            return bi_fail(c, "%s: %s is longer than %zu bytes", where, what, max - 1u);
        return bi_fail(c, "%s: %s at string offset 0x%x is not NUL-terminated", where, what, off);
    }
    if (set == BI_CHARS_NAME && len == 0)
        return bi_fail(c, "%s: %s is empty", where, what);
    for (size_t i = 0; i < len; i++)
        if (!bi_char_ok(s[i], set))
            return bi_fail(c, "%s: %s has a disallowed character (0x%02x) at byte %zu", where,
                           what, (unsigned)(unsigned char)s[i], i);
    *out = s;
    return 0;
}

/*
 * Checks that the region [off, off + len) is BI_ALIGN-aligned, starts at or
 * after lo and ends inside the blob; sets *end to its end.
 */
static int bi_region(const bi_ctx_t *c, const char *where, const char *what, uint64_t off,
                     uint64_t len, uint64_t lo, uint64_t *end)
{
    if (off % BI_ALIGN != 0)
        return bi_fail(c, "%s%s at offset 0x%lx is not %u-byte aligned", where, what, off,
                       BI_ALIGN);
    if (off < lo)
        return bi_fail(c, "%s%s at offset 0x%lx overlaps what precedes it (ends at 0x%lx)", where,
                       what, off, lo);
    if (off > c->size || len > c->size - off)
        return bi_fail(c, "%s%s (offset 0x%lx, 0x%lx bytes) extends past the image (0x%lx bytes)",
                       where, what, off, len, c->size);
    *end = off + len;
    return 0;
}

/*
 * What every reader of the archive does first: copies the header out of
 * the blob of size bytes and checks what it is and how long; sets c->size
 * to its total_size.
 */
static int bi_read_header(bi_ctx_t *c, size_t size, bi_header_t *h)
{
    if (c->err && c->errlen)
        c->err[0] = '\0';
    if (!c->blob || size < sizeof *h)
        return bi_fail(c, "image too short for its header (%zu bytes, want %zu)", size, sizeof *h);
    memcpy(h, c->blob, sizeof *h);
    if (h->magic != BI_MAGIC)
        return bi_fail(c, "bad magic 0x%08x: not a boot image", h->magic);
    if (h->version != BI_VERSION)
        return bi_fail(c, "format version %u, this kernel reads version %u", h->version,
                       BI_VERSION);
    if (h->header_size != sizeof *h)
        return bi_fail(c, "header size %u, want %zu", h->header_size, sizeof *h);
    if (h->flags != 0)
        return bi_fail(c, "unknown flags 0x%x", h->flags);
    if (h->total_size > size)
        return bi_fail(c, "image is truncated: header says 0x%lx bytes, have 0x%zx",
                       h->total_size, size);
    if (h->total_size < sizeof *h)
        return bi_fail(c, "total size 0x%lx is smaller than the header", h->total_size);
    c->size = h->total_size;
    return 0;
}

/*
 * Checks init's ELF region, which must start at or after lo (the end of the
 * string area); sets *end past it (lo when the image has no init).
 */
static int bi_init_region(const bi_ctx_t *c, const bi_header_t *h, uint64_t lo, bool required,
                          uint64_t *end)
{
    if (h->init_size == 0) {
        if (h->init_off != 0 || required)
            return bi_fail(c, "no init ELF file (offset 0x%lx, 0 bytes)", h->init_off);
        *end = lo;
        return 0;
    }
    return bi_region(c, "", "init's ELF file", h->init_off, h->init_size, lo, end);
}

/* The rest of the header, for bootimage_parse: counts, tables, strings, init's region. */
static int bi_header(bi_ctx_t *c, const bi_header_t *h, uint64_t *data_start)
{
    int rc;
    if (h->nprograms == 0)
        return bi_fail(c, "no programs");
    if (h->nprograms > BI_MAX_PROGRAMS)
        return bi_fail(c, "%u programs, at most %u", h->nprograms, BI_MAX_PROGRAMS);
    if (h->nendpoints > BI_MAX_ENDPOINTS)
        return bi_fail(c, "%u endpoints, at most %u", h->nendpoints, BI_MAX_ENDPOINTS);
    if (h->ncaps > BI_MAX_CAPS)
        return bi_fail(c, "%u capabilities, at most %u", h->ncaps, BI_MAX_CAPS);
    if (h->nfiles > BI_MAX_FILES)
        return bi_fail(c, "%u files, at most %u", h->nfiles, BI_MAX_FILES);
    if (h->reserved != 0)
        return bi_fail(c, "reserved header field is 0x%x, want 0", h->reserved);

    uint64_t end = 0;
    rc = bi_region(c, "", "program table", h->programs_off,
                       (uint64_t)h->nprograms * sizeof(bi_program_rec_t), sizeof *h, &end);
    if (!rc)
        rc = bi_region(c, "", "capability table", h->caps_off,
                       (uint64_t)h->ncaps * sizeof(bi_cap_rec_t), end, &end);
    if (!rc)
        rc = bi_region(c, "", "file table", h->files_off,
                       (uint64_t)h->nfiles * sizeof(bi_file_rec_t), end, &end);
    if (!rc)
        rc = bi_region(c, "", "string area", h->strings_off, h->strings_size, end, &end);
    if (!rc)
        rc = bi_init_region(c, h, end, false, data_start);
    if (rc)
        return rc;
    c->strings = (const char *)c->blob + h->strings_off;
    c->strings_size = h->strings_size;
    return 0;
}

/*
 * An ELF file's place in the blob (a program's or a spawnable file's): not
 * empty, aligned, at or after data_start, inside the blob.  Sets *elf and
 * *size; its contents are not decoded here.
 */
static int bi_elf_file(const bi_ctx_t *c, const char *where, uint64_t off, uint64_t size,
                       uint64_t data_start, const uint8_t **elf, size_t *out_size)
{
    if (size == 0)
        return bi_fail(c, "%s: ELF file is empty", where);
    uint64_t end = 0;
    char elf_where[BI_WHERE_MAX + 2];
    fmt_snprintf(elf_where, sizeof elf_where, "%s: ", where);
    int rc = bi_region(c, elf_where, "ELF file", off, size, data_start, &end);
    if (rc)
        return rc;
    *elf = c->blob + off;
    *out_size = (size_t)size;
    return 0;
}

/* An environment string: KEY=VALUE words separated by spaces, no key empty, no quotes. */
static int bi_env(const bi_ctx_t *c, const char *env, const char *where)
{
    size_t word = 0;   /* where the current word starts */
    bool eq = false;
    for (size_t i = 0;; i++) {
        char ch = env[i];
        if (ch == '"')
            return bi_fail(c, "%s: env has a quote at byte %zu (its words are KEY=VALUE, unquoted)", where, i);
        if (ch == ' ' || ch == '\0') {
            if (i > word && !eq)
                return bi_fail(c, "%s: env word at byte %zu is not KEY=VALUE", where, word);
            if (ch == '\0')
                return 0;
            word = i + 1;
            eq = false;
        } else if (ch == '=' && !eq) {
            if (i == word)
                return bi_fail(c, "%s: env word at byte %zu has an empty KEY", where, word);
            eq = true;
        }
    }
}

static int bi_program(bi_ctx_t *c, const bi_program_rec_t *r, uint32_t i, uint32_t nendpoints,
                      uint64_t data_start, bootimage_t *out)
{
    bootimage_program_t *p = &out->programs[i];
    char where[BI_WHERE_MAX];
    fmt_snprintf(where, sizeof where, "program %u", i);
    int rc = bi_string(c, r->name, AK_NAME_MAX, BI_CHARS_NAME, where, "name", &p->name);
    if (rc)
        return rc;
    fmt_snprintf(where, sizeof where, "program %u (%s)", i, p->name);
    for (uint32_t j = 0; j < i; j++)
        if (strcmp(out->programs[j].name, p->name) == 0)
            return bi_fail(c, "%s: name already used by program %u", where, j);
    rc = bi_string(c, r->args, AK_ARGS_MAX, BI_CHARS_PRINTABLE, where, "args", &p->args);
    if (!rc)
        rc = bi_string(c, r->env, AK_ARGS_MAX, BI_CHARS_PRINTABLE, where, "env", &p->env);
    if (!rc)
        rc = bi_env(c, p->env, where);
    if (rc)
        return rc;
    if (r->reserved != 0)
        return bi_fail(c, "%s: reserved field is 0x%x, want 0", where, r->reserved);
    if (r->priority > BI_PRIORITY_MAX)
        return bi_fail(c, "%s: priority %u is above %u", where, r->priority, BI_PRIORITY_MAX);
    if (r->pager != BI_NO_PAGER && r->pager >= nendpoints)
        return bi_fail(c, "%s: pager endpoint %u does not exist (the image has %u endpoints)",
                       where, r->pager, nendpoints);
    if (r->expect != BI_EXPECT_EXIT && r->expect != BI_EXPECT_KILLED && r->expect != BI_EXPECT_SERVE)
        return bi_fail(c, "%s: expected outcome kind %u is not exit (%u), killed (%u) or serve (%u)",
                       where, r->expect, BI_EXPECT_EXIT, BI_EXPECT_KILLED, BI_EXPECT_SERVE);
    if (r->expect != BI_EXPECT_EXIT && r->expect_code != 0)
        return bi_fail(c, "%s: expected outcome '%s' with a nonzero code %d", where,
                       r->expect == BI_EXPECT_KILLED ? "killed" : "serve", r->expect_code);
    rc = bi_elf_file(c, where, r->elf_off, r->elf_size, data_start, &p->elf, &p->elf_size);
    if (rc)
        return rc;
    char why[BI_WHERE_MAX * 4];
    if (elf_parse(p->elf, p->elf_size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &p->image, why,
                  sizeof why))
        return bi_fail(c, "%s: ELF file: %s", where, why);
    p->priority = r->priority;
    p->pager = r->pager == BI_NO_PAGER ? -1 : (int32_t)r->pager;
    p->expect = (bootimage_expect_t){ .kind = r->expect, .code = r->expect_code };
    return 0;
}

static const char *bi_kind_name(uint32_t kind)
{
    switch (kind) {
    case AK_CAP_ENDPOINT: return "endpoint";
    case AK_CAP_ASPACE:   return "aspace";
    case AK_CAP_PHYSMEM:  return "physmem";
    case AK_CAP_PROCCTL:  return "procctl";
    case AK_CAP_DEVICE:   return "device";
    case AK_CAP_IRQCTL:   return "irqctl";
    case AK_CAP_POWER:    return "power";
    default:              return "?";
    }
}

/* Checks kind, target, rights and badge of cap record r (its holder is valid). */
static int bi_cap_authority(const bi_ctx_t *c, const bi_cap_rec_t *r, const char *where,
                            const bootimage_t *out)
{
    uint32_t allowed, limit;
    const char *target_kind;
    switch (r->kind) {
    case AK_CAP_ENDPOINT:
        if (r->target == BI_ENDPOINT_INIT) {
            /* init's process manager: a send right, badged by init itself. */
            if (r->rights != AK_RIGHT_SEND || r->badge != 0 || r->reserved != 0)
                return bi_fail(c, "%s: an endpoint to init carries send only, no badge", where);
            return 0;
        }
        allowed = AK_RIGHT_SEND | AK_RIGHT_RECV;
        limit = out->nendpoints;
        target_kind = "endpoint";
        break;
    case AK_CAP_ASPACE:
        allowed = AK_RIGHT_WRITE;
        limit = out->nprograms;
        target_kind = "program";
        break;
    case AK_CAP_PHYSMEM:
        allowed = AK_RIGHT_WRITE;
        limit = BI_PHYSMEM_MAX_MIB + 1u; /* a share in MiB, or BI_PHYSMEM_REST */
        target_kind = "share";
        break;
    case AK_CAP_PROCCTL:
    case AK_CAP_POWER:
    case AK_CAP_IRQCTL:
        allowed = AK_RIGHT_WRITE;
        limit = 1; /* target 0: the kernel's one process table, machine, interrupt controller */
        target_kind = r->kind == AK_CAP_POWER ? "machine" : r->kind == AK_CAP_IRQCTL ? "interrupt controller" : "process table";
        break;
    case AK_CAP_DEVICE:
        allowed = AK_RIGHT_WRITE;
        limit = AK_NDEVICES;
        target_kind = "device";
        break;
    default:
        return bi_fail(c, "%s: kind %u is not endpoint (%u), aspace (%u), physmem (%u), procctl (%u), power (%u), device (%u) or irqctl (%u)",
                       where, r->kind, AK_CAP_ENDPOINT, AK_CAP_ASPACE, AK_CAP_PHYSMEM,
                       AK_CAP_PROCCTL, AK_CAP_POWER, AK_CAP_DEVICE, AK_CAP_IRQCTL);
    }
    const char *kind = bi_kind_name(r->kind);
    if (r->kind == AK_CAP_PHYSMEM && r->target >= limit)
        return bi_fail(c, "%s: physmem capability asks for %u MiB (at most %u)", where, r->target,
                       BI_PHYSMEM_MAX_MIB);
    if (r->target >= limit)
        return bi_fail(c, "%s: %s capability names %s %u, which does not exist", where, kind,
                       target_kind, r->target);
    if (r->rights == 0)
        return bi_fail(c, "%s: %s capability with no rights", where, kind);
    if (r->rights & ~allowed)
        return bi_fail(c, "%s: rights 0x%x are not valid for %s capabilities (allowed 0x%x)",
                       where, r->rights, kind, allowed);
    if (r->badge > AK_BADGE_MAX)
        return bi_fail(c, "%s: badge 0x%lx is above the maximum 0x%lx (bits 62-63 are reserved)",
                       where, r->badge, AK_BADGE_MAX);
    if (r->badge != 0 && r->kind != AK_CAP_ENDPOINT)
        return bi_fail(c, "%s: badge 0x%lx on a capability of kind %s (only endpoints carry one)",
                       where, r->badge, kind);
    if (r->reserved != 0)
        return bi_fail(c, "%s: reserved field is 0x%x, want 0", where, r->reserved);
    return 0;
}

static int bi_cap(bi_ctx_t *c, const bi_cap_rec_t *r, uint32_t i, int *physmem_cap,
                  bootimage_t *out)
{
    char where[BI_WHERE_MAX];
    fmt_snprintf(where, sizeof where, "cap %u", i);
    if (r->holder >= out->nprograms)
        return bi_fail(c, "%s: holder %u is not a program (the image has %u)", where, r->holder,
                       out->nprograms);
    fmt_snprintf(where, sizeof where, "cap %u (%s slot %u)", i, out->programs[r->holder].name,
                 r->slot);
    if (r->slot >= AK_BOOT_CAP_SLOTS)
        return bi_fail(c, "%s: slot %u is out of range (0..%u)", where, r->slot,
                       AK_BOOT_CAP_SLOTS - 1u);
    uint8_t *filled = &c->slot_cap[r->holder][r->slot];
    if (*filled != BI_NO_CAP)
        return bi_fail(c, "%s: slot already holds cap %u", where, (unsigned)*filled);
    int rc = bi_cap_authority(c, r, where, out);
    if (rc)
        return rc;
    if (r->kind == AK_CAP_PHYSMEM) {
        for (uint32_t k = 0; k < i; k++) {
            const bootimage_cap_t *o = &out->caps[k];
            if (o->kind == AK_CAP_PHYSMEM && o->holder == r->holder)
                return bi_fail(c, "%s: a second physmem capability for %s (cap %u)", where,
                               out->programs[r->holder].name, k);
        }
        if (r->target == BI_PHYSMEM_REST) {
            if (*physmem_cap >= 0)
                return bi_fail(c, "%s: a second physmem capability for the rest of RAM (cap %d)", where,
                               *physmem_cap);
            *physmem_cap = (int)i;
        }
    }
    *filled = (uint8_t)i;
    out->caps[i] = (bootimage_cap_t){
        .holder = r->holder,
        .slot = r->slot,
        .kind = r->kind,
        .target = r->target,
        .badge = r->badge,
        .rights = r->rights,
    };
    return 0;
}

/*
 * On an endpoint a vmm receives on (a vmm: a program holding physical
 * memory), badge 0 is init's (idl/vmm.idl): a send right to it for any
 * other program carries a badge.
 */
static int bi_vmm_badges(const bi_ctx_t *c, const bootimage_t *out)
{
    bool vmm[BI_MAX_PROGRAMS] = { false }, vmm_ep[BI_MAX_ENDPOINTS] = { false };
    uint32_t receiver[BI_MAX_ENDPOINTS];
    for (uint32_t i = 0; i < out->ncaps; i++)
        if (out->caps[i].kind == AK_CAP_PHYSMEM)
            vmm[out->caps[i].holder] = true;
    for (uint32_t i = 0; i < out->ncaps; i++) {
        const bootimage_cap_t *r = &out->caps[i];
        if (r->kind == AK_CAP_ENDPOINT && r->target != BI_ENDPOINT_INIT && (r->rights & AK_RIGHT_RECV) &&
            vmm[r->holder] && !vmm_ep[r->target]) {
            vmm_ep[r->target] = true;
            receiver[r->target] = r->holder;
        }
    }
    for (uint32_t i = 0; i < out->ncaps; i++) {
        const bootimage_cap_t *s = &out->caps[i];
        if (s->kind == AK_CAP_ENDPOINT && s->target != BI_ENDPOINT_INIT && (s->rights & AK_RIGHT_SEND) &&
            s->badge == 0 && vmm_ep[s->target] && s->holder != receiver[s->target])
            return bi_fail(c, "cap %u (%s slot %u): a send right to endpoint %u, which the vmm %s receives on, "
                           "needs a badge (badge 0 is init's)", i, out->programs[s->holder].name, s->slot,
                           s->target, out->programs[receiver[s->target]].name);
    }
    return 0;
}

static int bi_file(bi_ctx_t *c, const bi_file_rec_t *r, uint32_t i, uint64_t data_start,
                   bootimage_t *out)
{
    bootimage_file_t *f = &out->files[i];
    char where[BI_WHERE_MAX];
    fmt_snprintf(where, sizeof where, "file %u", i);
    int rc = bi_string(c, r->name, AK_NAME_MAX, BI_CHARS_NAME, where, "name", &f->name);
    if (rc)
        return rc;
    fmt_snprintf(where, sizeof where, "file %u (%s)", i, f->name);
    for (uint32_t j = 0; j < i; j++)
        if (strcmp(out->files[j].name, f->name) == 0)
            return bi_fail(c, "%s: name already used by file %u", where, j);
    f->kind = r->kind;
    if (r->kind == BI_FILE_ELF)
        return bi_elf_file(c, where, r->elf_off, r->elf_size, data_start, &f->elf, &f->elf_size);
    if (r->kind != BI_FILE_DATA)
        return bi_fail(c, "%s: kind %u is neither ELF (%u) nor data (%u)", where, r->kind, BI_FILE_ELF,
                       BI_FILE_DATA);
    for (uint32_t j = 0; j < out->nprograms; j++)
        if (strcmp(out->programs[j].name, f->name) == 0)
            return bi_fail(c, "%s: a data file named as program %u", where, j);
    if (r->elf_size > BI_DATA_MAX)
        return bi_fail(c, "%s: data file of 0x%lx bytes, more than 0x%lx", where, r->elf_size, BI_DATA_MAX);
    uint64_t end = 0;
    char data_where[BI_WHERE_MAX + 2];
    fmt_snprintf(data_where, sizeof data_where, "%s: ", where);
    rc = bi_region(c, data_where, "data file", r->elf_off, r->elf_size, data_start, &end);
    if (rc)
        return rc;
    f->elf = c->blob + r->elf_off;
    f->elf_size = (size_t)r->elf_size;
    return 0;
}

int bootimage_parse(const void *blob, size_t size, bootimage_t *out, char *err, size_t errlen)
{
    bi_ctx_t c = { .blob = blob, .size = size, .err = err, .errlen = errlen };
    memset(c.slot_cap, BI_NO_CAP, sizeof c.slot_cap);
    bi_header_t h = { 0 };
    uint64_t data_start = 0;
    int rc = bi_read_header(&c, size, &h);
    if (!rc)
        rc = bi_header(&c, &h, &data_start);
    if (rc)
        return rc;
    rc = bi_string(&c, h.config, BI_CONFIG_MAX, BI_CHARS_PRINTABLE, "header", "config string",
                   &out->config);
    if (rc)
        return rc;
    out->init = h.init_size ? c.blob + h.init_off : NULL;
    out->init_size = (size_t)h.init_size;
    out->nprograms = h.nprograms;
    out->nendpoints = h.nendpoints;
    out->ncaps = h.ncaps;

    for (uint32_t i = 0; i < h.nprograms; i++) {
        bi_program_rec_t r;
        memcpy(&r, c.blob + h.programs_off + (uint64_t)i * sizeof r, sizeof r);
        rc = bi_program(&c, &r, i, h.nendpoints, data_start, out);
        if (rc)
            return rc;
    }
    int physmem_cap = -1;
    for (uint32_t i = 0; i < h.ncaps; i++) {
        bi_cap_rec_t r;
        memcpy(&r, c.blob + h.caps_off + (uint64_t)i * sizeof r, sizeof r);
        rc = bi_cap(&c, &r, i, &physmem_cap, out);
        if (rc)
            return rc;
    }
    rc = bi_vmm_badges(&c, out);
    if (rc)
        return rc;
    out->nfiles = h.nfiles;
    for (uint32_t i = 0; i < h.nfiles; i++) {
        bi_file_rec_t r;
        memcpy(&r, c.blob + h.files_off + (uint64_t)i * sizeof r, sizeof r);
        rc = bi_file(&c, &r, i, data_start, out);
        if (rc)
            return rc;
    }
    return 0;
}

int bootimage_init(const void *blob, size_t size, bootimage_init_t *out, char *err, size_t errlen)
{
    bi_ctx_t c = { .blob = blob, .size = size, .err = err, .errlen = errlen };
    bi_header_t h = { 0 };
    uint64_t end = 0;
    int rc = bi_read_header(&c, size, &h);
    if (!rc)
        rc = bi_region(&c, "", "string area", h.strings_off, h.strings_size, sizeof h, &end);
    if (!rc)
        rc = bi_init_region(&c, &h, end, true, &end);
    if (rc)
        return rc;
    c.strings = (const char *)c.blob + h.strings_off;
    c.strings_size = h.strings_size;
    rc = bi_string(&c, h.config, BI_CONFIG_MAX, BI_CHARS_PRINTABLE, "header", "config string",
                   &out->config);
    if (rc)
        return rc;
    out->elf = c.blob + h.init_off;
    out->elf_size = (size_t)h.init_size;
    out->total_size = (size_t)h.total_size;
    return 0;
}
