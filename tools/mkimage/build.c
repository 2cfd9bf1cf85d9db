/*
 * Laying out a boot image (see mkimage.h and <bootfmt/bootimage.h>).
 *
 * The blob is written in the order the format requires: header, program
 * records, capability records, the string area, init's ELF file, then the
 * programs' ELF files, each region starting at a multiple of BI_ALIGN;
 * padding is zero (the buffer comes from calloc).  Identical strings and
 * programs that run the same ELF share one copy.  The result is checked
 * with bootimage_init and bootimage_parse, the kernel's and init's readers,
 * before it is handed back, so mkimage never writes an image either would
 * refuse.
 */
#include <mkimage/mkimage.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/layout.h>

#define MK_FILE_MAX      (UINT64_C(1) << 30)  /* largest input file */
#define MK_READ_CHUNK    ((size_t)64 * 1024)
#define MK_PATH_MAX      4096u
#define MK_ERR_MAX       256u
#define MK_ELF_SUFFIX    ".elf"
/* Every string of an image, NUL included: the config, a name, args and env per program, a name per file. */
#define MK_STRINGS_MAX   (BI_CONFIG_MAX + BI_MAX_PROGRAMS * (AK_NAME_MAX + AK_ARGS_MAX) + BI_MAX_FILES * AK_NAME_MAX)
#define MK_ASCII_FIRST_PRINTABLE 0x20
#define MK_ASCII_LAST_PRINTABLE  0x7e

int mkimage_read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < MK_READ_CHUNK) {
            if (cap >= MK_FILE_MAX) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return -1;
            }
            size_t ncap = cap ? cap * 2u : MK_READ_CHUNK;
            uint8_t *nbuf = realloc(buf, ncap + 1u);
            if (!nbuf) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return -1;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        errno = saved ? saved : EIO;
        return -1;
    }
    buf[len] = '\0';
    *data = buf;
    *size = len;
    return 0;
}

static void mk_error_at(FILE *diag, const char *path, mkimage_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void mk_error_at(FILE *diag, const char *path, mkimage_pos_t pos, const char *fmt, ...)
{
    fprintf(diag, "%s:%u:%u: error: ", path, pos.line, pos.col);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(diag, fmt, ap);
    va_end(ap);
    fputc('\n', diag);
}

/* The string area under construction; strings are stored once each. */
typedef struct mk_strings {
    char buf[MK_STRINGS_MAX];
    size_t len;
} mk_strings_t;

/*
 * Adds s (or finds an identical string already there); returns its offset,
 * or UINT32_MAX if the area is full (which bootimage_parse then refuses).
 */
static uint32_t mk_string(mk_strings_t *st, const char *s)
{
    size_t n = strlen(s) + 1u;
    for (size_t off = 0; off < st->len; off += strlen(st->buf + off) + 1u)
        if (strcmp(st->buf + off, s) == 0)
            return (uint32_t)off;
    if (n > sizeof st->buf - st->len)
        return UINT32_MAX;
    memcpy(st->buf + st->len, s, n);
    st->len += n;
    return (uint32_t)(st->len - n);
}

static uint64_t mk_align(uint64_t x)
{
    return (x + BI_ALIGN - 1u) & ~(uint64_t)(BI_ALIGN - 1u);
}

static bool mk_config_ok(const char *config)
{
    size_t n = strlen(config);
    if (n >= BI_CONFIG_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (config[i] < MK_ASCII_FIRST_PRINTABLE || config[i] > MK_ASCII_LAST_PRINTABLE)
            return false;
    return true;
}

/* The ELF file of each program; programs running the same ELF share data. */
typedef struct mk_elf {
    uint8_t *data;     /* owned when first is the program's own index */
    size_t size;
    uint32_t first;    /* the program that loaded it */
    uint64_t off;      /* its offset in the blob */
} mk_elf_t;

/* Reads BINDIR/<name>.elf into *e; 0, or 1 with an error printed at pos. */
static unsigned mk_read_elf(const char *path, const char *bindir, const char *name, mkimage_pos_t pos,
                            FILE *diag, mk_elf_t *e)
{
    char file[MK_PATH_MAX];
    int n = snprintf(file, sizeof file, "%s/%s%s", bindir, name, MK_ELF_SUFFIX);
    if (n < 0 || (size_t)n >= sizeof file) {
        mk_error_at(diag, path, pos, "path of ELF '%s' is too long", name);
        return 1;
    }
    if (mkimage_read_file(file, &e->data, &e->size)) {
        mk_error_at(diag, path, pos, "cannot read '%s': %s", file, strerror(errno));
        return 1;
    }
    return 0;
}

/* The files of the file table: every program's ELF once, then the manifest's `file`s not among them
   (ELF files a spawn may name, and data files). */
typedef struct mk_files {
    uint32_t n;
    const char *name[BI_MAX_FILES];
    uint32_t kind[BI_MAX_FILES];    /* BI_FILE_ELF or BI_FILE_DATA */
    const mk_elf_t *elf[BI_MAX_FILES];
    mk_elf_t extra[BI_MAX_FILES];   /* loaded here: the `file`s no program runs */
} mk_files_t;

int mkimage_data_path(const char *manifest, const mkimage_file_t *f, char *out, size_t n)
{
    const char *slash = strrchr(manifest, '/');
    int dir = f->path[0] == '/' || !slash ? 0 : (int)(slash - manifest + 1);
    int len = snprintf(out, n, "%.*s%s", dir, manifest, f->path);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Reads data file f (its path relative to the manifest's folder unless absolute) into *e; 0, or 1 with an
   error printed at its path. */
static unsigned mk_read_data(const char *path, const mkimage_file_t *f, FILE *diag, mk_elf_t *e)
{
    char file[MK_PATH_MAX];
    if (mkimage_data_path(path, f, file, sizeof file)) {
        mk_error_at(diag, path, f->path_pos, "path of data file '%s' is too long", f->name);
        return 1;
    }
    if (mkimage_read_file(file, &e->data, &e->size)) {
        mk_error_at(diag, path, f->path_pos, "cannot read '%s': %s", file, strerror(errno));
        return 1;
    }
    if (e->size > BI_DATA_MAX) {
        mk_error_at(diag, path, f->path_pos, "data file '%s' ('%s') has %zu bytes, more than %lu", f->name, file,
                    e->size, (unsigned long)BI_DATA_MAX);
        free(e->data);
        e->data = NULL;
        return 1;
    }
    return 0;
}

/* Collects and loads the files; returns the number of errors. */
static unsigned mk_load_files(const mkimage_manifest_t *m, const char *path, const char *bindir, FILE *diag,
                              const mk_elf_t *elfs, mk_files_t *fs)
{
    unsigned errors = 0;
    memset(fs, 0, sizeof *fs);
    for (uint32_t i = 0; i < m->nprograms; i++) {
        if (elfs[i].first != i)
            continue;
        if (fs->n == BI_MAX_FILES) {
            mk_error_at(diag, path, m->programs[i].elf_pos, "too many ELF files (at most %u)", BI_MAX_FILES);
            return errors + 1;
        }
        fs->name[fs->n] = m->programs[i].elf;
        fs->elf[fs->n++] = &elfs[i];
    }
    for (uint32_t k = 0; k < m->nfiles; k++) {
        const mkimage_file_t *f = &m->files[k];
        bool known = false;
        for (uint32_t j = 0; j < fs->n && !known; j++)
            known = strcmp(fs->name[j], f->name) == 0;
        if (known)
            continue;
        if (fs->n == BI_MAX_FILES) {
            mk_error_at(diag, path, f->pos, "too many ELF files (at most %u)", BI_MAX_FILES);
            return errors + 1;
        }
        mk_elf_t *e = &fs->extra[k];
        *e = (mk_elf_t){ .first = k };
        if (f->kind == BI_FILE_DATA ? mk_read_data(path, f, diag, e)
                                    : mk_read_elf(path, bindir, f->name, f->pos, diag, e)) {
            errors++;
            continue;
        }
        fs->name[fs->n] = f->name;
        fs->kind[fs->n] = f->kind;
        fs->elf[fs->n++] = e;
    }
    return errors;
}

/* Reads and checks every program's ELF. Returns the number of errors. */
static unsigned mk_load_elfs(const mkimage_manifest_t *m, const char *path, const char *bindir,
                             FILE *diag, mk_elf_t *elfs)
{
    unsigned errors = 0;
    for (uint32_t i = 0; i < m->nprograms; i++) {
        const mkimage_program_t *p = &m->programs[i];
        elfs[i] = (mk_elf_t){ .first = i };
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(m->programs[j].elf, p->elf) == 0) {
                elfs[i] = elfs[j];
                break;
            }
        }
        if (elfs[i].first != i)
            continue;
        if (mk_read_elf(path, bindir, p->elf, p->elf_pos, diag, &elfs[i])) {
            errors++;
            continue;
        }
        char file[MK_PATH_MAX];
        snprintf(file, sizeof file, "%s/%s%s", bindir, p->elf, MK_ELF_SUFFIX);
        elf_image_t image;
        char why[MK_ERR_MAX];
        if (elf_parse(elfs[i].data, elfs[i].size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &image,
                      why, sizeof why)) {
            mk_error_at(diag, path, p->elf_pos, "'%s': %s", file, why);
            errors++;
        }
    }
    return errors;
}

/* Reads and checks init's ELF, BINDIR/init.elf, which every image carries. Returns the number of errors. */
static unsigned mk_load_init(const char *path, const char *bindir, FILE *diag, mk_elf_t *init)
{
    char file[MK_PATH_MAX];
    int n = snprintf(file, sizeof file, "%s/%s%s", bindir, AK_INIT_NAME, MK_ELF_SUFFIX);
    if (n < 0 || (size_t)n >= sizeof file) {
        fprintf(diag, "%s: error: path of init's ELF is too long\n", path);
        return 1;
    }
    if (mkimage_read_file(file, &init->data, &init->size)) {
        fprintf(diag, "%s: error: cannot read init's ELF '%s': %s\n", path, file, strerror(errno));
        return 1;
    }
    elf_image_t image;
    char why[MK_ERR_MAX];
    if (elf_parse(init->data, init->size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &image, why, sizeof why)) {
        fprintf(diag, "%s: error: init's ELF '%s': %s\n", path, file, why);
        return 1;
    }
    return 0;
}

static void mk_free_elfs(const mkimage_manifest_t *m, mk_elf_t *elfs)
{
    for (uint32_t i = 0; i < m->nprograms; i++)
        if (elfs[i].first == i)
            free(elfs[i].data);
}

/* Lays the blob out into a zeroed buffer of the right size; NULL if out of memory. */
static uint8_t *mk_layout(const mkimage_manifest_t *m, const char *config, const mk_elf_t *init,
                          mk_elf_t *elfs, mk_files_t *fs, size_t *size)
{
    mk_strings_t st = { .len = 0 };
    bi_header_t h = {
        .magic = BI_MAGIC,
        .version = BI_VERSION,
        .header_size = sizeof h,
        .nprograms = m->nprograms,
        .nendpoints = m->nendpoints,
        .ncaps = m->ncaps,
    };
    h.config = mk_string(&st, config);
    bi_program_rec_t progs[BI_MAX_PROGRAMS];
    for (uint32_t i = 0; i < m->nprograms; i++) {
        const mkimage_program_t *p = &m->programs[i];
        progs[i] = (bi_program_rec_t){
            .name = mk_string(&st, p->name),
            .args = mk_string(&st, p->args),
            .env = mk_string(&st, p->env),
            .elf_size = elfs[i].size,
            .priority = p->priority,
            .pager = p->pager < 0 ? BI_NO_PAGER : (uint32_t)p->pager,
            .expect = p->expect,
            .expect_code = p->expect_code,
        };
    }
    h.programs_off = sizeof h;
    h.caps_off = h.programs_off + (uint64_t)m->nprograms * sizeof(bi_program_rec_t);
    h.nfiles = fs->n;
    h.files_off = h.caps_off + (uint64_t)m->ncaps * sizeof(bi_cap_rec_t);
    bi_file_rec_t files[BI_MAX_FILES];
    for (uint32_t k = 0; k < fs->n; k++)
        files[k] = (bi_file_rec_t){ .name = mk_string(&st, fs->name[k]), .kind = fs->kind[k],
                                    .elf_size = fs->elf[k]->size };
    h.strings_off = h.files_off + (uint64_t)fs->n * sizeof(bi_file_rec_t);
    h.strings_size = st.len;
    h.init_off = mk_align(h.strings_off + h.strings_size);
    h.init_size = init->size;
    uint64_t end = mk_align(h.init_off + h.init_size);
    for (uint32_t i = 0; i < m->nprograms; i++) {
        if (elfs[i].first == i) {
            elfs[i].off = end;
            end = mk_align(end + elfs[i].size);
        }
        progs[i].elf_off = elfs[elfs[i].first].off;
    }
    for (uint32_t k = 0; k < fs->n; k++) {
        if (fs->elf[k] == &fs->extra[fs->elf[k]->first]) {   /* a `file` no program runs */
            fs->extra[fs->elf[k]->first].off = end;
            end = mk_align(end + fs->elf[k]->size);
        }
        files[k].elf_off = fs->elf[k]->off;
    }
    h.total_size = end;

    uint8_t *blob = calloc(1, (size_t)end);
    if (!blob)
        return NULL;
    memcpy(blob, &h, sizeof h);
    memcpy(blob + h.programs_off, progs, (size_t)m->nprograms * sizeof progs[0]);
    for (uint32_t i = 0; i < m->ncaps; i++) {
        const mkimage_cap_t *c = &m->caps[i];
        bi_cap_rec_t r = {
            .holder = c->holder,
            .slot = c->slot,
            .kind = c->kind,
            .rights = c->rights,
            .target = c->target,
            .badge = c->badge,
        };
        memcpy(blob + h.caps_off + (uint64_t)i * sizeof r, &r, sizeof r);
    }
    memcpy(blob + h.files_off, files, (size_t)fs->n * sizeof files[0]);
    memcpy(blob + h.strings_off, st.buf, st.len);
    memcpy(blob + h.init_off, init->data, init->size);
    for (uint32_t i = 0; i < m->nprograms; i++)
        if (elfs[i].first == i && elfs[i].data)
            memcpy(blob + elfs[i].off, elfs[i].data, elfs[i].size);
    for (uint32_t k = 0; k < fs->n; k++)
        if (fs->elf[k] == &fs->extra[fs->elf[k]->first] && fs->elf[k]->size)
            memcpy(blob + fs->elf[k]->off, fs->elf[k]->data, fs->elf[k]->size);
    *size = (size_t)end;
    return blob;
}

int mkimage_build(const mkimage_manifest_t *m, const char *path, const char *bindir,
                  const char *config, FILE *diag, uint8_t **blob, size_t *size)
{
    if (!mk_config_ok(config)) {
        fprintf(diag, "%s: error: the config string must be printable ASCII, at most %u bytes\n",
                path, BI_CONFIG_MAX - 1u);
        return -1;
    }
    mk_elf_t elfs[BI_MAX_PROGRAMS] = { 0 };
    unsigned errors = mk_load_elfs(m, path, bindir, diag, elfs);
    mk_elf_t init = { .first = 0 };
    errors += mk_load_init(path, bindir, diag, &init);
    static mk_files_t fs;
    if (errors == 0)
        errors += mk_load_files(m, path, bindir, diag, elfs, &fs);
    uint8_t *out = NULL;
    size_t out_size = 0;
    if (errors == 0) {
        out = mk_layout(m, config, &init, elfs, &fs, &out_size);
        if (!out) {
            fprintf(diag, "%s: error: out of memory laying out the image\n", path);
            errors++;
        }
    }
    mk_free_elfs(m, elfs);
    free(init.data);
    for (uint32_t k = 0; k < BI_MAX_FILES; k++) {
        free(fs.extra[k].data);
        fs.extra[k].data = NULL;
    }
    if (errors)
        return -1;

    bootimage_t check;
    char why[MK_ERR_MAX];
    bootimage_init_t init_view;
    if (bootimage_parse(out, out_size, &check, why, sizeof why) ||
        bootimage_init(out, out_size, &init_view, why, sizeof why)) {
        fprintf(diag, "%s: error: internal error: the kernel's or init's reader refuses the image: %s\n",
                path, why);
        free(out);
        return -1;
    }
    *blob = out;
    *size = out_size;
    return 0;
}
