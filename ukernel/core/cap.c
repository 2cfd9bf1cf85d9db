/*
 * The capability table (see cap.h; lookup is inline there).
 */
#include <ukernel/cap.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/syscall.h>
#include <common/string.h>

static bool kind_valid(uint8_t kind)
{
    return kind != AK_CAP_NONE && kind < AK_CAP_KINDS;
}

void cap_table_init(cap_table_t *t)
{
    memset(t, 0, sizeof *t);
}

int cap_insert(cap_table_t *t, uint64_t slot, uint8_t kind, uint8_t rights, uint32_t target,
               uint64_t badge, void *object)
{
    if (slot >= AK_CAP_SLOTS)
        return -AK_EBADF;
    if (!kind_valid(kind) || !object || (rights & ~AK_RIGHTS_ALL) || badge > AK_BADGE_MAX)
        return -AK_EINVAL;
    cap_t *c = &t->slot[slot];
    if (c->kind != AK_CAP_NONE)
        return -AK_EEXIST;
    c->kind = kind;
    c->rights = rights;
    c->target = target;
    c->badge = badge;
    c->object = object;
    return 0;
}

int cap_remove(cap_table_t *t, uint64_t slot)
{
    if (slot >= AK_CAP_SLOTS || t->slot[slot].kind == AK_CAP_NONE)
        return -AK_EBADF;
    memset(&t->slot[slot], 0, sizeof t->slot[slot]);
    return 0;
}

bool cap_table_check(const cap_table_t *t)
{
    for (unsigned i = 0; i < AK_CAP_SLOTS; i++) {
        const cap_t *c = &t->slot[i];
        if (c->kind == AK_CAP_NONE) {
            if (c->object || c->rights || c->badge)
                return false;
        } else if (!kind_valid(c->kind) || !c->object || (c->rights & ~AK_RIGHTS_ALL) ||
                   c->badge > AK_BADGE_MAX) {
            return false;
        }
    }
    return true;
}
