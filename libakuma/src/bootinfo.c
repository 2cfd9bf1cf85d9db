/*
 * The process's view of itself: lookups in its boot-info page
 * (akuma/sys.h), which the kernel fills before the first instruction.
 */
#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/sys.h>

int ak_cap_find(uint32_t kind, uint32_t target)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    for (uint32_t i = 0; i < bi->ncaps && i < AK_BOOT_CAP_SLOTS; i++) {
        const ak_bootinfo_cap_t *c = &bi->caps[i];
        if (c->kind == kind && (target == UINT32_MAX || c->target == target))
            return (int)c->slot;
    }
    return -AK_ENOENT;
}
