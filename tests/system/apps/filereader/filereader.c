/*
 * filereader: tests proc.file (idl/proc.idl) on the init-file image, whose
 * manifest carries the data file `pattern` (PATTERN_SIZE bytes, byte i is
 * pattern_byte(i); tests/system/init-file/pattern.txt) and the empty data
 * file `empty`.  It holds an endpoint to init in slot 1.  Each check prints
 * AKTEST PASS or FAIL with its name; the expect file lists them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <idl/proc_client.h>

#define SLOT_INIT    1u
#define PATTERN_SIZE 2000u   /* four whole chunks and 80 bytes */
#define LETTERS      26u
#define SKEW         97u

static unsigned failures;

static uint8_t pattern_byte(uint64_t i)
{
    return (uint8_t)('a' + (i * 7u + i / SKEW) % LETTERS);
}

static bool check(const char *name, const char *what, int64_t got, int64_t want)
{
    if (got == want)
        return true;
    printf("AKTEST FAIL %s: %s: got %ld, want %ld\n", name, what, (long)got, (long)want);
    failures++;
    return false;
}

static void pass(const char *name)
{
    printf("AKTEST PASS %s\n", name);
}

/* Reads `pattern` chunk by chunk from offset 0 to the end and checks every byte. */
static void test_read(void)
{
    const char *name = "init-file-read";
    static uint8_t data[AK_PM_FILE_CHUNK];
    uint64_t offset = 0, size = 0, len = 0;
    unsigned chunks = 0;
    for (;;) {
        memset(data, 0xee, sizeof data);
        if (!check(name, "file", proc_file(SLOT_INIT, "pattern", offset, &size, data, &len), 0) ||
            !check(name, "size", (int64_t)size, PATTERN_SIZE))
            return;
        uint64_t want = PATTERN_SIZE - offset < AK_PM_FILE_CHUNK ? PATTERN_SIZE - offset : AK_PM_FILE_CHUNK;
        if (!check(name, "chunk length", (int64_t)len, (int64_t)want))
            return;
        if (len == 0)
            break;
        for (uint64_t i = 0; i < len; i++)
            if (!check(name, "a byte", data[i], pattern_byte(offset + i)))
                return;
        offset += len;
        chunks++;
    }
    if (check(name, "bytes read", (int64_t)offset, PATTERN_SIZE) &&
        check(name, "chunks", chunks, (PATTERN_SIZE + AK_PM_FILE_CHUNK - 1) / AK_PM_FILE_CHUNK))
        pass(name);
}

/* Offsets inside, at and past the end, and near UINT64_MAX (never a wrap). */
static void test_offsets(void)
{
    const char *name = "init-file-offsets";
    static const struct { uint64_t offset, len; } cases[] = {
        { 1, AK_PM_FILE_CHUNK },                      /* unaligned */
        { 1999, 1 },                                  /* the last byte */
        { PATTERN_SIZE - 80u, 80 },
        { PATTERN_SIZE, 0 },                          /* at the end */
        { PATTERN_SIZE + 1u, 0 },
        { UINT64_C(1) << 32, 0 },
        { UINT64_MAX - AK_PM_FILE_CHUNK + 1u, 0 },    /* offset + chunk would wrap to 0 */
        { UINT64_MAX - 100u, 0 },
        { UINT64_MAX, 0 },
    };
    static uint8_t data[AK_PM_FILE_CHUNK];
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t size = 0, len = UINT64_MAX;
        char what[64];
        snprintf(what, sizeof what, "offset 0x%lx", (unsigned long)cases[c].offset);
        if (!check(name, what, proc_file(SLOT_INIT, "pattern", cases[c].offset, &size, data, &len), 0) ||
            !check(name, "size", (int64_t)size, PATTERN_SIZE) || !check(name, what, (int64_t)len, (int64_t)cases[c].len))
            return;
        for (uint64_t i = 0; i < len; i++)
            if (!check(name, "a byte", data[i], pattern_byte(cases[c].offset + i)))
                return;
    }
    pass(name);
}

/* An empty data file: size 0, no data at offset 0 or anywhere. */
static void test_empty(void)
{
    const char *name = "init-file-empty";
    static uint8_t data[AK_PM_FILE_CHUNK];
    uint64_t size = 1, len = 1;
    if (check(name, "file", proc_file(SLOT_INIT, "empty", 0, &size, data, &len), 0) &&
        check(name, "size", (int64_t)size, 0) && check(name, "length", (int64_t)len, 0) &&
        check(name, "at 5", proc_file(SLOT_INIT, "empty", 5, &size, data, &len), 0) &&
        check(name, "length at 5", (int64_t)len, 0))
        pass(name);
}

/* Names that are no data file: unknown, a program's, an ELF file's, empty; and a data file is no program. */
static void test_errors(void)
{
    const char *name = "init-file-errors";
    static uint8_t data[AK_PM_FILE_CHUNK];
    uint64_t size = 0, len = 0;
    uint32_t pid = 0;
    if (check(name, "unknown", proc_file(SLOT_INIT, "nosuchfile", 0, &size, data, &len), -AK_ENOENT) &&
        check(name, "a program's name", proc_file(SLOT_INIT, "filereader", 0, &size, data, &len), -AK_ENOENT) &&
        check(name, "an ELF file's name", proc_file(SLOT_INIT, "hello", 0, &size, data, &len), -AK_ENOENT) &&
        check(name, "a prefix", proc_file(SLOT_INIT, "patter", 0, &size, data, &len), -AK_ENOENT) &&
        check(name, "empty name", proc_file(SLOT_INIT, "", 0, &size, data, &len), -AK_EINVAL) &&
        check(name, "too long a name", proc_file(SLOT_INIT, "pattern-pattern-", 0, &size, data, &len), -AK_E2BIG) &&
        check(name, "spawn a data file", proc_spawn(SLOT_INIT, "pattern", "", 0, "", 0, "none", 100, 0, &pid),
              -AK_ENOENT) &&
        check(name, "spawn still works", proc_spawn(SLOT_INIT, "hello", "", 0, "", 0, "none", 100, 0, &pid), 0))
        pass(name);
}

int main(void)
{
    test_read();
    test_offsets();
    test_empty();
    test_errors();
    printf("[filereader] %u failures\n", failures);
    return failures ? 1 : 0;
}
