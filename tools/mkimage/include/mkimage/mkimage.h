/*
 * mkimage: compiles a text boot manifest (syntax in README.md beside this
 * file) and the ELF files it names into a boot image (ukernel/include/
 * bootimage.h).  A host tool; the pieces are separate so that tests can
 * drive them without the command line:
 *
 *   mkimage_manifest_parse   text -> mkimage_manifest_t, names resolved
 *   mkimage_build            manifest + BINDIR/<elf>.elf -> blob in memory
 *   main.c                   the command line, reading and writing files
 *
 * Diagnostics are written to a stdio stream as
 * "FILE:LINE:COL: error: MESSAGE" (or "FILE: error: MESSAGE" when no line
 * applies).  A manifest that parses and builds always yields a blob that
 * bootimage_parse, the kernel's own check, accepts: mkimage runs it on its
 * output before writing anything.
 */
#ifndef MKIMAGE_H
#define MKIMAGE_H

#include <stdint.h>
#include <stdio.h>

#include <bootfmt/bootimage.h>

#define MKIMAGE_NAME_MAX   AK_NAME_MAX  /* program, ELF and endpoint names, NUL included */
#define MKIMAGE_MAX_ERRORS 20u          /* the parser stops reporting after this many */

/* A place in the manifest: 1-based line and byte column. */
typedef struct mkimage_pos {
    unsigned line, col;
} mkimage_pos_t;

typedef struct mkimage_program {
    char name[MKIMAGE_NAME_MAX];  /* instance name, unique among programs */
    char elf[MKIMAGE_NAME_MAX];   /* the file is BINDIR/<elf>.elf */
    char args[AK_ARGS_MAX];
    char env[AK_ARGS_MAX];        /* KEY=VALUE words, space-separated */
    uint32_t priority;            /* 0 .. BI_PRIORITY_MAX */
    int32_t pager;                /* endpoint index, or -1 for none */
    uint32_t expect;              /* BI_EXPECT_EXIT or BI_EXPECT_KILLED */
    int32_t expect_code;
    mkimage_pos_t pos;            /* of the instance name */
    mkimage_pos_t elf_pos;        /* of the ELF name */
} mkimage_program_t;

typedef struct mkimage_endpoint {
    char name[MKIMAGE_NAME_MAX];
    mkimage_pos_t pos;
} mkimage_endpoint_t;

typedef struct mkimage_cap {
    uint32_t holder;              /* program index */
    uint32_t slot;
    uint32_t kind;                /* AK_CAP_ENDPOINT, AK_CAP_ASPACE, AK_CAP_PHYSMEM */
    uint32_t target;              /* endpoint index, program index, or 0 */
    uint32_t rights;              /* AK_RIGHT_* */
    uint64_t badge;
    mkimage_pos_t pos;            /* of the holder name */
} mkimage_cap_t;

#define MKIMAGE_PATH_MAX   256u         /* a data file's path, NUL included */

/* A file the archive carries: an ELF for spawning at run time (`file NAME`), or a data file
   (`file NAME PATH`) for proc.file. */
typedef struct mkimage_file {
    char name[MKIMAGE_NAME_MAX];  /* ELF: the file is BINDIR/<name>.elf */
    uint32_t kind;                /* BI_FILE_ELF or BI_FILE_DATA */
    char path[MKIMAGE_PATH_MAX];  /* data: its path, relative to the manifest's folder unless absolute */
    mkimage_pos_t pos;
    mkimage_pos_t path_pos;
} mkimage_file_t;

/* A parsed manifest with every name resolved to an index. */
typedef struct mkimage_manifest {
    uint32_t nprograms, nendpoints, ncaps, nfiles;
    mkimage_program_t programs[BI_MAX_PROGRAMS];  /* in start order */
    mkimage_endpoint_t endpoints[BI_MAX_ENDPOINTS];
    mkimage_cap_t caps[BI_MAX_CAPS];
    mkimage_file_t files[BI_MAX_FILES];           /* beyond the programs' own ELF files */
} mkimage_manifest_t;

/*
 * Parses the manifest text (len bytes, need not be NUL-terminated) read
 * from path (used only in messages) into *m.  Reports every error it finds,
 * up to MKIMAGE_MAX_ERRORS, to diag and returns how many there were: 0
 * means *m is complete and consistent (every name resolved, limits and
 * slot rules of bootimage.h met).  Errors: unknown directive or option, a
 * data file named as a program or as a program's ELF, a
 * missing or repeated argument, a malformed name, number, string or
 * expected outcome, a value out of range, a duplicate program or endpoint
 * name, an undefined program or endpoint, a slot filled twice, a right that
 * does not apply to the kind, a badge on a non-endpoint, a second physmem
 * capability, too many programs, endpoints or capabilities, no programs.
 */
unsigned mkimage_manifest_parse(const char *path, const char *text, size_t len,
                                mkimage_manifest_t *m, FILE *diag);

/*
 * Builds the boot image for m: reads each program's BINDIR/<elf>.elf,
 * checks it with elf_parse for the user image area, lays out the blob
 * (programs with the same ELF share one copy), stores config (the banner's
 * config string) and checks the result with bootimage_parse.  path is the
 * manifest's name for messages.  On success returns 0 and a malloc'd blob
 * in *blob (the caller frees it) of *size bytes.  A data file's path is
 * taken relative to the folder of path unless it starts with '/'.  On
 * failure returns -1 after reporting to diag: an unreadable or invalid ELF
 * (at the position of its name in the manifest), an unreadable data file or
 * one above BI_DATA_MAX bytes, a config string that is too long or not
 * printable ASCII, or out of memory.  Precondition: m was filled by
 * mkimage_manifest_parse with no errors.
 */
int mkimage_build(const mkimage_manifest_t *m, const char *path, const char *bindir,
                  const char *config, FILE *diag, uint8_t **blob, size_t *size);

/*
 * The path mkimage reads data file f from, for the manifest at manifest:
 * f->path relative to the manifest's folder, or as it is if it starts with
 * '/'.  0, or -1 if it does not fit the n bytes of out.
 */
int mkimage_data_path(const char *manifest, const mkimage_file_t *f, char *out, size_t n);

/*
 * Reads the whole file at path into a malloc'd buffer (*data, NUL-terminated
 * one byte past *size; the caller frees it).  Returns 0, or -1 with errno
 * set (from fopen, fread or malloc; EFBIG for a file over 1 GiB).
 */
int mkimage_read_file(const char *path, uint8_t **data, size_t *size);

#endif /* MKIMAGE_H */
