/*
 * The boot image: the compiled boot manifest and the ELF files of the
 * programs it starts, in one blob that the kernel embeds (section
 * .bootimage) and that tools/mkimage writes at build time.
 *
 * Layout (version BI_VERSION), little-endian, every region 8-byte aligned
 * and after the one before it, nothing overlapping:
 *
 *   bi_header_t                      at offset 0
 *   bi_program_rec_t[nprograms]      at programs_off, in start order
 *   bi_cap_rec_t[ncaps]              at caps_off
 *   bi_file_rec_t[nfiles]            at files_off: the ELF files init may
 *                                    spawn at run time and the data files
 *                                    proc.file reads, by name
 *   string area                      at strings_off: NUL-terminated names,
 *                                    arguments and the config string, each
 *                                    named by its offset in the area
 *   init's ELF file                  at init_off, after the string area
 *   ELF and data files               each at its program's or file's
 *                                    elf_off, after init's; instances of
 *                                    the same ELF may share one copy
 *
 * Endpoints have no records: an image has nendpoints of them, numbered
 * 0 .. nendpoints-1, and capabilities and pagers name them by number.
 *
 * The blob is the boot archive.  The kernel reads only its header, with
 * bootimage_init, to find init's ELF file and the config string; init
 * reads the rest with bootimage_parse, which decodes and checks the whole
 * blob, ELF files included, before init creates anything, so that building
 * the processes from the view cannot fail halfway (decode, then invoke).
 * Both compile for the kernel, for init and for the host (mkimage checks
 * its own output with them).
 */
#ifndef BOOTFMT_BOOTIMAGE_H
#define BOOTFMT_BOOTIMAGE_H

#include <bootfmt/elf.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/caps.h>
#include <akuma/abi/init.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the boot image is read and written in the machine's byte order: little-endian");

#define BI_MAGIC   UINT32_C(0x49424B41)  /* "AKBI" */
#define BI_VERSION 4u
#define BI_ALIGN   8u                    /* alignment of every region and ELF file */

#define BI_MAX_PROGRAMS  16u
#define BI_MAX_ENDPOINTS 32u
#define BI_MAX_CAPS      128u
#define BI_MAX_FILES     32u
/* bi_file_rec_t.kind: what a file of the file table is. */
#define BI_FILE_ELF      0u              /* an ELF file init may spawn */
#define BI_FILE_DATA     1u              /* a data file (a script, text) proc.file reads; never run */
#define BI_DATA_MAX      (UINT64_C(64) << 10)  /* bytes of a data file, at most */
/* The target of an endpoint capability to init's process manager (proc.idl), named `init`. */
#define BI_ENDPOINT_INIT UINT32_MAX
#define BI_PRIORITY_MAX  255u            /* higher runs first */
#define BI_CONFIG_MAX    128u            /* bytes of the config string, NUL included */
#define BI_NO_PAGER      UINT32_MAX      /* bi_program_rec_t.pager: the program has none */
/* A physmem capability's target: its holder's share of RAM in MiB, or 0 for what the shares leave. */
#define BI_PHYSMEM_REST    0u
#define BI_PHYSMEM_MAX_MIB (UINT32_C(1) << 20)  /* 1 TiB */

/* Expected outcome of a program (bi_program_rec_t.expect). */
#define BI_EXPECT_EXIT   1u  /* exits by itself with status expect_code */
#define BI_EXPECT_KILLED 2u  /* is killed (its pager refused a fault); expect_code 0 */
#define BI_EXPECT_SERVE  3u  /* a server: still running when the system ends; expect_code 0 */

_Static_assert(BI_MAX_PROGRAMS <= AK_BOOTINFO_PROCS, "a pager's boot info lists every process");
_Static_assert(AK_BOOT_CAP_SLOTS <= 32u, "bootimage_parse tracks a holder's slots in 32 bits");

/*
 * On-disk records.  Offsets named *_off are from the start of the blob;
 * name, args and config are offsets into the string area.
 */
typedef struct bi_header {
    uint32_t magic;         /* BI_MAGIC */
    uint32_t version;       /* BI_VERSION */
    uint32_t header_size;   /* sizeof(bi_header_t) */
    uint32_t flags;         /* none defined: 0 */
    uint64_t total_size;    /* bytes in the blob, header included */
    uint32_t nprograms;     /* 1 .. BI_MAX_PROGRAMS */
    uint32_t nendpoints;    /* 0 .. BI_MAX_ENDPOINTS */
    uint32_t ncaps;         /* 0 .. BI_MAX_CAPS */
    uint32_t config;        /* the image's config string (printed in the banner) */
    uint64_t programs_off;
    uint64_t caps_off;
    uint64_t strings_off;
    uint64_t strings_size;
    uint64_t init_off;      /* init's ELF file: BI_ALIGN-aligned, after the string area, */
    uint64_t init_size;     /* before the programs' ELF files; 0 and 0: none (an image only */
                            /* tools read; the kernel refuses it) */
    uint32_t nfiles;        /* 0 .. BI_MAX_FILES */
    uint32_t reserved;      /* 0 */
    uint64_t files_off;     /* after the capability table */
} bi_header_t;

typedef struct bi_program_rec {
    uint32_t name;          /* 1 .. AK_NAME_MAX-1 bytes of [A-Za-z0-9_.-], unique */
    uint32_t args;          /* < AK_ARGS_MAX bytes of printable ASCII, may be empty */
    uint64_t elf_off;       /* BI_ALIGN-aligned, after the string area */
    uint64_t elf_size;      /* > 0 */
    uint32_t priority;      /* 0 .. BI_PRIORITY_MAX */
    uint32_t pager;         /* endpoint number, or BI_NO_PAGER */
    uint32_t expect;        /* BI_EXPECT_EXIT, BI_EXPECT_KILLED or BI_EXPECT_SERVE */
    int32_t  expect_code;   /* the exit status for BI_EXPECT_EXIT, else 0 */
    uint32_t env;           /* < AK_ARGS_MAX bytes: KEY=VALUE words separated by spaces, may be empty */
    uint32_t reserved;      /* 0 */
} bi_program_rec_t;

typedef struct bi_cap_rec {
    uint32_t holder;        /* program index */
    uint32_t slot;          /* < AK_BOOT_CAP_SLOTS, one capability per slot per holder */
    uint32_t kind;          /* AK_CAP_ENDPOINT, AK_CAP_ASPACE or AK_CAP_PHYSMEM */
    uint32_t rights;        /* endpoint: nonempty subset of SEND|RECV; others: WRITE */
    uint32_t target;        /* endpoint number; program index (aspace); MiB or BI_PHYSMEM_REST (physmem) */
    uint32_t reserved;      /* 0 */
    uint64_t badge;         /* endpoint: <= AK_BADGE_MAX; others: 0 */
} bi_cap_rec_t;

/*
 * A file of the archive, by name (proc.idl): every program's ELF and those
 * the manifest adds with `file ELF` (kind BI_FILE_ELF, what init may spawn),
 * and the data files of `file NAME PATH` (BI_FILE_DATA, what proc.file
 * reads; a data file's name is no program's).
 */
typedef struct bi_file_rec {
    uint32_t name;          /* 1 .. AK_NAME_MAX-1 bytes of [A-Za-z0-9_.-], unique among files */
    uint32_t kind;          /* BI_FILE_ELF or BI_FILE_DATA */
    uint64_t elf_off;       /* BI_ALIGN-aligned, after init's ELF file */
    uint64_t elf_size;      /* ELF: > 0, checked by elf_parse only when spawned; data: <= BI_DATA_MAX */
} bi_file_rec_t;

_Static_assert(sizeof(bi_header_t) == 104, "bi_header_t layout");
_Static_assert(sizeof(bi_file_rec_t) == 24, "bi_file_rec_t layout");
_Static_assert(sizeof(bi_program_rec_t) == 48, "bi_program_rec_t layout");
_Static_assert(sizeof(bi_cap_rec_t) == 32, "bi_cap_rec_t layout");
_Static_assert(sizeof(bi_header_t) % BI_ALIGN == 0 && sizeof(bi_program_rec_t) % BI_ALIGN == 0 &&
               sizeof(bi_cap_rec_t) % BI_ALIGN == 0, "records keep their successors aligned");

/* --- the parsed view ---------------------------------------------------- */

typedef struct bootimage_expect {
    uint32_t kind;          /* BI_EXPECT_EXIT, BI_EXPECT_KILLED or BI_EXPECT_SERVE */
    int32_t code;           /* exit status for BI_EXPECT_EXIT, else 0 */
} bootimage_expect_t;

typedef struct bootimage_program {
    const char *name;       /* NUL-terminated, 1 .. AK_NAME_MAX-1 chars, unique */
    const char *args;       /* NUL-terminated, < AK_ARGS_MAX bytes with the NUL, may be "" */
    const char *env;        /* the same; each space-separated word KEY=VALUE (KEY not empty), no quotes */
    const uint8_t *elf;     /* the ELF file */
    size_t elf_size;
    elf_image_t image;      /* the ELF decoded by elf_parse for the user image area */
    uint32_t priority;      /* 0 .. BI_PRIORITY_MAX, higher runs first */
    int32_t pager;          /* endpoint number, or -1 for none */
    bootimage_expect_t expect;
} bootimage_program_t;

typedef struct bootimage_cap {
    uint32_t holder;        /* program index */
    uint32_t slot;          /* < AK_BOOT_CAP_SLOTS */
    uint32_t kind;          /* AK_CAP_ENDPOINT, AK_CAP_ASPACE or AK_CAP_PHYSMEM */
    uint32_t target;        /* endpoint number or BI_ENDPOINT_INIT; program index; physmem: MiB, or BI_PHYSMEM_REST */
    uint64_t badge;         /* <= AK_BADGE_MAX; 0 for kinds other than endpoint and for init's */
    uint32_t rights;        /* AK_RIGHT_*, valid for the kind */
} bootimage_cap_t;

typedef struct bootimage_file {
    const char *name;       /* NUL-terminated, unique among files */
    const uint8_t *elf;     /* its bytes; an ELF is not yet decoded: elf_parse it before use */
    size_t elf_size;        /* data: <= BI_DATA_MAX, may be 0 */
    uint32_t kind;          /* BI_FILE_ELF or BI_FILE_DATA */
} bootimage_file_t;

/*
 * A validated boot image.  Every pointer points into the blob, which must
 * outlive the view.  About 10 KiB: keep it static, not on a kernel stack.
 */
typedef struct bootimage {
    const uint8_t *init;    /* init's ELF file, or NULL if the image has none */
    size_t init_size;
    const char *config;     /* printable, < BI_CONFIG_MAX bytes with the NUL */
    uint32_t nprograms;     /* 1 .. BI_MAX_PROGRAMS; programs[] is in start order */
    uint32_t nendpoints;    /* 0 .. BI_MAX_ENDPOINTS */
    uint32_t ncaps;         /* 0 .. BI_MAX_CAPS; one AK_CAP_PHYSMEM at most per holder, one BI_PHYSMEM_REST */
    uint32_t nfiles;        /* 0 .. BI_MAX_FILES */
    bootimage_program_t programs[BI_MAX_PROGRAMS];
    bootimage_cap_t caps[BI_MAX_CAPS];
    bootimage_file_t files[BI_MAX_FILES];
} bootimage_t;

/*
 * Decodes and validates the boot image of size bytes at blob (any
 * alignment; bytes after the header's total_size are ignored, so section
 * padding is harmless).  Reads nothing outside [blob, blob + size) and
 * writes nothing but *out and err.
 *
 * Returns 0 and fills *out, or -AK_EINVAL with a one-line reason in err
 * (NUL-terminated, truncated to errlen; err may be NULL when errlen is 0),
 * naming the program or capability at fault, e.g.
 * "program 2 (pong): ELF file (offset 0x..., 0x... bytes) extends past the
 * image (0x... bytes)".  Refused: a blob shorter than its header or than
 * total_size; a wrong magic, version, header_size or nonzero flags; no
 * programs, or more than BI_MAX_PROGRAMS, BI_MAX_ENDPOINTS or BI_MAX_CAPS;
 * a table, the string area or an ELF file outside the blob, misaligned or
 * overlapping what precedes it; a string outside the area, unterminated,
 * too long, empty (names) or with a character not allowed for it; a
 * duplicate program name; a priority above BI_PRIORITY_MAX; a pager that
 * is neither BI_NO_PAGER nor an endpoint; an unknown expected outcome, or
 * a nonzero code with BI_EXPECT_KILLED; an ELF file elf_parse refuses for
 * [AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX); a capability with an invalid
 * holder, slot, kind, target, rights for its kind, a badge above
 * AK_BADGE_MAX (so the pager bit can never be granted) or on a kind other
 * than endpoint, nonzero reserved bits, a slot its holder already fills,
 * a second physmem capability for one holder or a second one for the rest
 * of RAM, or a share above BI_PHYSMEM_MAX_MIB; and a send right without a
 * badge to an endpoint a vmm (a physmem holder) receives on, but its own;
 * a file with an unknown kind, a duplicate name, an empty ELF, a data file
 * above BI_DATA_MAX or named as a program is.  *out is unspecified after an error.
 */
int bootimage_parse(const void *blob, size_t size, bootimage_t *out, char *err, size_t errlen);

/* What the kernel needs of the archive: init's ELF file and the config string. */
typedef struct bootimage_init {
    const uint8_t *elf;     /* init's ELF file, not yet checked: the kernel's elf_parse does that */
    size_t elf_size;        /* > 0 */
    size_t total_size;      /* the archive's bytes, header included (<= the size given) */
    const char *config;     /* printable, < BI_CONFIG_MAX bytes with the NUL */
} bootimage_init_t;

/*
 * Reads only the header of the archive of size bytes at blob, and the
 * config string: the part the kernel trusts to start init.  Returns 0 and
 * fills *out, or -AK_EINVAL with a one-line reason in err (as
 * bootimage_parse): a blob shorter than its header or than total_size, a
 * wrong magic, version, header_size or nonzero flags, a string area or
 * init's ELF outside the blob, misaligned, or before the string area's
 * end, no init (init_size 0), or a bad config string.
 */
int bootimage_init(const void *blob, size_t size, bootimage_init_t *out, char *err, size_t errlen);

#endif /* BOOTFMT_BOOTIMAGE_H */
