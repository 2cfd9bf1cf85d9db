/*
 * libFuzzer: the kernel's device-tree reader (ukernel/core/fdt.c), which
 * finds the RAM in whatever blob firmware passed.  It must never read
 * outside the bytes it is given (AddressSanitizer checks every access of
 * this exact-size copy) and never report a size larger than them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ukernel/fdt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1); /* exact size, 16-byte aligned */
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    size_t n = fdt_size(copy, size);
    if (n > size)
        abort();
    uint64_t base = 0, len = 0;
    (void)fdt_memory(copy, size, &base, &len);
    unsigned irq = 0;
    if (fdt_device(copy, size, "arm,pl011", &base, &len, &irq) == 0 && irq > 1019)
        abort(); /* the interrupt is always a GIC number */
    const char *args = NULL;
    size_t args_len = 0;
    if (fdt_bootargs(copy, size, &args, &args_len) == 0 &&
        ((const uint8_t *)args < copy || args_len >= size || (size_t)((const uint8_t *)args - copy) >= size - args_len ||
         args[args_len] != '\0'))
        abort(); /* the arguments lie inside the blob, NUL-terminated */
    free(copy);
    return 0;
}
