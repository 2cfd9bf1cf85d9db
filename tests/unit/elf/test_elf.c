/*
 * The ELF reader: a minimal valid executable and a real one built by the
 * guest toolchain parse to the right segments; every truncation and every
 * hostile header is refused with the right reason; byte-flipping and
 * random mutation never make it read outside the file (files live in
 * exactly-sized heap buffers, under ASan).  elf_find_section finds a
 * section by name in hand-built tables and in the real executable, and
 * refuses every malformed table, name and range.
 */
#define _GNU_SOURCE  /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <bootfmt/elf.h>

#include "testelf.h"

#define IMG_MIN AK_USER_IMAGE_MIN
#define IMG_MAX AK_USER_IMAGE_MAX
#define ERR_MAX 256
#define PT_NOTE 4u
#define PT_GNU_STACK 0x6474e551u
#define EM_X86_64 62u
#define ET_DYN 3u
#define FUZZ_ROUNDS 20000
#define FUZZ_SEED 12345u
#define AK_NOT_A_SECTION ".akuma.none"

static int parse(const testelf_t *t, elf_image_t *img, char *err)
{
    size_t size;
    uint8_t *buf = testelf_render(t, &size);
    int rc = elf_parse(buf, size, IMG_MIN, IMG_MAX, img, err, ERR_MAX);
    free(buf);
    return rc;
}

static void expect_refused_(const testelf_t *t, const char *want, const char *file, int line)
{
    elf_image_t img;
    char err[ERR_MAX] = "";
    int rc = parse(t, &img, err);
    if (rc != -AK_EINVAL)
        fail_msg("%s:%d: accepted (rc %d), want an error with '%s'", file, line, rc, want);
    if (!strstr(err, want))
        fail_msg("%s:%d: error '%s' does not mention '%s'", file, line, err, want);
}
#define expect_refused(t, want) expect_refused_(t, want, __FILE__, __LINE__)

static void test_minimal_valid(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    elf_image_t img;
    char err[ERR_MAX] = "";
    assert_int_equal(parse(&t, &img, err), 0);
    assert_string_equal(err, "");
    assert_int_equal(img.entry, TESTELF_BASE + 0x100);
    assert_int_equal(img.nsegs, 2);
    assert_int_equal(img.segs[0].vaddr, TESTELF_BASE);
    assert_int_equal(img.segs[0].memsz, 0x200);
    assert_int_equal(img.segs[0].filesz, 0x200);
    assert_int_equal(img.segs[0].offset, 0);
    assert_int_equal(img.segs[0].prot, AK_PROT_READ | AK_PROT_EXEC);
    assert_int_equal(img.segs[1].vaddr, TESTELF_BASE + 0x1000);
    assert_int_equal(img.segs[1].memsz, 0x2000);
    assert_int_equal(img.segs[1].filesz, 0x10);
    assert_int_equal(img.segs[1].offset, 0x1000);
    assert_int_equal(img.segs[1].prot, AK_PROT_READ | AK_PROT_WRITE);
}

static void test_ignored_and_skipped_headers(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_phnum = 5;
    t.ph[2] = (elf64_phdr_t){ .p_type = PT_GNU_STACK, .p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X };
    t.ph[3] = (elf64_phdr_t){ .p_type = PT_NOTE, .p_offset = UINT64_MAX, .p_filesz = 99 };
    /* An empty PT_LOAD maps nothing and is skipped, wherever it claims to be. */
    t.ph[4] = (elf64_phdr_t){ .p_type = ELF_PT_LOAD, .p_vaddr = 0x1234, .p_flags = ELF_PF_W | ELF_PF_X };
    elf_image_t img;
    char err[ERR_MAX];
    assert_int_equal(parse(&t, &img, err), 0);
    assert_int_equal(img.nsegs, 2);
}

static void test_every_truncation_refused(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    size_t size;
    uint8_t *full = testelf_render(&t, &size);
    for (size_t len = 0; len < size; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, full, len);
        elf_image_t img;
        char err[ERR_MAX] = "";
        if (elf_parse(cut, len, IMG_MIN, IMG_MAX, &img, err, sizeof err) != -AK_EINVAL)
            fail_msg("a file cut to %zu bytes was accepted", len);
        assert_true(err[0] != '\0');
        free(cut);
    }
    free(full);
}

static void test_bad_identification(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_ident[1] = 'X';
    expect_refused(&t, "bad magic");
    testelf_minimal(&t);
    t.eh.e_ident[ELF_EI_CLASS] = 1;
    expect_refused(&t, "not a 64-bit ELF file (class 1)");
    testelf_minimal(&t);
    t.eh.e_ident[ELF_EI_DATA] = 2;
    expect_refused(&t, "not a little-endian");
    testelf_minimal(&t);
    t.eh.e_ident[ELF_EI_VERSION] = 0;
    expect_refused(&t, "unsupported ELF version");
    testelf_minimal(&t);
    t.eh.e_version = 2;
    expect_refused(&t, "unsupported ELF version");
    testelf_minimal(&t);
    t.eh.e_type = ET_DYN;
    expect_refused(&t, "not a static executable (ELF type 3");
    testelf_minimal(&t);
    t.eh.e_machine = EM_X86_64;
    expect_refused(&t, "not an AArch64 executable (machine 62)");
    testelf_minimal(&t);
    t.eh.e_phentsize = 32;
    expect_refused(&t, "program header size 32, want 56");
}

static void test_program_header_table_bounds(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_phoff = TESTELF_SIZE;
    expect_refused(&t, "program header table (offset 0x1010, 2 entries) extends past the end");
    t.eh.e_phoff = UINT64_MAX - 8;
    expect_refused(&t, "extends past the end of the file");
    testelf_minimal(&t);
    t.eh.e_phnum = UINT16_MAX;
    expect_refused(&t, "65535 entries) extends past the end");
    testelf_minimal(&t);
    t.eh.e_phoff = TESTELF_SIZE - sizeof(elf64_phdr_t);
    expect_refused(&t, "extends past the end");
    testelf_minimal(&t);
    t.eh.e_phnum = 0;
    expect_refused(&t, "no PT_LOAD segment");
}

static void test_segment_file_range(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.ph[1].p_filesz = 0x11;
    expect_refused(&t, "segment 1: file range 0x1000+0x11 extends past the end of the file");
    testelf_minimal(&t);
    t.ph[1].p_offset = UINT64_MAX - 0xfff;  /* offset + filesz wraps; congruent with vaddr */
    expect_refused(&t, "segment 1: file range");
    testelf_minimal(&t);
    t.ph[1].p_filesz = 0x2001;
    expect_refused(&t, "segment 1: filesz 0x2001 exceeds memsz 0x2000");
}

static void test_segment_address_range(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.ph[0].p_vaddr = IMG_MIN - 0x1000;
    t.eh.e_entry = t.ph[0].p_vaddr + 0x100;
    expect_refused(&t, "segment 0: addresses 0x3ff000-0x3ff200 are outside the user image area");
    testelf_minimal(&t);
    t.ph[1].p_memsz = IMG_MAX - t.ph[1].p_vaddr + 1;
    expect_refused(&t, "segment 1: addresses");
    testelf_minimal(&t);
    t.ph[1].p_vaddr = UINT64_MAX & ~UINT64_C(0xfff);
    expect_refused(&t, "segment 1: address range 0xfffffffffffff000+0x2000 wraps around");
    testelf_minimal(&t);
    t.ph[1].p_vaddr = IMG_MAX - 0x2000;  /* ends exactly at max: fine */
    elf_image_t img;
    char err[ERR_MAX];
    assert_int_equal(parse(&t, &img, err), 0);
}

static void test_alignment_overlap_wx(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.ph[1].p_vaddr += 4;
    expect_refused(&t, "segment 1: vaddr 0x401004 and file offset 0x1000 differ modulo the page size");
    testelf_minimal(&t);
    t.ph[1].p_vaddr = TESTELF_BASE;  /* the same addresses as the text */
    expect_refused(&t, "segment 1: shares a page with segment 0");
    testelf_minimal(&t);
    t.size = 0x1810;                 /* disjoint bytes, but one page */
    t.ph[1].p_vaddr = TESTELF_BASE + 0x800;
    t.ph[1].p_offset = 0x1800;
    t.ph[1].p_memsz = 0x10;
    expect_refused(&t, "segment 1: shares a page with segment 0");
    testelf_minimal(&t);
    t.ph[0].p_vaddr = TESTELF_BASE + 0x2000;  /* the data, listed later, runs into the text */
    t.eh.e_entry = t.ph[0].p_vaddr;
    expect_refused(&t, "segment 1: shares a page with segment 0");
    testelf_minimal(&t);
    t.ph[1].p_flags |= ELF_PF_X;
    expect_refused(&t, "segment 1: both writable and executable");
}

static void test_segment_count(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_phnum = ELF_MAX_SEGMENTS + 1;
    t.size = (size_t)0x1000 * (ELF_MAX_SEGMENTS + 1);
    for (unsigned i = 1; i <= ELF_MAX_SEGMENTS; i++)
        t.ph[i] = (elf64_phdr_t){ .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R,
                                  .p_offset = UINT64_C(0x1000) * i, .p_vaddr = TESTELF_BASE + UINT64_C(0x1000) * i,
                                  .p_filesz = 0x10, .p_memsz = 0x10 };
    expect_refused(&t, "more than 8 PT_LOAD segments");
    t.eh.e_phnum = ELF_MAX_SEGMENTS;  /* exactly the maximum */
    elf_image_t img;
    char err[ERR_MAX];
    assert_int_equal(parse(&t, &img, err), 0);
    assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS);
    testelf_minimal(&t);
    t.ph[0].p_type = PT_NOTE;
    t.ph[1].p_type = PT_NOTE;
    expect_refused(&t, "no PT_LOAD segment");
}

static void test_dynamic_refused(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_phnum = 3;
    t.ph[2] = (elf64_phdr_t){ .p_type = ELF_PT_INTERP, .p_offset = 0x100, .p_filesz = 8 };
    expect_refused(&t, "segment 2: dynamically linked");
    t.ph[2].p_type = ELF_PT_DYNAMIC;
    expect_refused(&t, "segment 2: dynamically linked");
}

static void test_entry_point(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_entry = TESTELF_BASE + 0x1000;  /* in the data segment */
    expect_refused(&t, "entry point 0x401000 is not in an executable segment");
    t.eh.e_entry = 0;
    expect_refused(&t, "entry point 0x0 is not in an executable segment");
    t.eh.e_entry = TESTELF_BASE + 0x200;  /* one past the text */
    expect_refused(&t, "entry point");
    testelf_minimal(&t);
    t.ph[0].p_memsz = 0x400;              /* entry in the zero-filled tail */
    t.eh.e_entry = TESTELF_BASE + 0x300;
    expect_refused(&t, "entry point");
    t.eh.e_entry = TESTELF_BASE + 0x1ff;
    elf_image_t img;
    char err[ERR_MAX];
    assert_int_equal(parse(&t, &img, err), 0);
}

static void test_error_buffer(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    t.eh.e_machine = EM_X86_64;
    size_t size;
    uint8_t *buf = testelf_render(&t, &size);
    elf_image_t img;
    assert_int_equal(elf_parse(buf, size, IMG_MIN, IMG_MAX, &img, NULL, 0), -AK_EINVAL);
    char small[8];
    memset(small, 'x', sizeof small);
    assert_int_equal(elf_parse(buf, size, IMG_MIN, IMG_MAX, &img, small, sizeof small), -AK_EINVAL);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(elf_parse(NULL, 0, IMG_MIN, IMG_MAX, &img, small, sizeof small), -AK_EINVAL);
    free(buf);
}

/* Parses a mutated copy; accepted results must still keep elf.h's promises. */
static void check_mutant(const uint8_t *buf, size_t size)
{
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, buf, size);
    elf_image_t img;
    char err[ERR_MAX];
    int rc = elf_parse(copy, size, IMG_MIN, IMG_MAX, &img, err, sizeof err);
    assert_true(rc == 0 || rc == -AK_EINVAL);
    if (rc == 0) {
        assert_true(img.nsegs >= 1 && img.nsegs <= ELF_MAX_SEGMENTS);
        for (uint32_t i = 0; i < img.nsegs; i++) {
            const elf_segment_t *s = &img.segs[i];
            assert_true(s->filesz <= s->memsz && s->memsz > 0);
            assert_true(s->offset <= size && s->filesz <= size - s->offset);
            assert_true(s->vaddr >= IMG_MIN && s->memsz <= IMG_MAX - s->vaddr);
            assert_true((s->prot & (AK_PROT_WRITE | AK_PROT_EXEC)) !=
                        (AK_PROT_WRITE | AK_PROT_EXEC));
        }
    }
    free(copy);
}

static void test_byte_flips_and_fuzz(void **state)
{
    (void)state;
    testelf_t t;
    testelf_minimal(&t);
    size_t size;
    uint8_t *buf = testelf_render(&t, &size);
    static const uint8_t masks[] = { 0x01, 0x80, 0xff };
    size_t headers = sizeof(elf64_ehdr_t) + 2 * sizeof(elf64_phdr_t);
    for (size_t i = 0; i < headers; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            buf[i] ^= masks[m];
            check_mutant(buf, size);
            buf[i] ^= masks[m];
        }
    }
    srand(FUZZ_SEED);
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        uint8_t *m = malloc(size);
        assert_non_null(m);
        memcpy(m, buf, size);
        int flips = 1 + rand() % 4;
        for (int f = 0; f < flips; f++)
            m[(size_t)rand() % headers] = (uint8_t)rand();
        check_mutant(m, size);
        free(m);
    }
    free(buf);
}

/* --- sections (elf_find_section) ------------------------------------------------- */

/*
 * A file with a section table: the header, the name table at 64, a
 * section's two bytes after it, then three section headers (none, the
 * names, ".akuma.malloc").  sec_names is the name table's text.
 */
static const char sec_names[] = "\0.shstrtab\0.akuma.malloc";
#define SEC_NAMES_OFF  64u
#define SEC_DATA_OFF   (SEC_NAMES_OFF + sizeof sec_names)
#define SEC_TABLE_OFF  128u
#define SEC_FILE_SIZE  (SEC_TABLE_OFF + 3u * sizeof(elf64_shdr_t))

typedef struct {
    elf64_ehdr_t eh;
    elf64_shdr_t sh[3];
    size_t size;
} secfile_t;

static void secfile_valid(secfile_t *f)
{
    memset(f, 0, sizeof *f);
    memcpy(f->eh.e_ident, ELF_MAGIC, ELF_MAGIC_LEN);
    f->eh.e_shoff = SEC_TABLE_OFF;
    f->eh.e_shentsize = sizeof(elf64_shdr_t);
    f->eh.e_shnum = 3;
    f->eh.e_shstrndx = 1;
    f->sh[1] = (elf64_shdr_t){ .sh_name = 1, .sh_type = 3, .sh_offset = SEC_NAMES_OFF, .sh_size = sizeof sec_names };
    f->sh[2] = (elf64_shdr_t){ .sh_name = 11, .sh_type = 1, .sh_offset = SEC_DATA_OFF, .sh_size = 2 };
    f->size = SEC_FILE_SIZE;
}

/* Renders f into an exactly sized buffer; what lies outside it is clipped. */
static uint8_t *secfile_render(const secfile_t *f)
{
    uint8_t whole[SEC_FILE_SIZE] = { 0 };
    memcpy(whole, &f->eh, sizeof f->eh);
    memcpy(whole + SEC_NAMES_OFF, sec_names, sizeof sec_names);
    whole[SEC_DATA_OFF] = 2;
    whole[SEC_DATA_OFF + 1] = 1;
    memcpy(whole + SEC_TABLE_OFF, f->sh, sizeof f->sh);
    uint8_t *buf = malloc(f->size ? f->size : 1);
    assert_non_null(buf);
    memcpy(buf, whole, f->size < sizeof whole ? f->size : sizeof whole);
    return buf;
}

static int find(const secfile_t *f, const char *name, uint64_t *off, uint64_t *len)
{
    uint8_t *buf = secfile_render(f);
    int rc = elf_find_section(buf, f->size, name, off, len);
    free(buf);
    return rc;
}

static void test_section_found(void **state)
{
    (void)state;
    secfile_t f;
    secfile_valid(&f);
    uint64_t off = 0, len = 0;
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), 0);
    assert_int_equal(off, SEC_DATA_OFF);
    assert_int_equal(len, 2);
    assert_int_equal(find(&f, ".shstrtab", &off, &len), 0);
    assert_int_equal(off, SEC_NAMES_OFF);
    assert_int_equal(find(&f, ".akuma", &off, &len), -AK_ENOENT);         /* a prefix is not the name */
    assert_int_equal(find(&f, ".akuma.malloc.x", &off, &len), -AK_ENOENT);
    f.eh.e_shnum = 0;
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_ENOENT);  /* no section headers */
    secfile_valid(&f);
    f.eh.e_shoff = 0;
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_ENOENT);
}

static void test_section_table_refused(void **state)
{
    (void)state;
    secfile_t f;
    uint64_t off = 7, len = 7;
    secfile_valid(&f);
    f.eh.e_shentsize = 40;
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.size = SEC_FILE_SIZE - 1;  /* the table's last byte outside the file */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.eh.e_shoff = UINT64_MAX - 64;  /* wraps */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.eh.e_shstrndx = 3;  /* past the table */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[1].sh_offset = SEC_FILE_SIZE - 4;  /* the name table outside the file */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[1].sh_size = UINT64_MAX;  /* wraps */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[1].sh_type = ELF_SHT_NOBITS;
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    assert_int_equal(off, 7);  /* nothing written on a refusal */
    assert_int_equal(len, 7);
}

static void test_section_names_and_bytes_refused(void **state)
{
    (void)state;
    secfile_t f;
    uint64_t off = 7, len = 7;
    secfile_valid(&f);
    f.sh[2].sh_name = sizeof sec_names;  /* past the name table */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[1].sh_size = sizeof sec_names - 1;  /* the last name runs off the table's end */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[2].sh_offset = SEC_FILE_SIZE - 1;  /* its bytes run past the file */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[2].sh_offset = 16;
    f.sh[2].sh_size = UINT64_MAX - 8;  /* wraps */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    secfile_valid(&f);
    f.sh[2].sh_type = ELF_SHT_NOBITS;  /* no file bytes */
    assert_int_equal(find(&f, ".akuma.malloc", &off, &len), -AK_EINVAL);
    assert_int_equal(off, 7);
    assert_int_equal(len, 7);
    for (size_t cut = 0; cut < SEC_FILE_SIZE; cut++) {  /* every truncation: refused, never a read past it */
        secfile_valid(&f);
        f.size = cut;
        int rc = find(&f, ".akuma.malloc", &off, &len);
        assert_true(rc == -AK_EINVAL || rc == -AK_ENOENT);
    }
}

static void test_real_aarch64_executable(void **state)
{
    (void)state;
    FILE *f = fopen(ELF_SAMPLE_PATH, "rb");
    if (!f)
        fail_msg("cannot open %s (built by tests/unit/elf/module.mk)", ELF_SAMPLE_PATH);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n > 0);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);

    elf_image_t img;
    char err[ERR_MAX] = "";
    int rc = elf_parse(buf, (size_t)n, IMG_MIN, IMG_MAX, &img, err, sizeof err);
    if (rc)
        fail_msg("the real executable was refused: %s", err);
    elf64_ehdr_t eh;
    memcpy(&eh, buf, sizeof eh);
    assert_int_equal(img.entry, eh.e_entry);
    uint32_t text = 0, data = 0;
    for (uint32_t i = 0; i < img.nsegs; i++) {
        if (img.segs[i].prot == (AK_PROT_READ | AK_PROT_EXEC))
            text++;
        if (img.segs[i].prot == (AK_PROT_READ | AK_PROT_WRITE)) {
            data++;
            assert_true(img.segs[i].memsz > img.segs[i].filesz); /* it has a .bss */
        }
    }
    assert_int_equal(text, 1);
    assert_int_equal(data, 1);
    /* The same file, loaded at a range that excludes it, is refused. */
    assert_int_equal(elf_parse(buf, (size_t)n, AK_USER_MMAP_MIN, AK_USER_MMAP_MAX, &img, err,
                               sizeof err), -AK_EINVAL);
    assert_non_null(strstr(err, "outside the user image area"));
    /* Its sections, as the linker wrote them. */
    uint64_t off = 0, len = 0;
    assert_int_equal(elf_find_section(buf, (size_t)n, ".rodata", &off, &len), 0);
    assert_true(len >= sizeof "sample");
    assert_non_null(memmem(buf + off, (size_t)len, "sample", sizeof "sample"));
    assert_int_equal(elf_find_section(buf, (size_t)n, ".bss", &off, &len), -AK_EINVAL);  /* no file bytes */
    assert_int_equal(elf_find_section(buf, (size_t)n, AK_NOT_A_SECTION, &off, &len), -AK_ENOENT);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_valid),
        cmocka_unit_test(test_ignored_and_skipped_headers),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_bad_identification),
        cmocka_unit_test(test_program_header_table_bounds),
        cmocka_unit_test(test_segment_file_range),
        cmocka_unit_test(test_segment_address_range),
        cmocka_unit_test(test_alignment_overlap_wx),
        cmocka_unit_test(test_segment_count),
        cmocka_unit_test(test_dynamic_refused),
        cmocka_unit_test(test_entry_point),
        cmocka_unit_test(test_error_buffer),
        cmocka_unit_test(test_byte_flips_and_fuzz),
        cmocka_unit_test(test_section_found),
        cmocka_unit_test(test_section_table_refused),
        cmocka_unit_test(test_section_names_and_bytes_refused),
        cmocka_unit_test(test_real_aarch64_executable),
    };
    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
