/*
 * libFuzzer: the ELF reader (common/bootfmt/elf.c) on any bytes, as
 * the boot image hands it a program.  Besides not crashing, a file it
 * accepts must describe what elf.h promises: every segment inside the
 * user image area and the file, W^X, and the entry in an executable
 * segment's file bytes; and elf_find_section, on the same bytes, finds
 * only sections whose bytes lie inside the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <bootfmt/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy (an over-read is an ASan report), 16-byte aligned as malloc's are. */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    elf_image_t img;
    char err[128];
    if (elf_parse(copy, size, AK_USER_IMAGE_MIN, AK_USER_IMAGE_MAX, &img, err, sizeof err) == 0) {
        if (img.nsegs == 0 || img.nsegs > ELF_MAX_SEGMENTS)
            abort();
        bool entry_ok = false;
        for (uint32_t i = 0; i < img.nsegs; i++) {
            const elf_segment_t *s = &img.segs[i];
            if (s->memsz == 0 || s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
                abort();
            if (s->vaddr < AK_USER_IMAGE_MIN || s->vaddr > AK_USER_IMAGE_MAX ||
                s->memsz > AK_USER_IMAGE_MAX - s->vaddr)
                abort();
            if ((s->prot & AK_PROT_WRITE) && (s->prot & AK_PROT_EXEC))
                abort();
            if ((s->prot & AK_PROT_EXEC) && img.entry >= s->vaddr && img.entry - s->vaddr < s->filesz)
                entry_ok = true;
        }
        if (!entry_ok)
            abort();
    } else if (err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL) {
        abort(); /* a refusal always says why */
    }
    /* The section finder, as init uses it, on the same bytes: found bytes lie inside the file. */
    uint64_t off = 0, len = 0;
    int rc = elf_find_section(copy, size, ".akuma.malloc", &off, &len);
    if (rc == 0 ? off > size || len > size - off : rc != -AK_EINVAL && rc != -AK_ENOENT)
        abort();
    free(copy);
    return 0;
}
