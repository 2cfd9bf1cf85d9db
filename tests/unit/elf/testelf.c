/*
 * The test ELF writer (see testelf.h).  Bytes outside the headers are a
 * recognisable pattern, so a loader test can check what it copied.
 */
#include "testelf.h"

#include <stdlib.h>
#include <string.h>

#define TESTELF_TEXT_SIZE 0x200u
#define TESTELF_DATA_OFF  0x1000u
#define TESTELF_DATA_FILE 0x10u
#define TESTELF_DATA_MEM  0x2000u
#define TESTELF_ENTRY_OFF 0x100u

void testelf_minimal(testelf_t *t)
{
    memset(t, 0, sizeof *t);
    memcpy(t->eh.e_ident, ELF_MAGIC, ELF_MAGIC_LEN);
    t->eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
    t->eh.e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
    t->eh.e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
    t->eh.e_type = ELF_ET_EXEC;
    t->eh.e_machine = ELF_EM_AARCH64;
    t->eh.e_version = ELF_EV_CURRENT;
    t->eh.e_entry = TESTELF_BASE + TESTELF_ENTRY_OFF;
    t->eh.e_phoff = sizeof(elf64_ehdr_t);
    t->eh.e_ehsize = sizeof(elf64_ehdr_t);
    t->eh.e_phentsize = sizeof(elf64_phdr_t);
    t->eh.e_phnum = 2;
    t->ph[0] = (elf64_phdr_t){
        .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X, .p_offset = 0,
        .p_vaddr = TESTELF_BASE, .p_paddr = TESTELF_BASE,
        .p_filesz = TESTELF_TEXT_SIZE, .p_memsz = TESTELF_TEXT_SIZE, .p_align = 0x1000,
    };
    t->ph[1] = (elf64_phdr_t){
        .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_W, .p_offset = TESTELF_DATA_OFF,
        .p_vaddr = TESTELF_BASE + TESTELF_DATA_OFF, .p_paddr = TESTELF_BASE + TESTELF_DATA_OFF,
        .p_filesz = TESTELF_DATA_FILE, .p_memsz = TESTELF_DATA_MEM, .p_align = 0x1000,
    };
    t->size = TESTELF_SIZE;
}

/* Copies n bytes of src to buf at off, clipped to the buffer. */
static void put_clipped(uint8_t *buf, size_t size, uint64_t off, const void *src, size_t n)
{
    if (off >= size)
        return;
    if (n > size - off)
        n = (size_t)(size - off);
    memcpy(buf + off, src, n);
}

uint8_t *testelf_render(const testelf_t *t, size_t *size)
{
    uint8_t *buf = malloc(t->size ? t->size : 1u);
    if (!buf)
        abort();
    for (size_t i = 0; i < t->size; i++)
        buf[i] = (uint8_t)(0xA5u ^ i);
    put_clipped(buf, t->size, 0, &t->eh, sizeof t->eh);
    for (unsigned i = 0; i < t->eh.e_phnum && i < TESTELF_MAX_PH; i++) {
        if (t->eh.e_phoff > UINT64_MAX - (uint64_t)(i + 1u) * sizeof(elf64_phdr_t))
            break;
        put_clipped(buf, t->size, t->eh.e_phoff + (uint64_t)i * sizeof(elf64_phdr_t), &t->ph[i],
                    sizeof t->ph[i]);
    }
    *size = t->size;
    return buf;
}
