/*
 * libFuzzer: the boot-archive readers (common/bootfmt/bootimage.c): the
 * kernel's bootimage_init, the first thing it reads at boot, and init's
 * bootimage_parse.  A blob either accepts must give a view that stays
 * inside the blob: init's ELF file and config string within it, names and
 * arguments terminated within it, ELF files within it, capabilities naming
 * real programs; and a blob bootimage_parse accepts with an init file,
 * bootimage_init accepts too, with the same init file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bootfmt/bootimage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const void *p, size_t n, const uint8_t *blob, size_t size)
{
    const uint8_t *b = p;
    return b >= blob && b <= blob + size && n <= (size_t)(blob + size - b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bootimage_t view; /* about 10 KiB */
    /* Page aligned as the kernel's copy (.bootimage), and of the exact size. */
    void *mem = NULL;
    if (posix_memalign(&mem, 4096, size ? size : 1) != 0)
        return 0;
    uint8_t *blob = mem;
    memcpy(blob, data, size);
    char err[160];
    bootimage_init_t init;
    bool init_ok = bootimage_init(blob, size, &init, err, sizeof err) == 0;
    if (init_ok) {
        if (init.elf_size == 0 || !inside(init.elf, init.elf_size, blob, size) || init.total_size > size ||
            !inside(init.config, strnlen(init.config, (size_t)(blob + size - (const uint8_t *)init.config)) + 1,
                    blob, size))
            abort();
    } else if (err[0] == '\0') {
        abort(); /* a refusal always says why */
    }
    if (bootimage_parse(blob, size, &view, err, sizeof err) == 0) {
        if (view.init && (!init_ok || view.init != init.elf || view.init_size != init.elf_size))
            abort();
        if (view.init && !inside(view.init, view.init_size, blob, size))
            abort();
        if (view.nprograms == 0 || view.nprograms > BI_MAX_PROGRAMS || view.ncaps > BI_MAX_CAPS)
            abort();
        for (uint32_t i = 0; i < view.nprograms; i++) {
            const bootimage_program_t *p = &view.programs[i];
            if (!inside(p->name, strnlen(p->name, (size_t)(blob + size - (const uint8_t *)p->name)) + 1,
                        blob, size) ||
                !inside(p->args, strnlen(p->args, (size_t)(blob + size - (const uint8_t *)p->args)) + 1,
                        blob, size) ||
                !inside(p->elf, p->elf_size, blob, size) || p->name[0] == '\0')
                abort();
        }
        for (uint32_t i = 0; i < view.ncaps; i++)
            if (view.caps[i].holder >= view.nprograms)
                abort();
        if (view.nfiles > BI_MAX_FILES)
            abort();
        for (uint32_t i = 0; i < view.nfiles; i++) {
            const bootimage_file_t *f = &view.files[i];
            if (!inside(f->name, strnlen(f->name, (size_t)(blob + size - (const uint8_t *)f->name)) + 1,
                        blob, size) ||
                f->name[0] == '\0' || (f->kind != BI_FILE_ELF && f->kind != BI_FILE_DATA) ||
                (f->kind == BI_FILE_ELF && f->elf_size == 0) || (f->kind == BI_FILE_DATA && f->elf_size > BI_DATA_MAX) ||
                (f->elf_size > 0 && !inside(f->elf, f->elf_size, blob, size)))
                abort();
        }
    } else if (err[0] == '\0') {
        abort(); /* a refusal always says why */
    }
    free(blob);
    return 0;
}
