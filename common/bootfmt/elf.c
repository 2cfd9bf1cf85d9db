/*
 * The ELF reader (see elf.h).  Decode, then check, in the order a reader of
 * the error message would want: the identification bytes, the header, the
 * program header table's bounds, each PT_LOAD on its own, then the
 * segments against each other and the entry point against the segments.
 *
 * Every header is copied out with memcpy before use (the file may sit at
 * any alignment), and every sum of two file-controlled values is checked
 * against overflow before it is formed.  Messages name segments by their
 * program header index, as `readelf -l` numbers them.
 */
#include <bootfmt/elf.h>

#include <stdarg.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <common/fmt.h>
#include <common/string.h>

/* Writes the reason into err (if there is room) and returns -AK_EINVAL. */
static int elf_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int elf_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -AK_EINVAL;
}

/* The file range [off, off + len) lies inside a file of size bytes, without wrapping. */
static bool elf_in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

static int elf_check_header(const elf64_ehdr_t *eh, size_t size, char *err, size_t errlen)
{
    if (memcmp(eh->e_ident, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
        return elf_fail(err, errlen, "not an ELF file (bad magic)");
    if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
        return elf_fail(err, errlen, "not a 64-bit ELF file (class %u)",
                        (unsigned)eh->e_ident[ELF_EI_CLASS]);
    if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
        return elf_fail(err, errlen, "not a little-endian ELF file (data encoding %u)",
                        (unsigned)eh->e_ident[ELF_EI_DATA]);
    if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
        return elf_fail(err, errlen, "unsupported ELF version %u/%u",
                        (unsigned)eh->e_ident[ELF_EI_VERSION], (unsigned)eh->e_version);
    if (eh->e_type != ELF_ET_EXEC)
        return elf_fail(err, errlen, "not a static executable (ELF type %u, want ET_EXEC)",
                        (unsigned)eh->e_type);
    if (eh->e_machine != ELF_EM_AARCH64)
        return elf_fail(err, errlen, "not an AArch64 executable (machine %u)",
                        (unsigned)eh->e_machine);
    if (eh->e_phentsize != sizeof(elf64_phdr_t))
        return elf_fail(err, errlen, "program header size %u, want %u",
                        (unsigned)eh->e_phentsize, (unsigned)sizeof(elf64_phdr_t));
    uint64_t table = (uint64_t)eh->e_phnum * sizeof(elf64_phdr_t);
    if (!elf_in_file(eh->e_phoff, table, size))
        return elf_fail(err, errlen,
                        "program header table (offset 0x%lx, %u entries) extends past the end of "
                        "the file (%zu bytes)",
                        eh->e_phoff, (unsigned)eh->e_phnum, size);
    return 0;
}

static uint32_t elf_prot(uint32_t flags)
{
    uint32_t prot = AK_PROT_NONE;
    if (flags & ELF_PF_R)
        prot |= AK_PROT_READ;
    if (flags & ELF_PF_W)
        prot |= AK_PROT_WRITE;
    if (flags & ELF_PF_X)
        prot |= AK_PROT_EXEC;
    return prot;
}

/* Checks one nonempty PT_LOAD (program header index i) on its own. */
static int elf_check_load(const elf64_phdr_t *ph, unsigned i, size_t size, uint64_t min,
                          uint64_t max, char *err, size_t errlen)
{
    if (!elf_in_file(ph->p_offset, ph->p_filesz, size))
        return elf_fail(err, errlen,
                        "segment %u: file range 0x%lx+0x%lx extends past the end of the file "
                        "(%zu bytes)",
                        i, ph->p_offset, ph->p_filesz, size);
    if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
        return elf_fail(err, errlen, "segment %u: address range 0x%lx+0x%lx wraps around", i,
                        ph->p_vaddr, ph->p_memsz);
    uint64_t end = ph->p_vaddr + ph->p_memsz;
    if (ph->p_vaddr < min || end > max)
        return elf_fail(err, errlen,
                        "segment %u: addresses 0x%lx-0x%lx are outside the user image area "
                        "0x%lx-0x%lx",
                        i, ph->p_vaddr, end, min, max);
    if ((ph->p_vaddr & (AK_PAGE_SIZE - 1u)) != (ph->p_offset & (AK_PAGE_SIZE - 1u)))
        return elf_fail(err, errlen,
                        "segment %u: vaddr 0x%lx and file offset 0x%lx differ modulo the page "
                        "size",
                        i, ph->p_vaddr, ph->p_offset);
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        return elf_fail(err, errlen, "segment %u: both writable and executable", i);
    return 0;
}

/* True if two nonempty, non-wrapping segments touch a common page. */
static bool elf_pages_overlap(const elf_segment_t *a, const elf_segment_t *b)
{
    uint64_t a_first = a->vaddr >> AK_PAGE_SHIFT, a_last = (a->vaddr + a->memsz - 1u) >> AK_PAGE_SHIFT;
    uint64_t b_first = b->vaddr >> AK_PAGE_SHIFT, b_last = (b->vaddr + b->memsz - 1u) >> AK_PAGE_SHIFT;
    return a_first <= b_last && b_first <= a_last;
}

int elf_parse(const void *data, size_t size, uint64_t min, uint64_t max, elf_image_t *out,
              char *err, size_t errlen)
{
    const uint8_t *file = data;
    elf64_ehdr_t eh;
    if (!file || size < sizeof eh)
        return elf_fail(err, errlen, "file too short for an ELF header (%zu bytes)", size);
    memcpy(&eh, file, sizeof eh);
    int rc = elf_check_header(&eh, size, err, errlen);
    if (rc)
        return rc;

    unsigned phindex[ELF_MAX_SEGMENTS];
    out->nsegs = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        elf64_phdr_t ph;
        memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type == ELF_PT_INTERP || ph.p_type == ELF_PT_DYNAMIC)
            return elf_fail(err, errlen,
                            "segment %u: dynamically linked executables are not supported", i);
        if (ph.p_type != ELF_PT_LOAD)
            continue;
        if (ph.p_filesz > ph.p_memsz)
            return elf_fail(err, errlen, "segment %u: filesz 0x%lx exceeds memsz 0x%lx", i,
                            ph.p_filesz, ph.p_memsz);
        if (ph.p_memsz == 0)
            continue;
        rc = elf_check_load(&ph, i, size, min, max, err, errlen);
        if (rc)
            return rc;
        if (out->nsegs == ELF_MAX_SEGMENTS)
            return elf_fail(err, errlen, "more than %u PT_LOAD segments", ELF_MAX_SEGMENTS);
        elf_segment_t *seg = &out->segs[out->nsegs];
        *seg = (elf_segment_t){
            .vaddr = ph.p_vaddr,
            .memsz = ph.p_memsz,
            .filesz = ph.p_filesz,
            .offset = ph.p_offset,
            .prot = elf_prot(ph.p_flags),
        };
        for (uint32_t j = 0; j < out->nsegs; j++)
            if (elf_pages_overlap(&out->segs[j], seg))
                return elf_fail(err, errlen, "segment %u: shares a page with segment %u", i,
                                phindex[j]);
        phindex[out->nsegs++] = i;
    }
    if (out->nsegs == 0)
        return elf_fail(err, errlen, "no PT_LOAD segment");

    out->entry = eh.e_entry;
    for (uint32_t j = 0; j < out->nsegs; j++) {
        const elf_segment_t *seg = &out->segs[j];
        if ((seg->prot & AK_PROT_EXEC) && eh.e_entry >= seg->vaddr &&
            eh.e_entry - seg->vaddr < seg->filesz)
            return 0;
    }
    return elf_fail(err, errlen, "entry point 0x%lx is not in an executable segment", eh.e_entry);
}

/* The section header at index i (i < shnum; the table's bounds are checked). */
static elf64_shdr_t elf_shdr(const uint8_t *file, const elf64_ehdr_t *eh, unsigned i)
{
    elf64_shdr_t sh;
    memcpy(&sh, file + eh->e_shoff + (uint64_t)i * sizeof sh, sizeof sh);
    return sh;
}

int elf_find_section(const void *data, size_t size, const char *name, uint64_t *off, uint64_t *len)
{
    const uint8_t *file = data;
    elf64_ehdr_t eh;
    if (!file || size < sizeof eh)
        return -AK_EINVAL;
    memcpy(&eh, file, sizeof eh);
    if (eh.e_shnum == 0 || eh.e_shoff == 0)
        return -AK_ENOENT;
    if (eh.e_shentsize != sizeof(elf64_shdr_t)
        || !elf_in_file(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(elf64_shdr_t), size)
        || eh.e_shstrndx >= eh.e_shnum)
        return -AK_EINVAL;
    elf64_shdr_t names = elf_shdr(file, &eh, eh.e_shstrndx);
    if (names.sh_type == ELF_SHT_NOBITS || !elf_in_file(names.sh_offset, names.sh_size, size))
        return -AK_EINVAL;
    const char *table = (const char *)file + names.sh_offset;
    size_t want = strlen(name);
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        elf64_shdr_t sh = elf_shdr(file, &eh, i);
        if (sh.sh_name >= names.sh_size)
            return -AK_EINVAL;
        uint64_t room = names.sh_size - sh.sh_name;  /* the name and its NUL lie in the table */
        const char *at = table + sh.sh_name;
        if (memchr(at, '\0', room) == NULL)
            return -AK_EINVAL;
        if (strlen(at) != want || memcmp(at, name, want) != 0)
            continue;
        if (sh.sh_type == ELF_SHT_NOBITS || !elf_in_file(sh.sh_offset, sh.sh_size, size))
            return -AK_EINVAL;
        *off = sh.sh_offset;
        *len = sh.sh_size;
        return 0;
    }
    return -AK_ENOENT;
}
