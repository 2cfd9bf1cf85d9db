/*
 * mkimage's command line (see README.md beside this file):
 *
 *   mkimage MANIFEST -o OUT -B BINDIR [--config STRING] [--depfile FILE]
 *
 * Exit status: 0 when the image was written, 1 when the manifest or an ELF
 * file was refused (messages on stderr), 2 for a usage error.  The image is
 * written to a temporary file beside OUT and renamed into place, so OUT is
 * either the complete new image or untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mkimage/mkimage.h>

#define MK_EXIT_OK      0
#define MK_EXIT_REFUSED 1
#define MK_EXIT_USAGE   2
#define MK_TMP_SUFFIX   ".tmp"
#define MK_ELF_SUFFIX   ".elf"
#define MK_DEP_PATH_MAX 4096u

typedef struct mk_args {
    const char *manifest, *out, *bindir, *config, *depfile;
} mk_args_t;

static int mk_usage(const char *why)
{
    if (why)
        fprintf(stderr, "mkimage: %s\n", why);
    fprintf(stderr,
            "usage: mkimage MANIFEST -o OUT -B BINDIR [--config STRING] [--depfile FILE]\n"
            "  compiles the boot manifest MANIFEST and the ELF files BINDIR/<elf>.elf\n"
            "  it names into the boot image OUT; --config sets the string the kernel\n"
            "  prints in its banner; --depfile writes a make rule listing the inputs.\n");
    return MK_EXIT_USAGE;
}

/* Parses argv into *a. Returns 0, or an exit status after printing usage. */
static int mk_parse_args(int argc, char **argv, mk_args_t *a)
{
    *a = (mk_args_t){ .config = "" };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
            return mk_usage(NULL);
        if (strcmp(arg, "-o") == 0)
            slot = &a->out;
        else if (strcmp(arg, "-B") == 0)
            slot = &a->bindir;
        else if (strcmp(arg, "--config") == 0)
            slot = &a->config;
        else if (strcmp(arg, "--depfile") == 0)
            slot = &a->depfile;
        else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "mkimage: unknown option '%s'\n", arg);
            return mk_usage(NULL);
        } else if (a->manifest) {
            return mk_usage("more than one manifest given");
        } else {
            a->manifest = arg;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "mkimage: option '%s' needs a value\n", arg);
            return mk_usage(NULL);
        }
        *slot = argv[++i];
    }
    if (!a->manifest)
        return mk_usage("no manifest given");
    if (!a->out)
        return mk_usage("no output file given (-o OUT)");
    if (!a->bindir)
        return mk_usage("no ELF directory given (-B BINDIR)");
    return 0;
}

/* Writes size bytes to path through a temporary file. Returns 0 or -1 after reporting. */
static int mk_write_file(const char *path, const void *data, size_t size)
{
    size_t n = strlen(path) + sizeof MK_TMP_SUFFIX;
    char *tmp = malloc(n);
    if (!tmp) {
        fprintf(stderr, "mkimage: out of memory\n");
        return -1;
    }
    snprintf(tmp, n, "%s%s", path, MK_TMP_SUFFIX);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "mkimage: cannot write '%s': %s\n", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

/* True if program i is the first to run its ELF. */
static int mk_first_user(const mkimage_manifest_t *m, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++)
        if (strcmp(m->programs[j].elf, m->programs[i].elf) == 0)
            return 0;
    return 1;
}

/* Writes "OUT: MANIFEST ELF..." and an empty rule per input, as gcc -MP does. */
static int mk_write_depfile(const mk_args_t *a, const mkimage_manifest_t *m)
{
    FILE *f = fopen(a->depfile, "w");
    if (!f) {
        fprintf(stderr, "mkimage: cannot write '%s': %s\n", a->depfile, strerror(errno));
        return -1;
    }
    fprintf(f, "%s: %s \\\n  %s/%s%s", a->out, a->manifest, a->bindir, AK_INIT_NAME, MK_ELF_SUFFIX);
    for (uint32_t i = 0; i < m->nprograms; i++)
        if (mk_first_user(m, i))
            fprintf(f, " \\\n  %s/%s%s", a->bindir, m->programs[i].elf, MK_ELF_SUFFIX);
    char data[MK_DEP_PATH_MAX];
    for (uint32_t k = 0; k < m->nfiles; k++) {
        if (m->files[k].kind == BI_FILE_DATA && mkimage_data_path(a->manifest, &m->files[k], data, sizeof data) == 0)
            fprintf(f, " \\\n  %s", data);
        else if (m->files[k].kind == BI_FILE_ELF)
            fprintf(f, " \\\n  %s/%s%s", a->bindir, m->files[k].name, MK_ELF_SUFFIX);
    }
    fprintf(f, "\n\n%s:\n%s/%s%s:\n", a->manifest, a->bindir, AK_INIT_NAME, MK_ELF_SUFFIX);
    for (uint32_t i = 0; i < m->nprograms; i++)
        if (mk_first_user(m, i))
            fprintf(f, "%s/%s%s:\n", a->bindir, m->programs[i].elf, MK_ELF_SUFFIX);
    for (uint32_t k = 0; k < m->nfiles; k++) {
        if (m->files[k].kind == BI_FILE_DATA && mkimage_data_path(a->manifest, &m->files[k], data, sizeof data) == 0)
            fprintf(f, "%s:\n", data);
        else if (m->files[k].kind == BI_FILE_ELF)
            fprintf(f, "%s/%s%s:\n", a->bindir, m->files[k].name, MK_ELF_SUFFIX);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "mkimage: cannot write '%s': %s\n", a->depfile, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    mk_args_t a;
    int rc = mk_parse_args(argc, argv, &a);
    if (rc)
        return rc;

    uint8_t *text;
    size_t len;
    if (mkimage_read_file(a.manifest, &text, &len)) {
        fprintf(stderr, "%s: error: cannot read the manifest: %s\n", a.manifest, strerror(errno));
        return MK_EXIT_REFUSED;
    }
    mkimage_manifest_t m;
    unsigned errors = mkimage_manifest_parse(a.manifest, (const char *)text, len, &m, stderr);
    free(text);
    if (errors)
        return MK_EXIT_REFUSED;

    uint8_t *blob;
    size_t size;
    if (mkimage_build(&m, a.manifest, a.bindir, a.config, stderr, &blob, &size))
        return MK_EXIT_REFUSED;
    rc = mk_write_file(a.out, blob, size);
    free(blob);
    if (rc == 0 && a.depfile)
        rc = mk_write_depfile(&a, &m);
    return rc ? MK_EXIT_REFUSED : MK_EXIT_OK;
}
