/*
 * Flattened device tree reader (see fdt.h).  The format: a big-endian
 * header, then a structure block of 32-bit tokens (BEGIN_NODE name,
 * END_NODE, PROP len nameoff value, NOP, END), names in a strings block.
 * Only the root's cell sizes and the nodes directly under the root are
 * read: the memory node, a device by its compatible string, and /chosen.
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

static bool name_is(const uint8_t *s, long len, const char *want)
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

/*
 * What a walk looks for, told each property of a node directly under the
 * root (depth 2) and the end of each such node; either callback returns
 * 1 to stop the walk with success, -AK_EINVAL to stop it with that error,
 * 0 to go on.
 */
typedef struct visitor {
    int (*prop)(struct visitor *v, const uint8_t *node, long node_len, const uint8_t *name, long name_len,
                const uint8_t *value, uint32_t len);
    int (*node_end)(struct visitor *v);
    uint32_t addr_cells, size_cells; /* the root's, for the callbacks */
} visitor_t;

/* Walks the structure block; returns 0 when a callback stopped it, -AK_ENOENT at its end, or -AK_EINVAL. */
static int fdt_walk(const void *blob, size_t avail, visitor_t *v)
{
    fdt_t f;
    int err = fdt_open(blob, avail, &f);
    if (err)
        return err;

    const uint8_t *p = f.base + f.struct_off;
    const uint8_t *end = p + f.struct_size;
    const uint8_t *strings = f.base + f.strings_off;
    v->addr_cells = 2; /* the specification's defaults */
    v->size_cells = 1;
    int depth = 0;
    const uint8_t *node = NULL; /* the depth-2 node we are in */
    long node_len = 0;

    while (end - p >= 4) {
        uint32_t tok = be32(p);
        p += 4;
        switch (tok) {
        case FDT_BEGIN_NODE: {
            long len = bounded_strlen(p, end);
            if (len < 0 || ++depth > FDT_MAX_DEPTH)
                return -AK_EINVAL;
            if (depth == 2) {
                node = p;
                node_len = len;
            }
            if (advance(&p, end, (uint64_t)len + 1))
                return -AK_EINVAL;
            break;
        }
        case FDT_END_NODE:
            if (depth == 0)
                return -AK_EINVAL;
            if (depth == 2 && v->node_end) {
                int rc = v->node_end(v);
                if (rc)
                    return rc > 0 ? 0 : rc;
            }
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
                v->addr_cells = be32(p);
            else if (depth == 1 && len == 4 && name_is(name, nlen, "#size-cells"))
                v->size_cells = be32(p);
            else if (depth == 2) {
                int rc = v->prop(v, node, node_len, name, nlen, p, len);
                if (rc)
                    return rc > 0 ? 0 : rc;
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

/* Reads the first (base, size) pair of a reg property; 1, or -AK_EINVAL. */
static int read_reg(const visitor_t *v, const uint8_t *value, uint32_t len, uint64_t *base, uint64_t *size)
{
    if (v->addr_cells < 1 || v->addr_cells > FDT_MAX_CELLS || v->size_cells < 1 ||
        v->size_cells > FDT_MAX_CELLS || len < 4 * (v->addr_cells + v->size_cells))
        return -AK_EINVAL;
    *base = read_cells(value, v->addr_cells);
    *size = read_cells(value + 4 * (size_t)v->addr_cells, v->size_cells);
    return 1;
}

typedef struct memory_visitor {
    visitor_t v;
    uint64_t *base, *size;
} memory_visitor_t;

static int memory_prop(visitor_t *v, const uint8_t *node, long node_len, const uint8_t *name, long name_len,
                       const uint8_t *value, uint32_t len)
{
    memory_visitor_t *m = (memory_visitor_t *)v;
    if (!is_memory_node(node, node_len) || !name_is(name, name_len, "reg"))
        return 0;
    return read_reg(v, value, len, m->base, m->size);
}

int fdt_memory(const void *blob, size_t avail, uint64_t *base, uint64_t *size)
{
    memory_visitor_t m = { .v = { .prop = memory_prop }, .base = base, .size = size };
    return fdt_walk(blob, avail, &m.v);
}

typedef struct device_visitor {
    visitor_t v;
    const char *compatible;
    bool match, has_reg, has_irq;
    uint64_t base, size;
    unsigned irq;
} device_visitor_t;

/* Is want one of the NUL-separated strings of a compatible property? */
static bool compatible_has(const uint8_t *value, uint32_t len, const char *want)
{
    uint32_t i = 0;
    while (i < len) {
        long n = bounded_strlen(value + i, value + len);
        if (n < 0)
            return false;
        if (name_is(value + i, n, want))
            return true;
        i += (uint32_t)n + 1;
    }
    return false;
}

static int device_prop(visitor_t *v, const uint8_t *node, long node_len, const uint8_t *name, long name_len,
                       const uint8_t *value, uint32_t len)
{
    (void)node;
    (void)node_len;
    device_visitor_t *d = (device_visitor_t *)v;
    if (name_is(name, name_len, "compatible")) {
        d->match = d->match || compatible_has(value, len, d->compatible);
    } else if (name_is(name, name_len, "reg")) {
        int rc = read_reg(v, value, len, &d->base, &d->size);
        if (rc < 0)
            return rc;
        d->has_reg = true;
    } else if (name_is(name, name_len, "interrupts") && len >= 12) {
        /* The GIC's three cells: type (0 SPI, 1 PPI), number, flags. */
        uint32_t type = be32(value), num = be32(value + 4);
        if (type > 1 || num > 1019 - 32)
            return -AK_EINVAL;
        d->irq = num + (type == 0 ? 32u : 16u);
        d->has_irq = true;
    }
    return 0;
}

static int device_end(visitor_t *v)
{
    device_visitor_t *d = (device_visitor_t *)v;
    if (d->match && d->has_reg)
        return 1;
    d->match = d->has_reg = d->has_irq = false;
    return 0;
}

int fdt_device(const void *blob, size_t avail, const char *compatible, uint64_t *base, uint64_t *size,
               unsigned *irq)
{
    device_visitor_t d = { .v = { .prop = device_prop, .node_end = device_end }, .compatible = compatible };
    int rc = fdt_walk(blob, avail, &d.v);
    if (rc)
        return rc;
    *base = d.base;
    *size = d.size;
    *irq = d.has_irq ? d.irq : 0;
    return 0;
}

typedef struct bootargs_visitor {
    visitor_t v;
    const char **args;
    size_t *len;
} bootargs_visitor_t;

static int bootargs_prop(visitor_t *v, const uint8_t *node, long node_len, const uint8_t *name, long name_len,
                         const uint8_t *value, uint32_t len)
{
    bootargs_visitor_t *b = (bootargs_visitor_t *)v;
    if (!name_is(node, node_len, "chosen") || !name_is(name, name_len, "bootargs"))
        return 0;
    long n = bounded_strlen(value, value + len);
    if (n < 0)
        return -AK_EINVAL;  /* a string property ends with its NUL */
    *b->args = (const char *)value;
    *b->len = (size_t)n;
    return 1;
}

int fdt_bootargs(const void *blob, size_t avail, const char **args, size_t *len)
{
    bootargs_visitor_t b = { .v = { .prop = bootargs_prop }, .args = args, .len = len };
    return fdt_walk(blob, avail, &b.v);
}
