/*
 * Flattened device tree reader (see fdt.h).  The format: a big-endian
 * header, then a structure block of 32-bit tokens (BEGIN_NODE name,
 * END_NODE, PROP len nameoff value, NOP, END), names in a strings block.
 * Only the root's cell sizes and the memory node are read.
 */
#include <ukernel/fdt.h>

#include <akuma/abi/errno.h>

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

#define FDT_HDR_SIZE       40u
#define FDT_MAX_DEPTH      16
#define FDT_MAX_CELLS       2u  /* a value of up to 64 bits */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct {
    const uint8_t *base;
    uint32_t total;
    uint32_t struct_off, struct_size;
    uint32_t strings_off, strings_size;
} fdt_t;

static int fdt_open(const void *blob, size_t avail, fdt_t *f)
{
    const uint8_t *b = blob;
    if (!blob || avail < FDT_HDR_SIZE || be32(b) != FDT_MAGIC)
        return -AK_EINVAL;
    f->base = b;
    f->total = be32(b + 4);
    f->struct_off = be32(b + 8);
    f->strings_off = be32(b + 12);
    f->strings_size = be32(b + 32);
    f->struct_size = be32(b + 36);
    if (f->total < FDT_HDR_SIZE || f->total > avail)
        return -AK_EINVAL;
    if (f->struct_off > f->total || f->struct_size > f->total - f->struct_off ||
        f->strings_off > f->total || f->strings_size > f->total - f->strings_off ||
        (f->struct_off & 3u) != 0)
        return -AK_EINVAL;
    return 0;
}

size_t fdt_size(const void *blob, size_t avail)
{
    fdt_t f;
    return fdt_open(blob, avail, &f) == 0 ? f.total : 0;
}

/* Length of the NUL-terminated string at p, or -1 if it runs past end. */
static long bounded_strlen(const uint8_t *p, const uint8_t *end)
{
    for (const uint8_t *q = p; q < end; q++)
        if (*q == '\0')
            return q - p;
    return -1;
}

static int name_is(const uint8_t *s, long len, const char *want)
{
    long i = 0;
    for (; want[i]; i++)
        if (i >= len || s[i] != (uint8_t)want[i])
            return 0;
    return i == len;
}

/* Node name "memory" or "memory@<unit>". */
static int is_memory_node(const uint8_t *name, long len)
{
    static const char m[] = "memory";
    long n = (long)sizeof m - 1;
    if (len < n)
        return 0;
    for (long i = 0; i < n; i++)
        if (name[i] != (uint8_t)m[i])
            return 0;
    return len == n || name[n] == '@';
}

/* Moves *p forward by n bytes rounded up to 4; fails past end. */
static int advance(const uint8_t **p, const uint8_t *end, uint64_t n)
{
    n = (n + 3) & ~UINT64_C(3);
    if (n > (uint64_t)(end - *p))
        return -AK_EINVAL;
    *p += n;
    return 0;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = v << 32 | be32(p + 4 * (size_t)i);
    return v;
}

int fdt_memory(const void *blob, size_t avail, uint64_t *base, uint64_t *size)
{
    fdt_t f;
    int err = fdt_open(blob, avail, &f);
    if (err)
        return err;

    const uint8_t *p = f.base + f.struct_off;
    const uint8_t *end = p + f.struct_size;
    const uint8_t *strings = f.base + f.strings_off;
    uint32_t addr_cells = 2, size_cells = 1; /* the specification's defaults */
    int depth = 0;
    int in_memory = 0; /* depth of the memory node we are in, 0 if none */

    while (end - p >= 4) {
        uint32_t tok = be32(p);
        p += 4;
        switch (tok) {
        case FDT_BEGIN_NODE: {
            long len = bounded_strlen(p, end);
            if (len < 0 || ++depth > FDT_MAX_DEPTH)
                return -AK_EINVAL;
            if (depth == 2 && is_memory_node(p, len))
                in_memory = depth;
            if (advance(&p, end, (uint64_t)len + 1))
                return -AK_EINVAL;
            break;
        }
        case FDT_END_NODE:
            if (depth == 0)
                return -AK_EINVAL;
            if (in_memory == depth)
                in_memory = 0;
            depth--;
            break;
        case FDT_PROP: {
            if (end - p < 8)
                return -AK_EINVAL;
            uint32_t len = be32(p), nameoff = be32(p + 4);
            p += 8;
            if (len > (uint64_t)(end - p) || nameoff >= f.strings_size)
                return -AK_EINVAL;
            const uint8_t *name = strings + nameoff;
            long nlen = bounded_strlen(name, strings + f.strings_size);
            if (nlen < 0)
                return -AK_EINVAL;
            if (depth == 1 && len == 4 && name_is(name, nlen, "#address-cells"))
                addr_cells = be32(p);
            else if (depth == 1 && len == 4 && name_is(name, nlen, "#size-cells"))
                size_cells = be32(p);
            else if (in_memory && depth == in_memory && name_is(name, nlen, "reg")) {
                if (addr_cells < 1 || addr_cells > FDT_MAX_CELLS || size_cells < 1 ||
                    size_cells > FDT_MAX_CELLS || len < 4 * (addr_cells + size_cells))
                    return -AK_EINVAL;
                *base = read_cells(p, addr_cells);
                *size = read_cells(p + 4 * (size_t)addr_cells, size_cells);
                return 0;
            }
            if (advance(&p, end, len))
                return -AK_EINVAL;
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            return -AK_ENOENT;
        default:
            return -AK_EINVAL;
        }
    }
    return -AK_EINVAL;
}
