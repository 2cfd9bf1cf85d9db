/*
 * The device-tree reader: finds the memory bank in well-formed trees and
 * refuses every truncated or lying blob without reading outside it (ASan
 * watches every byte: blobs are copied into exactly-sized heap buffers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <ukernel/fdt.h>

/* A tiny FDT writer, enough to build test trees. */
typedef struct {
    uint8_t s[1024];  /* structure block */
    size_t slen;
    char str[256];    /* strings block */
    size_t strlen_;
} builder_t;

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void tok(builder_t *b, uint32_t v)
{
    put32(b->s + b->slen, v);
    b->slen += 4;
}

static void begin(builder_t *b, const char *name)
{
    tok(b, 1);
    size_t n = strlen(name) + 1;
    memcpy(b->s + b->slen, name, n);
    b->slen += (n + 3) & ~(size_t)3;
}

static void end(builder_t *b) { tok(b, 2); }

static uint32_t string_off(builder_t *b, const char *name)
{
    uint32_t off = (uint32_t)b->strlen_;
    size_t n = strlen(name) + 1;
    memcpy(b->str + b->strlen_, name, n);
    b->strlen_ += n;
    return off;
}

static void prop(builder_t *b, const char *name, const uint32_t *cells, unsigned ncells)
{
    tok(b, 3);
    tok(b, ncells * 4);
    tok(b, string_off(b, name));
    for (unsigned i = 0; i < ncells; i++)
        tok(b, cells[i]);
}

/* A property of raw bytes (strings, lists of strings), padded to 4. */
static void prop_bytes(builder_t *b, const char *name, const void *bytes, uint32_t len)
{
    tok(b, 3);
    tok(b, len);
    tok(b, string_off(b, name));
    memcpy(b->s + b->slen, bytes, len);
    b->slen += (len + 3) & ~(uint32_t)3;
}

/* Finishes the blob into a heap buffer of exactly its size. */
static uint8_t *finish(builder_t *b, size_t *size)
{
    tok(b, 9);
    size_t off_struct = 40, off_strings = off_struct + b->slen;
    size_t total = off_strings + b->strlen_;
    uint8_t *blob = calloc(1, total);
    put32(blob, FDT_MAGIC);
    put32(blob + 4, (uint32_t)total);
    put32(blob + 8, (uint32_t)off_struct);
    put32(blob + 12, (uint32_t)off_strings);
    put32(blob + 32, (uint32_t)b->strlen_);
    put32(blob + 36, (uint32_t)b->slen);
    memcpy(blob + off_struct, b->s, b->slen);
    memcpy(blob + off_strings, b->str, b->strlen_);
    *size = total;
    return blob;
}

/* /chosen's bootargs property for the next virt_tree (NULL: none), and its length with the NUL. */
static const char *chosen_args;
static uint32_t chosen_args_len;

/* A tree like QEMU virt's: 2 address cells, 2 size cells. */
static uint8_t *virt_tree(size_t *size, const char *memname)
{
    static builder_t b;
    memset(&b, 0, sizeof b);
    begin(&b, "");
    uint32_t two = 2;
    prop(&b, "#address-cells", &two, 1);
    prop(&b, "#size-cells", &two, 1);
    begin(&b, "chosen");
    if (chosen_args)
        prop_bytes(&b, "bootargs", chosen_args, chosen_args_len);
    end(&b);
    /* A device that matches by compatible but has no reg: skipped. */
    begin(&b, "fake@0");
    prop_bytes(&b, "compatible", "arm,pl011", 10);
    end(&b);
    begin(&b, "pl011@9000000");
    uint32_t uart[] = { 0, 0x09000000, 0, 0x1000 };
    uint32_t irq[] = { 0, 1, 4 };  /* SPI 1, level high */
    prop(&b, "reg", uart, 4);
    prop(&b, "interrupts", irq, 3);
    prop_bytes(&b, "compatible", "arm,pl011\0arm,primecell", 24);
    end(&b);
    begin(&b, memname);
    uint32_t reg[] = { 0, 0x40000000, 0, 0x20000000 };
    prop(&b, "reg", reg, 4);
    end(&b);
    end(&b);
    return finish(&b, size);
}

static void test_finds_memory(void **state)
{
    (void)state;
    size_t n;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    uint64_t base = 0, size = 0;
    assert_int_equal(fdt_memory(blob, n, &base, &size), 0);
    assert_int_equal(base, 0x40000000);
    assert_int_equal(size, 0x20000000);
    assert_int_equal(fdt_size(blob, n), n);
    free(blob);
}

static void test_finds_device(void **state)
{
    (void)state;
    size_t n;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    uint64_t base = 0, size = 0;
    unsigned irq = 0;
    assert_int_equal(fdt_device(blob, n, "arm,pl011", &base, &size, &irq), 0);
    assert_int_equal(base, 0x09000000);
    assert_int_equal(size, 0x1000);
    assert_int_equal(irq, 33);
    /* The second string of the list matches too; a prefix or an absent name does not. */
    assert_int_equal(fdt_device(blob, n, "arm,primecell", &base, &size, &irq), 0);
    assert_int_equal(fdt_device(blob, n, "arm,pl01", &base, &size, &irq), -AK_ENOENT);
    assert_int_equal(fdt_device(blob, n, "virtio,mmio", &base, &size, &irq), -AK_ENOENT);
    free(blob);
}

static void test_device_bad_interrupts(void **state)
{
    (void)state;
    builder_t b = { 0 };
    begin(&b, "");
    uint32_t two = 2;
    prop(&b, "#address-cells", &two, 1);
    prop(&b, "#size-cells", &two, 1);
    begin(&b, "uart@0");
    uint32_t reg[] = { 0, 0x09000000, 0, 0x1000 }, irq[] = { 7, 1, 4 };  /* no such type */
    prop(&b, "reg", reg, 4);
    prop(&b, "interrupts", irq, 3);
    prop_bytes(&b, "compatible", "arm,pl011", 10);
    end(&b);
    end(&b);
    size_t n;
    uint8_t *blob = finish(&b, &n);
    uint64_t base, size;
    unsigned i;
    assert_int_equal(fdt_device(blob, n, "arm,pl011", &base, &size, &i), -AK_EINVAL);
    free(blob);
}

static void test_one_cell_sizes(void **state)
{
    (void)state;
    builder_t b = { 0 };
    begin(&b, "");
    uint32_t one = 1;
    prop(&b, "#address-cells", &one, 1);
    prop(&b, "#size-cells", &one, 1);
    begin(&b, "memory");
    uint32_t reg[] = { 0x80000000, 0x1000000 };
    prop(&b, "reg", reg, 2);
    end(&b);
    end(&b);
    size_t n;
    uint8_t *blob = finish(&b, &n);
    uint64_t base, size;
    assert_int_equal(fdt_memory(blob, n, &base, &size), 0);
    assert_int_equal(base, 0x80000000);
    assert_int_equal(size, 0x1000000);
    free(blob);
}

static void test_no_memory_node(void **state)
{
    (void)state;
    size_t n;
    /* "memoryx" is not a memory node; neither is a deeper one. */
    uint8_t *blob = virt_tree(&n, "memoryx@0");
    uint64_t base, size;
    assert_int_equal(fdt_memory(blob, n, &base, &size), -AK_ENOENT);
    free(blob);
}

static void test_bootargs(void **state)
{
    (void)state;
    size_t n, len = 99;
    const char *args = NULL;
    chosen_args = NULL;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    assert_int_equal(fdt_bootargs(blob, n, &args, &len), -AK_ENOENT);   /* no -append: none */
    free(blob);

    chosen_args = "shell=script x";
    chosen_args_len = 15;
    blob = virt_tree(&n, "memory@40000000");
    assert_int_equal(fdt_bootargs(blob, n, &args, &len), 0);
    assert_int_equal(len, 14);
    assert_memory_equal(args, "shell=script x", 14);
    assert_true((const uint8_t *)args > blob && (const uint8_t *)args + len < blob + n);
    /* The other readers are not disturbed by it. */
    uint64_t base = 0, size = 0;
    assert_int_equal(fdt_memory(blob, n, &base, &size), 0);
    free(blob);

    chosen_args = "";
    chosen_args_len = 1;
    blob = virt_tree(&n, "memory@40000000");
    assert_int_equal(fdt_bootargs(blob, n, &args, &len), 0);
    assert_int_equal(len, 0);
    free(blob);

    /* A property that lacks its NUL is malformed, never read past. */
    chosen_args = "abcd";
    chosen_args_len = 4;
    blob = virt_tree(&n, "memory@40000000");
    assert_int_equal(fdt_bootargs(blob, n, &args, &len), -AK_EINVAL);
    free(blob);
    chosen_args_len = 0;
    blob = virt_tree(&n, "memory@40000000");
    assert_int_equal(fdt_bootargs(blob, n, &args, &len), -AK_EINVAL);
    free(blob);
    chosen_args = NULL;
}

static void test_every_truncation_refused(void **state)
{
    (void)state;
    size_t n;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, blob, cut);
        uint64_t base, size;
        assert_int_equal(fdt_memory(copy, cut, &base, &size), -AK_EINVAL);
        free(copy);
    }
    free(blob);
}

static void test_every_corrupt_byte_is_safe(void **state)
{
    (void)state;
    size_t n;
    chosen_args = "console=on";
    chosen_args_len = 11;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    chosen_args = NULL;
    /* Whatever a byte becomes, the readers must stay inside the blob. */
    const uint8_t values[] = { 0x00, 0x01, 0x03, 0x09, 0x7f, 0x80, 0xff };
    for (size_t i = 0; i < n; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t *copy = malloc(n);
            memcpy(copy, blob, n);
            copy[i] = values[v];
            uint64_t base, size;
            int r = fdt_memory(copy, n, &base, &size);
            assert_true(r == 0 || r == -AK_EINVAL || r == -AK_ENOENT);
            const char *args = NULL;
            size_t len = 0;
            r = fdt_bootargs(copy, n, &args, &len);
            assert_true(r == -AK_EINVAL || r == -AK_ENOENT ||
                        (r == 0 && (const uint8_t *)args >= copy && (const uint8_t *)args + len < copy + n &&
                         args[len] == '\0'));
            free(copy);
        }
    }
    free(blob);
}

static void test_header_lies(void **state)
{
    (void)state;
    size_t n;
    uint8_t *blob = virt_tree(&n, "memory@40000000");
    uint64_t base, size;
    put32(blob + 4, (uint32_t)n + 1);        /* totalsize beyond the buffer */
    assert_int_equal(fdt_memory(blob, n, &base, &size), -AK_EINVAL);
    put32(blob + 4, (uint32_t)n);
    put32(blob + 36, 0xfffffff0);            /* structure block size overflows */
    assert_int_equal(fdt_memory(blob, n, &base, &size), -AK_EINVAL);
    put32(blob + 36, 8);                     /* structure block cut short */
    assert_int_equal(fdt_memory(blob, n, &base, &size), -AK_EINVAL);
    assert_int_equal(fdt_memory(NULL, 100, &base, &size), -AK_EINVAL);
    assert_int_equal(fdt_size(blob, 10), 0);
    free(blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_memory),
        cmocka_unit_test(test_finds_device),
        cmocka_unit_test(test_device_bad_interrupts),
        cmocka_unit_test(test_one_cell_sizes),
        cmocka_unit_test(test_no_memory_node),
        cmocka_unit_test(test_bootargs),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_every_corrupt_byte_is_safe),
        cmocka_unit_test(test_header_lies),
    };
    return cmocka_run_group_tests_name("fdt", tests, NULL, NULL);
}
