/*
 * The boot-image parser: valid blobs parse to the right view; every
 * truncation, every header or table lie and every broken record is refused
 * with a message naming what is wrong; byte flips and random mutations
 * never make it read outside the blob.  Blobs are built here, independently
 * of mkimage, and parsed from exactly-sized heap buffers under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <bootfmt/bootimage.h>

#include "testelf.h"

#define ERR_MAX     256
#define FUZZ_ROUNDS 20000
#define FUZZ_SEED   4242u
#define LONG_ARGS   300

/* --- a blob writer for tests ---------------------------------------------- */

typedef struct tb_prog {
    const char *name, *args;
    uint32_t priority, pager, expect;
    int32_t code;
    const char *env;   /* NULL: "" */
} tb_prog_t;

/* Counts may exceed the BI_MAX_* limits by one, to test them. */
typedef struct tb_spec {
    const char *config;
    uint32_t nprograms, nendpoints, ncaps, nfiles;
    const char *files[BI_MAX_FILES + 1];   /* spawnable files' names: all the test ELF */
    tb_prog_t progs[BI_MAX_PROGRAMS + 1];
    bi_cap_rec_t caps[BI_MAX_CAPS + 1];
} tb_spec_t;

enum { VMM, PONG, PING };          /* program indices of the standard spec */
enum { EP_VMM, EP_PAGER };         /* endpoint numbers */

static tb_spec_t spec;
static char long_args[LONG_ARGS + 1];

static void tb_standard(tb_spec_t *s)
{
    memset(s, 0, sizeof *s);
    s->config = "image test, config kernel";
    s->nprograms = 3;
    s->nendpoints = 2;
    s->progs[VMM] = (tb_prog_t){ "vmm", "", 200, BI_NO_PAGER, BI_EXPECT_EXIT, 0, NULL };
    s->progs[PONG] = (tb_prog_t){ "pong", "hello world", 100, EP_PAGER, BI_EXPECT_EXIT, -3, "MALLOC=chunk A=b=c" };
    s->progs[PING] = (tb_prog_t){ "ping", "-n 3", 90, EP_PAGER, BI_EXPECT_KILLED, 0, NULL };
    const bi_cap_rec_t caps[] = {
        { .holder = VMM, .slot = 1, .kind = AK_CAP_ENDPOINT, .rights = AK_RIGHT_RECV, .target = EP_VMM },
        { .holder = VMM, .slot = 2, .kind = AK_CAP_ENDPOINT, .rights = AK_RIGHT_RECV, .target = EP_PAGER },
        { .holder = PING, .slot = 1, .kind = AK_CAP_ENDPOINT, .rights = AK_RIGHT_SEND, .target = EP_VMM, .badge = 2 },
        { .holder = VMM, .slot = 3, .kind = AK_CAP_ASPACE, .rights = AK_RIGHT_WRITE, .target = PING },
        { .holder = VMM, .slot = 4, .kind = AK_CAP_PHYSMEM, .rights = AK_RIGHT_WRITE, .target = 0 },
        { .holder = PONG, .slot = 31, .kind = AK_CAP_ENDPOINT, .rights = AK_RIGHT_SEND | AK_RIGHT_RECV,
          .target = EP_VMM, .badge = AK_BADGE_MAX },
    };
    memcpy(s->caps, caps, sizeof caps);
    s->ncaps = sizeof caps / sizeof caps[0];
}

static uint64_t tb_align(uint64_t x)
{
    return (x + BI_ALIGN - 1u) & ~(uint64_t)(BI_ALIGN - 1u);
}

static uint32_t tb_string(char *area, size_t *len, const char *s)
{
    size_t n = strlen(s) + 1u;
    memcpy(area + *len, s, n);
    *len += n;
    return (uint32_t)(*len - n);
}

/* Lays out s with one shared copy of the minimal test ELF. */
static uint8_t *tb_build(const tb_spec_t *s, size_t *size)
{
    static char strings[BI_CONFIG_MAX + (BI_MAX_PROGRAMS + 1) * (2 * LONG_ARGS + 64)];
    size_t slen = 0;
    bi_header_t h = {
        .magic = BI_MAGIC, .version = BI_VERSION, .header_size = sizeof h,
        .nprograms = s->nprograms, .nendpoints = s->nendpoints, .ncaps = s->ncaps,
    };
    h.config = tb_string(strings, &slen, s->config);
    bi_program_rec_t recs[BI_MAX_PROGRAMS + 1];
    for (uint32_t i = 0; i < s->nprograms; i++) {
        const tb_prog_t *p = &s->progs[i];
        recs[i] = (bi_program_rec_t){
            .name = tb_string(strings, &slen, p->name),
            .args = tb_string(strings, &slen, p->args),
            .env = tb_string(strings, &slen, p->env ? p->env : ""),
            .priority = p->priority, .pager = p->pager, .expect = p->expect,
            .expect_code = p->code,
        };
    }
    testelf_t t;
    testelf_minimal(&t);
    size_t elf_size;
    uint8_t *elf = testelf_render(&t, &elf_size);

    h.programs_off = sizeof h;
    h.caps_off = h.programs_off + s->nprograms * sizeof(bi_program_rec_t);
    h.files_off = h.caps_off + s->ncaps * sizeof(bi_cap_rec_t);
    h.nfiles = s->nfiles;
    bi_file_rec_t frecs[BI_MAX_FILES + 1];
    for (uint32_t k = 0; k < s->nfiles; k++)
        frecs[k] = (bi_file_rec_t){ .name = tb_string(strings, &slen, s->files[k]) };
    h.strings_off = h.files_off + s->nfiles * sizeof(bi_file_rec_t);
    h.strings_size = slen;
    h.init_off = tb_align(h.strings_off + slen);   /* init's ELF: the same test ELF */
    h.init_size = elf_size;
    uint64_t elf_off = tb_align(h.init_off + elf_size);
    h.total_size = tb_align(elf_off + elf_size);
    for (uint32_t i = 0; i < s->nprograms; i++) {
        recs[i].elf_off = elf_off;
        recs[i].elf_size = elf_size;
    }
    for (uint32_t k = 0; k < s->nfiles; k++) {
        frecs[k].elf_off = elf_off;   /* the programs' copy, shared */
        frecs[k].elf_size = elf_size;
    }
    uint8_t *b = calloc(1, h.total_size);
    assert_non_null(b);
    memcpy(b, &h, sizeof h);
    memcpy(b + h.programs_off, recs, s->nprograms * sizeof recs[0]);
    memcpy(b + h.caps_off, s->caps, s->ncaps * sizeof s->caps[0]);
    memcpy(b + h.files_off, frecs, s->nfiles * sizeof frecs[0]);
    memcpy(b + h.strings_off, strings, slen);
    memcpy(b + h.init_off, elf, elf_size);
    memcpy(b + elf_off, elf, elf_size);
    free(elf);
    *size = h.total_size;
    return b;
}

/* --- reading and patching a blob ------------------------------------------ */

static bi_header_t get_hdr(const uint8_t *b)
{
    bi_header_t h;
    memcpy(&h, b, sizeof h);
    return h;
}

static void put_hdr(uint8_t *b, const bi_header_t *h)
{
    memcpy(b, h, sizeof *h);
}

static bi_program_rec_t get_prog(const uint8_t *b, uint32_t i)
{
    bi_header_t h = get_hdr(b);
    bi_program_rec_t r;
    memcpy(&r, b + h.programs_off + i * sizeof r, sizeof r);
    return r;
}

static void put_prog(uint8_t *b, uint32_t i, const bi_program_rec_t *r)
{
    bi_header_t h = get_hdr(b);
    memcpy(b + h.programs_off + i * sizeof *r, r, sizeof *r);
}

/* Parses size bytes of b from an exactly-sized copy. */
static int parse_copy(const uint8_t *b, size_t size, bootimage_t *out, char *err)
{
    uint8_t *copy = malloc(size ? size : 1u);
    assert_non_null(copy);
    memcpy(copy, b, size);
    int rc = bootimage_parse(copy, size, out, err, ERR_MAX);
    free(copy);
    return rc;
}

static void refused_(const uint8_t *b, size_t size, const char *want, const char *file, int line)
{
    static bootimage_t view;
    char err[ERR_MAX] = "";
    int rc = parse_copy(b, size, &view, err);
    if (rc != -AK_EINVAL)
        fail_msg("%s:%d: accepted (rc %d), want an error with '%s'", file, line, rc, want);
    if (!strstr(err, want))
        fail_msg("%s:%d: error '%s' does not mention '%s'", file, line, err, want);
}
#define refused(b, size, want) refused_(b, size, want, __FILE__, __LINE__)

/* Builds spec (as the test left it) and expects it refused with want. */
#define spec_refused(want)                          \
    do {                                            \
        size_t size_;                               \
        uint8_t *b_ = tb_build(&spec, &size_);      \
        refused(b_, size_, want);                   \
        free(b_);                                   \
    } while (0)

/* Builds spec (as the test left it) and expects it accepted. */
#define spec_accepted()                                                              \
    do {                                                                             \
        size_t size_;                                                                \
        uint8_t *b_ = tb_build(&spec, &size_);                                       \
        static bootimage_t view_;                                                    \
        char err_[ERR_MAX] = "";                                                     \
        if (parse_copy(b_, size_, &view_, err_) != 0)                                \
            fail_msg("%s:%d: refused: %s", __FILE__, __LINE__, err_);                \
        free(b_);                                                                    \
    } while (0)

static int setup(void **state)
{
    (void)state;
    tb_standard(&spec);
    return 0;
}

/* --- valid images ---------------------------------------------------------- */

static void test_valid_view(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    static bootimage_t v;
    char err[ERR_MAX] = "";
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_string_equal(v.config, "image test, config kernel");
    assert_int_equal(v.nprograms, 3);
    assert_int_equal(v.nendpoints, 2);
    assert_int_equal(v.ncaps, 6);

    assert_string_equal(v.programs[VMM].name, "vmm");
    assert_string_equal(v.programs[VMM].args, "");
    assert_int_equal(v.programs[VMM].priority, 200);
    assert_int_equal(v.programs[VMM].pager, -1);
    assert_int_equal(v.programs[VMM].expect.kind, BI_EXPECT_EXIT);
    assert_int_equal(v.programs[VMM].expect.code, 0);
    assert_string_equal(v.programs[PONG].name, "pong");
    assert_string_equal(v.programs[PONG].args, "hello world");
    assert_string_equal(v.programs[PONG].env, "MALLOC=chunk A=b=c");
    assert_string_equal(v.programs[PING].env, "");
    assert_int_equal(v.programs[PONG].pager, EP_PAGER);
    assert_int_equal(v.programs[PONG].expect.code, -3);
    assert_string_equal(v.programs[PING].args, "-n 3");
    assert_int_equal(v.programs[PING].priority, 90);
    assert_int_equal(v.programs[PING].expect.kind, BI_EXPECT_KILLED);
    for (uint32_t i = 0; i < 3; i++) {
        const bootimage_program_t *p = &v.programs[i];
        bi_program_rec_t r = get_prog(b, i);
        assert_ptr_equal(p->elf, b + r.elf_off);
        assert_int_equal(p->elf_size, TESTELF_SIZE);
        assert_int_equal(p->image.entry, TESTELF_BASE + 0x100);
        assert_int_equal(p->image.nsegs, 2);
    }

    const bootimage_cap_t *c = &v.caps[2];
    assert_int_equal(c->holder, PING);
    assert_int_equal(c->slot, 1);
    assert_int_equal(c->kind, AK_CAP_ENDPOINT);
    assert_int_equal(c->target, EP_VMM);
    assert_int_equal(c->badge, 2);
    assert_int_equal(c->rights, AK_RIGHT_SEND);
    assert_int_equal(v.caps[3].kind, AK_CAP_ASPACE);
    assert_int_equal(v.caps[3].target, PING);
    assert_int_equal(v.caps[4].kind, AK_CAP_PHYSMEM);
    assert_int_equal(v.caps[4].target, 0);
    assert_int_equal(v.caps[4].rights, AK_RIGHT_WRITE);
    assert_int_equal(v.caps[5].badge, AK_BADGE_MAX);
    assert_int_equal(v.caps[5].slot, 31);
    free(b);
}

static void test_padding_after_image_ignored(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    uint8_t *padded = calloc(1, size + 4096);
    assert_non_null(padded);
    memcpy(padded, b, size);
    memset(padded + size, 0xEE, 4096);
    static bootimage_t v;
    char err[ERR_MAX];
    assert_int_equal(parse_copy(padded, size + 4096, &v, err), 0);
    free(padded);
    free(b);
}

static void test_limits_reached_exactly(void **state)
{
    (void)state;
    static const char *names[] = { "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7",
                                   "p8", "p9", "p10", "p11", "p12", "p13", "p14",
                                   "a-name.of_15ch" };
    memset(&spec, 0, sizeof spec);
    spec.config = "";
    spec.nprograms = BI_MAX_PROGRAMS;
    spec.nendpoints = BI_MAX_ENDPOINTS;
    for (uint32_t i = 0; i < BI_MAX_PROGRAMS; i++)
        spec.progs[i] = (tb_prog_t){ names[i], "", BI_PRIORITY_MAX, BI_MAX_ENDPOINTS - 1u,
                                     BI_EXPECT_EXIT, INT32_MIN, NULL };
    memset(long_args, 'a', AK_ARGS_MAX - 1u);
    long_args[AK_ARGS_MAX - 1u] = '\0';
    spec.progs[0].args = long_args;
    spec.ncaps = BI_MAX_CAPS;
    for (uint32_t i = 0; i < BI_MAX_CAPS; i++)
        spec.caps[i] = (bi_cap_rec_t){ .holder = i / AK_BOOT_CAP_SLOTS, .slot = i % AK_BOOT_CAP_SLOTS,
                                       .kind = AK_CAP_ENDPOINT, .rights = AK_RIGHT_SEND,
                                       .target = i % BI_MAX_ENDPOINTS, .badge = i };
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    static bootimage_t v;
    char err[ERR_MAX] = "";
    int rc = bootimage_parse(b, size, &v, err, sizeof err);  /* b is exactly sized */
    if (rc)
        fail_msg("refused: %s", err);
    assert_int_equal(v.ncaps, BI_MAX_CAPS);
    assert_string_equal(v.programs[15].name, "a-name.of_15ch");
    assert_int_equal(strlen(v.programs[0].args), AK_ARGS_MAX - 1u);
    assert_int_equal(v.programs[3].expect.code, INT32_MIN);
    free(b);
}

/* --- truncation and header lies -------------------------------------------- */

static void test_every_truncation_refused(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    for (size_t len = 0; len < size; len++) {
        static bootimage_t v;
        char err[ERR_MAX] = "";
        if (parse_copy(b, len, &v, err) != -AK_EINVAL)
            fail_msg("a blob cut to %zu of %zu bytes was accepted", len, size);
        assert_true(err[0] != '\0');
    }
    refused(b, 10, "image too short for its header (10 bytes");
    refused(b, size - 1, "image is truncated");
    free(b);
}

/* The kernel's reader: init's ELF and the config string, and nothing it need not read. */
static void test_init_reader(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    bi_header_t h = get_hdr(b);
    bootimage_init_t v;
    char err[160];
    assert_int_equal(bootimage_init(b, size, &v, err, sizeof err), 0);
    assert_ptr_equal(v.elf, b + h.init_off);
    assert_int_equal(v.elf_size, h.init_size);
    assert_int_equal(v.total_size, h.total_size);
    assert_string_equal(v.config, spec.config);
    bootimage_t view;
    assert_int_equal(bootimage_parse(b, size, &view, err, sizeof err), 0);
    assert_ptr_equal(view.init, v.elf);
    assert_int_equal(view.init_size, v.elf_size);

    /* It does not read the program table: a damaged one is init's to refuse, not the kernel's. */
    bi_header_t d = h;
    d.nprograms = 0;
    put_hdr(b, &d);
    assert_int_equal(bootimage_init(b, size, &v, err, sizeof err), 0);
    assert_int_equal(bootimage_parse(b, size, &view, err, sizeof err), -AK_EINVAL);

    /* An archive without init: tools may read it, the kernel may not start it. */
    d = h;
    d.init_off = 0;
    d.init_size = 0;
    put_hdr(b, &d);
    assert_int_equal(bootimage_init(b, size, &v, err, sizeof err), -AK_EINVAL);
    assert_non_null(strstr(err, "no init ELF file"));
    assert_int_equal(bootimage_parse(b, size, &view, err, sizeof err), 0);
    assert_null(view.init);
    d.init_off = h.init_off;   /* an offset with no file is a lie */
    put_hdr(b, &d);
    assert_int_equal(bootimage_parse(b, size, &view, err, sizeof err), -AK_EINVAL);

    /* Every truncation is refused, with a reason. */
    put_hdr(b, &h);
    for (size_t n = 0; n < h.init_off + h.init_size; n += 7) {
        err[0] = '\0';
        assert_int_equal(bootimage_init(b, n, &v, err, sizeof err), -AK_EINVAL);
        assert_true(err[0] != '\0');
    }
    free(b);
}

static bi_file_rec_t get_file(const uint8_t *b, uint32_t k)
{
    bi_header_t h = get_hdr(b);
    bi_file_rec_t r;
    memcpy(&r, b + h.files_off + k * sizeof r, sizeof r);
    return r;
}

static void put_file(uint8_t *b, uint32_t k, const bi_file_rec_t *r)
{
    bi_header_t h = get_hdr(b);
    memcpy(b + h.files_off + k * sizeof *r, r, sizeof *r);
}

/* The file table: what init may spawn.  Every field that lies is refused, naming the file. */
static void test_file_table(void **state)
{
    (void)state;
    spec.nfiles = 2;
    spec.files[0] = "hello";
    spec.files[1] = "crash";
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    static bootimage_t v;
    char err[160];
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    assert_int_equal(v.nfiles, 2);
    assert_string_equal(v.files[0].name, "hello");
    assert_string_equal(v.files[1].name, "crash");
    assert_ptr_equal(v.files[1].elf, v.programs[0].elf);
    assert_int_equal(v.files[1].elf_size, v.programs[0].elf_size);

    const bi_file_rec_t good = get_file(b, 1), first = get_file(b, 0);
    const bi_header_t h = get_hdr(b);
    bi_file_rec_t r;
#define FILE_REFUSED(field, value, want) \
    do {                                 \
        r = good;                        \
        r.field = value;                 \
        put_file(b, 1, &r);              \
        refused(b, size, want);          \
    } while (0)
    FILE_REFUSED(kind, 2, "file 1 (crash): kind 2 is neither ELF (0) nor data (1)");
    FILE_REFUSED(kind, UINT32_MAX, "file 1 (crash): kind 4294967295 is neither ELF");
    FILE_REFUSED(name, first.name, "file 1 (hello): name already used by file 0");
    FILE_REFUSED(name, (uint32_t)h.strings_size, "file 1: name at string offset");
    FILE_REFUSED(name, UINT32_MAX, "file 1: name at string offset 0xffffffff is outside the string area");
    FILE_REFUSED(elf_size, 0, "file 1 (crash): ELF file is empty");
    FILE_REFUSED(elf_size, UINT64_MAX, "file 1 (crash): ELF file (offset");
    FILE_REFUSED(elf_off, good.elf_off + 4, "file 1 (crash): ELF file at offset");
    FILE_REFUSED(elf_off, h.init_off, "file 1 (crash): ELF file at offset");   /* inside init's */
    FILE_REFUSED(elf_off, UINT64_MAX & ~UINT64_C(7), "file 1 (crash): ELF file (offset 0xfffffffffffffff8");
#undef FILE_REFUSED
    put_file(b, 1, &good);
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    assert_int_equal(v.files[0].kind, BI_FILE_ELF);
    assert_int_equal(v.files[1].kind, BI_FILE_ELF);

    /* A data file: any bytes up to BI_DATA_MAX (none too), in the blob, never named as a program. */
    bi_file_rec_t d = good;
    d.kind = BI_FILE_DATA;
    put_file(b, 1, &d);
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    assert_int_equal(v.files[1].kind, BI_FILE_DATA);
    assert_ptr_equal(v.files[1].elf, b + good.elf_off);
    assert_int_equal(v.files[1].elf_size, good.elf_size);
    d.elf_size = 0;
    put_file(b, 1, &d);
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    assert_int_equal(v.files[1].elf_size, 0);
    bi_program_rec_t prog;
    memcpy(&prog, b + h.programs_off, sizeof prog);
#define DATA_REFUSED(field, value, want) \
    do {                                 \
        r = good;                        \
        r.kind = BI_FILE_DATA;           \
        r.field = value;                 \
        put_file(b, 1, &r);              \
        refused(b, size, want);          \
    } while (0)
    DATA_REFUSED(elf_size, BI_DATA_MAX + 1u, "file 1 (crash): data file of 0x10001 bytes, more than 0x10000");
    DATA_REFUSED(elf_size, UINT64_MAX, "file 1 (crash): data file of 0xffffffffffffffff bytes");
    DATA_REFUSED(elf_off, good.elf_off + 4, "file 1 (crash): data file at offset");
    DATA_REFUSED(elf_off, h.init_off, "file 1 (crash): data file at offset");   /* inside init's */
    DATA_REFUSED(elf_off, UINT64_MAX & ~UINT64_C(7), "file 1 (crash): data file (offset 0xfffffffffffffff8");
    DATA_REFUSED(elf_off, (uint64_t)size, "file 1 (crash): data file (offset");
    DATA_REFUSED(name, prog.name, "a data file named as program 0");
#undef DATA_REFUSED
    put_file(b, 1, &good);
    assert_int_equal(bootimage_parse(b, size, &v, err, sizeof err), 0);
    free(b);
    spec.nfiles = 0;
}

static void test_header_lies(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    const bi_header_t good = get_hdr(b);
    bi_header_t h;
#define HDR_REFUSED(field, value, want) \
    do {                                \
        h = good;                       \
        h.field = value;                \
        put_hdr(b, &h);                 \
        refused(b, size, want);         \
    } while (0)
    HDR_REFUSED(magic, 0x464c457f, "bad magic 0x464c457f");
    HDR_REFUSED(version, 1, "format version 1");
    HDR_REFUSED(header_size, 64, "header size 64");
    HDR_REFUSED(flags, 1, "unknown flags 0x1");
    HDR_REFUSED(total_size, UINT64_MAX, "image is truncated");
    HDR_REFUSED(total_size, 8, "smaller than the header");
    HDR_REFUSED(nprograms, 0, "no programs");
    HDR_REFUSED(nprograms, BI_MAX_PROGRAMS + 1, "17 programs, at most 16");
    HDR_REFUSED(nprograms, UINT32_MAX, "programs, at most 16");
    HDR_REFUSED(nendpoints, BI_MAX_ENDPOINTS + 1, "33 endpoints, at most 32");
    HDR_REFUSED(ncaps, BI_MAX_CAPS + 1, "129 capabilities, at most 128");
    HDR_REFUSED(ncaps, UINT32_MAX, "capabilities, at most 128");
    HDR_REFUSED(programs_off, good.programs_off + 4, "program table at offset 0x6c is not 8-byte aligned");
    HDR_REFUSED(programs_off, 0, "program table at offset 0x0 overlaps what precedes it");
    HDR_REFUSED(programs_off, UINT64_MAX - 7, "program table (offset 0xfffffffffffffff8");
    HDR_REFUSED(programs_off, good.total_size, "program table (offset");
    HDR_REFUSED(caps_off, good.programs_off, "capability table at offset 0x68 overlaps");
    HDR_REFUSED(caps_off, UINT64_MAX & ~UINT64_C(7), "capability table (offset 0xfffffffffffffff8");
    HDR_REFUSED(strings_off, good.caps_off, "string area at offset");
    HDR_REFUSED(strings_size, UINT64_MAX, "string area (offset");
    HDR_REFUSED(strings_size, good.total_size, "extends past the image");
    HDR_REFUSED(strings_off, UINT64_MAX & ~UINT64_C(7), "string area (offset");
    HDR_REFUSED(config, (uint32_t)good.strings_size, "is outside the string area");
    HDR_REFUSED(config, UINT32_MAX, "is outside the string area");
    HDR_REFUSED(nfiles, BI_MAX_FILES + 1, "33 files, at most 32");
    HDR_REFUSED(reserved, 1, "reserved header field is 0x1");
    HDR_REFUSED(files_off, good.files_off + 4, "file table at offset");
    HDR_REFUSED(nfiles, 1, "string area at offset");   /* a file table now overlaps the strings */
    HDR_REFUSED(init_off, good.init_off + 4, "init's ELF file at offset");
    HDR_REFUSED(init_off, good.strings_off, "init's ELF file at offset");
    HDR_REFUSED(init_off, UINT64_MAX & ~UINT64_C(7), "init's ELF file (offset 0xfffffffffffffff8");
    HDR_REFUSED(init_size, UINT64_MAX, "init's ELF file (offset");
    HDR_REFUSED(init_size, 0, "no init ELF file");
    HDR_REFUSED(init_size, good.total_size - good.init_off + 1, "extends past the image");
#undef HDR_REFUSED
    /* The string area one byte shorter: its last string (ping's env, "") falls outside it; two
       bytes shorter: the one before (ping's args) loses its NUL. */
    h = good;
    h.strings_size--;
    put_hdr(b, &h);
    refused(b, size, "program 2 (ping): env at string offset 0x4e is outside the string area");
    h.strings_size--;
    put_hdr(b, &h);
    refused(b, size, "program 2 (ping): args at string offset");
    refused(b, size, "is not NUL-terminated");
    free(b);
}

/* --- strings --------------------------------------------------------------- */

static void test_bad_strings(void **state)
{
    (void)state;
    spec.progs[PONG].name = "sixteen-chars-xx";
    spec_refused("program 1: name is longer than 15 bytes");
    tb_standard(&spec);
    spec.progs[PONG].name = "";
    spec_refused("program 1: name is empty");
    tb_standard(&spec);
    spec.progs[PONG].name = "../pong";
    spec_refused("program 1: name has a disallowed character (0x2f) at byte 2");
    tb_standard(&spec);
    spec.progs[PING].name = "pong";
    spec_refused("program 2 (pong): name already used by program 1");
    tb_standard(&spec);
    memset(long_args, 'x', LONG_ARGS);
    long_args[AK_ARGS_MAX] = '\0';
    spec.progs[PONG].args = long_args;
    spec_refused("program 1 (pong): args is longer than 255 bytes");
    tb_standard(&spec);
    spec.progs[PONG].args = "tab\there";
    spec_refused("program 1 (pong): args has a disallowed character (0x09) at byte 3");
    tb_standard(&spec);
    spec.progs[PONG].args = "caf\xc3\xa9";
    spec_refused("args has a disallowed character (0xc3)");
    tb_standard(&spec);
    spec.progs[PONG].args = "del\x7f";
    spec_refused("args has a disallowed character (0x7f)");
    tb_standard(&spec);
    spec.config = "bell\a";
    spec_refused("header: config string has a disallowed character (0x07)");
    tb_standard(&spec);
    memset(long_args, 'c', BI_CONFIG_MAX);
    long_args[BI_CONFIG_MAX] = '\0';
    spec.config = long_args;
    spec_refused("header: config string is longer than 127 bytes");
}

/* --- program records -------------------------------------------------------- */

static void test_bad_program_fields(void **state)
{
    (void)state;
    spec.progs[PONG].priority = BI_PRIORITY_MAX + 1;
    spec_refused("program 1 (pong): priority 256 is above 255");
    tb_standard(&spec);
    spec.progs[PONG].pager = 2;
    spec_refused("program 1 (pong): pager endpoint 2 does not exist (the image has 2 endpoints)");
    tb_standard(&spec);
    spec.progs[PONG].pager = BI_NO_PAGER - 1;
    spec_refused("pager endpoint 4294967294 does not exist");
    tb_standard(&spec);
    spec.progs[PONG].expect = 0;
    spec_refused("program 1 (pong): expected outcome kind 0 is not exit (1), killed (2) or serve (3)");
    tb_standard(&spec);
    spec.progs[PONG].expect = 4;
    spec_refused("expected outcome kind 4");
    tb_standard(&spec);
    spec.progs[PING].code = 9;
    spec_refused("program 2 (ping): expected outcome 'killed' with a nonzero code 9");
    tb_standard(&spec);
    spec.progs[PONG].expect = BI_EXPECT_SERVE;
    spec.progs[PONG].code = 1;
    spec_refused("program 1 (pong): expected outcome 'serve' with a nonzero code 1");
    /* The environment: KEY=VALUE words, no empty key, no quotes, printable, bounded; reserved bits zero. */
    static const struct { const char *env, *want; } bad_env[] = {
        { "NOEQUALS", "program 1 (pong): env word at byte 0 is not KEY=VALUE" },
        { "A=1 B", "program 1 (pong): env word at byte 4 is not KEY=VALUE" },
        { "=x", "program 1 (pong): env word at byte 0 has an empty KEY" },
        { "A=1 =", "env word at byte 4 has an empty KEY" },
        { "A=\"x\"", "program 1 (pong): env has a quote at byte 2" },
        { "A=\t", "program 1 (pong): env has a disallowed character" },
    };
    for (size_t k = 0; k < sizeof bad_env / sizeof bad_env[0]; k++) {
        tb_standard(&spec);
        spec.progs[PONG].env = bad_env[k].env;
        spec_refused(bad_env[k].want);
    }
    tb_standard(&spec);
    spec.progs[PONG].env = long_args;
    spec_refused("program 1 (pong): env");
    static const char *const good_env[] = { "", "A=1", "MALLOC=chunk OTHER=1", "A== B=x=y", "  A=1  " };
    for (size_t k = 0; k < sizeof good_env / sizeof good_env[0]; k++) {
        tb_standard(&spec);
        spec.progs[PONG].env = good_env[k];
        size_t size;
        uint8_t *b = tb_build(&spec, &size);
        static bootimage_t v;
        char err[ERR_MAX] = "";
        if (parse_copy(b, size, &v, err) != 0)
            fail_msg("env '%s' refused: %s", good_env[k], err);
        free(b);
    }
}

static void test_bad_elf_placement(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    const bi_program_rec_t good = get_prog(b, PONG);
    const bi_header_t h = get_hdr(b);
    bi_program_rec_t r;
#define ELF_REFUSED(field, value, want) \
    do {                                \
        r = good;                       \
        r.field = value;                \
        put_prog(b, PONG, &r);          \
        refused(b, size, want);         \
    } while (0)
    ELF_REFUSED(elf_size, 0, "program 1 (pong): ELF file is empty");
    ELF_REFUSED(elf_off, good.elf_off + 4, "program 1 (pong): ELF file at offset");
    ELF_REFUSED(elf_off, good.elf_off + 4, "is not 8-byte aligned");
    ELF_REFUSED(elf_size, good.elf_size + 8, "program 1 (pong): ELF file (offset");
    ELF_REFUSED(elf_size, good.elf_size + 8, "extends past the image");
    ELF_REFUSED(elf_size, UINT64_MAX, "extends past the image");
    ELF_REFUSED(elf_off, UINT64_MAX & ~UINT64_C(7), "extends past the image");
    ELF_REFUSED(elf_off, h.strings_off, "ELF file at offset");
    ELF_REFUSED(elf_off, h.strings_off, "overlaps what precedes it");
    ELF_REFUSED(elf_off, 0, "overlaps what precedes it");
    ELF_REFUSED(elf_size, good.elf_size - 8, "program 1 (pong): ELF file: segment 1: file range");
#undef ELF_REFUSED
    put_prog(b, PONG, &good);
    /* Break the (shared) ELF itself: every program runs it, program 0 reports first. */
    elf64_ehdr_t eh;
    memcpy(&eh, b + good.elf_off, sizeof eh);
    eh.e_machine = 62;
    memcpy(b + good.elf_off, &eh, sizeof eh);
    refused(b, size, "program 0 (vmm): ELF file: not an AArch64 executable (machine 62)");
    free(b);
}

/* --- capability records ----------------------------------------------------- */

static void test_bad_caps(void **state)
{
    (void)state;
    bi_cap_rec_t *c = &spec.caps[2];  /* ping slot 1, endpoint 0, send, badge 2 */
#define CAP_REFUSED(stmt, want) \
    do {                        \
        tb_standard(&spec);     \
        stmt;                   \
        spec_refused(want);     \
    } while (0)
    CAP_REFUSED(c->holder = 3, "cap 2: holder 3 is not a program (the image has 3)");
    CAP_REFUSED(c->holder = UINT32_MAX, "cap 2: holder 4294967295 is not a program");
    CAP_REFUSED(c->slot = AK_BOOT_CAP_SLOTS, "cap 2 (ping slot 32): slot 32 is out of range (0..31)");
    CAP_REFUSED(c->holder = VMM, "cap 2 (vmm slot 1): slot already holds cap 0");
    CAP_REFUSED(c->kind = AK_CAP_NONE, "cap 2 (ping slot 1): kind 0 is not endpoint (1), aspace (2), physmem (3), procctl (4), power (6), device (8) or irqctl (9)");
    /* A process capability names a process created at run time: no image grants one. */
    CAP_REFUSED(c->kind = AK_CAP_PROCESS, "kind 5 is not endpoint");
    CAP_REFUSED(c->kind = AK_CAP_NOTIFICATION, "kind 7 is not endpoint");
    CAP_REFUSED(c->kind = AK_CAP_KINDS, "is not endpoint");
    CAP_REFUSED(c->target = 2, "cap 2 (ping slot 1): endpoint capability names endpoint 2, which does not exist");
    CAP_REFUSED(c->rights = 0, "cap 2 (ping slot 1): endpoint capability with no rights");
    CAP_REFUSED(c->rights = AK_RIGHT_WRITE, "rights 0x4 are not valid for endpoint capabilities (allowed 0x3)");
    CAP_REFUSED(c->rights = 8, "rights 0x8 are not valid");
    CAP_REFUSED(c->badge = AK_PAGER_BADGE_BIT, "badge 0x4000000000000000 is above the maximum 0x3fffffffffffffff");
    CAP_REFUSED(c->badge = UINT64_MAX, "badge 0xffffffffffffffff is above the maximum");
    CAP_REFUSED(c->badge = (UINT64_C(1) << 63) | 2, "is above the maximum");
    CAP_REFUSED(c->reserved = 1, "cap 2 (ping slot 1): reserved field is 0x1");
    c = &spec.caps[3];               /* vmm slot 3, aspace over ping */
    CAP_REFUSED(c->target = 3, "cap 3 (vmm slot 3): aspace capability names program 3, which does not exist");
    CAP_REFUSED(c->rights = AK_RIGHT_SEND, "rights 0x1 are not valid for aspace capabilities (allowed 0x4)");
    CAP_REFUSED(c->badge = 1, "cap 3 (vmm slot 3): badge 0x1 on a capability of kind aspace");
    c = &spec.caps[4];               /* vmm slot 4, physmem */
    CAP_REFUSED(c->target = BI_PHYSMEM_MAX_MIB + 1u, "cap 4 (vmm slot 4): physmem capability asks for 1048577 MiB (at most 1048576)");
    CAP_REFUSED(c->target = UINT32_MAX, "cap 4 (vmm slot 4): physmem capability asks for 4294967295 MiB");
    CAP_REFUSED(c->rights = AK_RIGHT_RECV | AK_RIGHT_WRITE, "rights 0x6 are not valid for physmem capabilities");
    CAP_REFUSED(c->badge = 5, "badge 0x5 on a capability of kind physmem");
    CAP_REFUSED((spec.caps[5] = *c, spec.caps[5].holder = PONG),
                "cap 5 (pong slot 4): a second physmem capability for the rest of RAM (cap 4)");
    CAP_REFUSED((spec.caps[5] = *c, spec.caps[5].slot = 9, spec.caps[5].target = 64),
                "cap 5 (vmm slot 9): a second physmem capability for vmm (cap 4)");
    /* Badge 0 on a vmm's endpoint is init's: nobody else sends on it unbadged. */
    c = &spec.caps[2];               /* ping's send right to endpoint 0, which the vmm receives on */
    CAP_REFUSED(c->badge = 0, "cap 2 (ping slot 1): a send right to endpoint 0, which the vmm vmm receives on, "
                              "needs a badge (badge 0 is init's)");
    CAP_REFUSED((c->badge = 0, c->target = EP_PAGER), "cap 2 (ping slot 1): a send right to endpoint 1");
#undef CAP_REFUSED
    /* The vmm itself may hold one; a program without physical memory is no vmm; a receive right is not a send. */
    static const struct { uint32_t holder, kind, rights, target; } ok[] = {
        { VMM, AK_CAP_ENDPOINT, AK_RIGHT_SEND, EP_VMM },
        { PING, AK_CAP_ENDPOINT, AK_RIGHT_RECV, EP_VMM },
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        tb_standard(&spec);
        spec.caps[2].holder = ok[k].holder;
        spec.caps[2].slot = 9;
        spec.caps[2].kind = ok[k].kind;
        spec.caps[2].rights = ok[k].rights;
        spec.caps[2].target = ok[k].target;
        spec.caps[2].badge = 0;
        spec_accepted();
    }
    /* Shares: one per holder, any number of them sized, one at most for the rest. */
    tb_standard(&spec);
    spec.caps[4].target = BI_PHYSMEM_MAX_MIB;
    spec.caps[5] = (bi_cap_rec_t){ .holder = PONG, .slot = 4, .kind = AK_CAP_PHYSMEM, .rights = AK_RIGHT_WRITE,
                                   .target = 1 };
    spec.caps[6] = (bi_cap_rec_t){ .holder = PING, .slot = 4, .kind = AK_CAP_PHYSMEM, .rights = AK_RIGHT_WRITE,
                                   .target = BI_PHYSMEM_REST };
    spec.ncaps = 7;
    spec_accepted();
    tb_standard(&spec);
    spec.caps[4].holder = PING;      /* physical memory to ping, which receives on nothing: no vmm endpoint */
    spec.caps[4].slot = 4;
    spec.caps[2].badge = 0;
    spec_accepted();
}

/* --- robustness -------------------------------------------------------------- */

/* Checks bootimage.h's promises about an accepted view of the blob b. */
static void check_view(const bootimage_t *v, const uint8_t *b, size_t size)
{
    assert_true(v->nprograms >= 1 && v->nprograms <= BI_MAX_PROGRAMS);
    assert_true(v->nendpoints <= BI_MAX_ENDPOINTS && v->ncaps <= BI_MAX_CAPS);
    for (uint32_t i = 0; i < v->nprograms; i++) {
        const bootimage_program_t *p = &v->programs[i];
        assert_true((const uint8_t *)p->name >= b && (const uint8_t *)p->name < b + size);
        assert_true(strlen(p->name) >= 1 && strlen(p->name) < AK_NAME_MAX);
        assert_true(strlen(p->args) < AK_ARGS_MAX);
        assert_true(p->elf >= b && p->elf_size <= size && p->elf <= b + size - p->elf_size);
        assert_true(p->priority <= BI_PRIORITY_MAX);
        assert_true(p->pager == -1 || (p->pager >= 0 && (uint32_t)p->pager < v->nendpoints));
        assert_true(p->image.nsegs >= 1 && p->image.nsegs <= ELF_MAX_SEGMENTS);
    }
    uint32_t seen[BI_MAX_PROGRAMS] = { 0 };
    for (uint32_t i = 0; i < v->ncaps; i++) {
        const bootimage_cap_t *c = &v->caps[i];
        assert_true(c->holder < v->nprograms && c->slot < AK_BOOT_CAP_SLOTS);
        assert_false(seen[c->holder] & (1u << c->slot));
        seen[c->holder] |= 1u << c->slot;
        assert_true(c->badge <= AK_BADGE_MAX);
        assert_true(c->kind >= AK_CAP_ENDPOINT && c->kind <= AK_CAP_PHYSMEM);
    }
}

static void parse_mutant(const uint8_t *b, size_t size)
{
    static bootimage_t v;
    char err[ERR_MAX];
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, b, size);
    int rc = bootimage_parse(copy, size, &v, err, sizeof err);
    assert_true(rc == 0 || rc == -AK_EINVAL);
    if (rc == 0)
        check_view(&v, copy, size);
    free(copy);
}

static void test_byte_flip_sweep(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    static const uint8_t masks[] = { 0x01, 0x02, 0x40, 0x80, 0xff };
    for (size_t i = 0; i < size; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            b[i] ^= masks[m];
            parse_mutant(b, size);
            b[i] ^= masks[m];
        }
    }
    free(b);
}

static void test_random_mutations(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = tb_build(&spec, &size);
    const bi_header_t h = get_hdr(b);
    size_t meta = h.strings_off + h.strings_size;  /* header, tables and strings */
    uint8_t *m = malloc(size);
    assert_non_null(m);
    srand(FUZZ_SEED);
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        memcpy(m, b, size);
        int flips = 1 + rand() % 6;
        for (int f = 0; f < flips; f++)
            m[(size_t)rand() % meta] = (uint8_t)(rand() % 3 == 0 ? 0xff : rand());
        parse_mutant(m, size);
    }
    free(m);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_view, setup),
        cmocka_unit_test_setup(test_padding_after_image_ignored, setup),
        cmocka_unit_test_setup(test_limits_reached_exactly, setup),
        cmocka_unit_test_setup(test_every_truncation_refused, setup),
        cmocka_unit_test_setup(test_header_lies, setup),
        cmocka_unit_test_setup(test_init_reader, setup),
        cmocka_unit_test_setup(test_file_table, setup),
        cmocka_unit_test_setup(test_bad_strings, setup),
        cmocka_unit_test_setup(test_bad_program_fields, setup),
        cmocka_unit_test_setup(test_bad_elf_placement, setup),
        cmocka_unit_test_setup(test_bad_caps, setup),
        cmocka_unit_test_setup(test_byte_flip_sweep, setup),
        cmocka_unit_test_setup(test_random_mutations, setup),
    };
    return cmocka_run_group_tests_name("bootimage", tests, NULL, NULL);
}
