/*
 * A minimal, defensive reader of flattened device trees: just enough to
 * find the RAM bank and a device's registers and interrupt.  Every offset is checked against the blob's size, so
 * a corrupt or hostile blob gives an error, never a fault.
 */
#ifndef UKERNEL_FDT_H
#define UKERNEL_FDT_H

#include <ukernel/types.h>

#define FDT_MAGIC 0xd00dfeedu

/* Total size of the blob from its header, or 0 if the header is not valid. */
size_t fdt_size(const void *blob, size_t avail);

/*
 * Finds the first `memory` node's first (base, size) pair, honouring the
 * root's #address-cells and #size-cells.  avail is how many bytes may be
 * read at blob.  Returns 0 on success, -AK_EINVAL for a malformed blob,
 * -AK_ENOENT if there is no memory node.
 */
int fdt_memory(const void *blob, size_t avail, uint64_t *base, uint64_t *size);

/*
 * Finds the first node directly under the root whose compatible list
 * holds `compatible` and that has a reg: its first (base, size) pair and
 * its interrupt (the GIC's number: SPI n is 32 + n; 0 if it has none).
 * Returns 0, -AK_EINVAL for a malformed blob, -AK_ENOENT if none.
 */
int fdt_device(const void *blob, size_t avail, const char *compatible, uint64_t *base, uint64_t *size,
               unsigned *irq);

/*
 * Finds /chosen/bootargs (QEMU's -append): *args points at its bytes in
 * the blob and *len is their length without the terminating NUL.
 * Returns 0, -AK_EINVAL for a malformed blob or a property without its
 * NUL, -AK_ENOENT if there is none.
 */
int fdt_bootargs(const void *blob, size_t avail, const char **args, size_t *len);

#endif /* UKERNEL_FDT_H */
