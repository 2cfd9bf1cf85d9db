/*
 * Capabilities: a per-process table of slots, each empty or naming a
 * kernel object with a kind, a badge and rights (abi/caps.h).
 *
 * Every system call that names a slot goes through cap_lookup(), which
 * checks the slot, the kind and the rights in that order and answers with
 * the one error table: -AK_EBADF for an out-of-range or empty slot,
 * -AK_ENOTSUP for the wrong kind, -AK_EPERM for a missing right.
 * Invariants: an empty slot has kind AK_CAP_NONE and a NULL object; a
 * full slot has a non-NULL object; badges are at most AK_BADGE_MAX.
 */
#ifndef UKERNEL_CAP_H
#define UKERNEL_CAP_H

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <ukernel/types.h>

typedef struct cap {
    uint8_t kind;      /* enum ak_cap_kind */
    uint8_t rights;    /* AK_RIGHT_* */
    uint16_t reserved;
    uint32_t target;   /* the object's number, for boot info and reports */
    uint64_t badge;    /* endpoints: stamped on every message sent */
    void *object;      /* the kernel object it names */
    uint64_t aux;      /* a reply capability's save number (ipc.c); else 0.  Also pads to 32 bytes */
} cap_t;

_Static_assert(sizeof(cap_t) == 32, "cap_t is a power of two");

typedef struct cap_table {
    cap_t slot[AK_CAP_SLOTS];
} cap_table_t;

/* Empties every slot. */
void cap_table_init(cap_table_t *t);

/*
 * Puts a capability in slot.  Returns 0, -AK_EBADF if slot is out of
 * range, -AK_EEXIST if it is full, -AK_EINVAL for an unknown kind, a NULL
 * object, rights outside AK_RIGHTS_ALL or a badge above AK_BADGE_MAX.
 */
int cap_insert(cap_table_t *t, uint64_t slot, uint8_t kind, uint8_t rights, uint32_t target,
               uint64_t badge, void *object);

/*
 * Finds the capability in slot and checks that it is of kind and holds
 * every right in rights.  Returns it, or NULL with *err set to -AK_EBADF,
 * -AK_ENOTSUP or -AK_EPERM (checked in that order).  slot comes straight
 * from a user register: any value is safe.  Inline: it is on the path of
 * every IPC.
 */
static inline const cap_t *cap_lookup(const cap_table_t *t, uint64_t slot, uint8_t kind,
                                      uint8_t rights, int *err)
{
    if (slot >= AK_CAP_SLOTS || t->slot[slot].kind == AK_CAP_NONE) {
        *err = -AK_EBADF;
        return NULL;
    }
    const cap_t *c = &t->slot[slot];
    if (c->kind != kind) {
        *err = -AK_ENOTSUP;
        return NULL;
    }
    if ((c->rights & rights) != rights) {
        *err = -AK_EPERM;
        return NULL;
    }
    return c;
}

/* Empties slot; returns 0 or -AK_EBADF if it is out of range or empty. */
int cap_remove(cap_table_t *t, uint64_t slot);

/* Verifies the table's invariants; returns true if they hold. */
bool cap_table_check(const cap_table_t *t);

#endif /* UKERNEL_CAP_H */
