/*
 * Test helper shared by the elf, bootimage and mkimage suites: a small
 * ELF writer.  A testelf_t is an ELF header, up to TESTELF_MAX_PH program
 * headers and a file size; testelf_render lays them out into an exactly
 * sized heap buffer (so ASan sees any read past the end), clipping whatever
 * a hostile header places outside the file.
 */
#ifndef TESTELF_H
#define TESTELF_H

#include <stddef.h>
#include <stdint.h>

#include <bootfmt/elf.h>

#define TESTELF_MAX_PH 12u
#define TESTELF_BASE   UINT64_C(0x400000)   /* where the minimal ELF's text starts */
#define TESTELF_SIZE   0x1010u              /* the minimal ELF's file size: data ends the file */

typedef struct testelf {
    elf64_ehdr_t eh;
    elf64_phdr_t ph[TESTELF_MAX_PH];  /* written at eh.e_phoff, eh.e_phnum of them */
    size_t size;                      /* file size */
} testelf_t;

/*
 * A valid executable: segment 0 text (R+X, offset 0, vaddr TESTELF_BASE,
 * 0x200 bytes, holding the headers), segment 1 data (R+W, offset 0x1000,
 * vaddr TESTELF_BASE + 0x1000, 0x10 bytes in the file, 0x2000 in memory);
 * entry TESTELF_BASE + 0x100.
 */
void testelf_minimal(testelf_t *t);

/* Renders t into a malloc'd buffer of exactly t->size bytes (abort on OOM). */
uint8_t *testelf_render(const testelf_t *t, size_t *size);

#endif /* TESTELF_H */
