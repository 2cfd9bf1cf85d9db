/*
 * A validating reader of the ELF files that the boot image carries: static
 * AArch64 executables (ELF64, little-endian, ET_EXEC) whose PT_LOAD
 * segments the kernel maps into a fresh address space with 4 KiB pages.
 *
 * elf_parse decodes and checks everything before it reports success, so a
 * loader that gets 0 back can map the segments without another check:
 *   - every byte it reads lies inside [data, data + size);
 *   - each segment's file bytes lie inside the file, filesz <= memsz,
 *     [vaddr, vaddr + memsz) lies inside the caller's [min, max) without
 *     wrapping, and vaddr and the file offset agree modulo the page size;
 *   - no two segments share a page, no segment is both writable and
 *     executable, and the entry point lies in the file-backed part of an
 *     executable segment.
 * The on-disk structures are defined here (the kernel is freestanding and
 * has no <elf.h>); they are read with memcpy, so the file needs no
 * particular alignment.  It compiles for the kernel, for programs (init,
 * later) and for the host (mkimage, the tests, the fuzzer).
 */
#ifndef BOOTFMT_ELF_H
#define BOOTFMT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most PT_LOAD segments a program may have (text, rodata, data, bss, ...). */
#define ELF_MAX_SEGMENTS 8u

/* e_ident */
#define ELF_EI_NIDENT     16u
#define ELF_EI_MAG0        0u
#define ELF_EI_CLASS       4u
#define ELF_EI_DATA        5u
#define ELF_EI_VERSION     6u
#define ELF_MAGIC         "\177ELF"
#define ELF_MAGIC_LEN      4u
#define ELF_CLASS64        2u
#define ELF_DATA2LSB       1u
#define ELF_EV_CURRENT     1u

#define ELF_ET_EXEC        2u
#define ELF_EM_AARCH64   183u

/* p_type */
#define ELF_PT_LOAD        1u
#define ELF_PT_DYNAMIC     2u
#define ELF_PT_INTERP      3u

/* p_flags */
#define ELF_PF_X           1u
#define ELF_PF_W           2u
#define ELF_PF_R           4u

/* The ELF64 file header, as on disk (little-endian). */
typedef struct elf64_ehdr {
    uint8_t  e_ident[ELF_EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
} elf64_ehdr_t;

/* An ELF64 program header, as on disk (little-endian). */
typedef struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
} elf64_phdr_t;

/* sh_type */
#define ELF_SHT_NOBITS     8u

/* An ELF64 section header, as on disk (little-endian). */
typedef struct elf64_shdr {
    uint32_t sh_name;       /* offset of its name in the section name table */
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
} elf64_shdr_t;

_Static_assert(sizeof(elf64_ehdr_t) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(elf64_shdr_t) == 64, "ELF64 section header is 64 bytes");
_Static_assert(sizeof(elf64_phdr_t) == 56, "ELF64 program header is 56 bytes");

/*
 * One segment to map: memsz bytes at vaddr, the first filesz of them copied
 * from the file at offset, the rest zero.
 */
typedef struct elf_segment {
    uint64_t vaddr;   /* a user virtual address */
    uint64_t memsz;   /* > 0 */
    uint64_t filesz;  /* <= memsz */
    uint64_t offset;  /* in the file; offset % AK_PAGE_SIZE == vaddr % AK_PAGE_SIZE */
    uint32_t prot;    /* AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC, never W and X */
} elf_segment_t;

/* A decoded executable: its entry point and its segments in file order. */
typedef struct elf_image {
    uint64_t entry;   /* a user virtual address */
    uint32_t nsegs;   /* 1 .. ELF_MAX_SEGMENTS */
    elf_segment_t segs[ELF_MAX_SEGMENTS];
} elf_image_t;

/*
 * Decodes and validates the ELF file of size bytes at data, for loading at
 * user addresses inside [min, max) (both page-aligned, min < max).
 * PT_LOAD segments with memsz 0 are skipped; other segment types are
 * ignored except PT_INTERP and PT_DYNAMIC, which are refused.  Reads
 * nothing outside the file and writes nothing but *out and err.
 *
 * Returns 0 and fills *out, or -AK_EINVAL with a one-line reason in err
 * (NUL-terminated, truncated to errlen; err may be NULL when errlen is 0)
 * for: a file shorter than its header; wrong magic, class (not ELF64),
 * byte order (not little-endian), version, type (not ET_EXEC) or machine
 * (not AArch64); e_phentsize other than 56; a program header table outside
 * the file; PT_INTERP or PT_DYNAMIC; a PT_LOAD with filesz > memsz, file
 * bytes outside the file, an address range outside [min, max) or wrapping,
 * vaddr and offset disagreeing modulo the page size, both PF_W and PF_X,
 * or sharing a page with another segment; more than ELF_MAX_SEGMENTS or no
 * PT_LOAD; an entry point outside the file-backed part of every executable
 * segment.  *out is unspecified after an error.
 */
int elf_parse(const void *data, size_t size, uint64_t min, uint64_t max, elf_image_t *out,
              char *err, size_t errlen);

/*
 * Finds the section called name (a NUL-terminated string) in the ELF file
 * of size bytes at data, through its section header table and section
 * name table, checking each as it reads it; the file need not have passed
 * elf_parse (only its header's size is assumed).  Returns 0 with the
 * section's file bytes in [*off, *off + *len), all inside the file;
 * -AK_ENOENT if the file has no section headers or none of that name;
 * -AK_EINVAL for a header too short, e_shentsize other than 64, a table or
 * the name table outside the file (or wrapping), e_shstrndx past the table,
 * a name offset past the name table or a name running off its end, or the
 * section found having no file bytes (SHT_NOBITS) or bytes outside the
 * file.  Reads nothing outside the file.
 */
int elf_find_section(const void *data, size_t size, const char *name, uint64_t *off, uint64_t *len);

#endif /* BOOTFMT_ELF_H */
