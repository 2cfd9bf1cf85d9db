/*
 * Kernel objects and the capabilities that name them, with reference
 * counts (see proc.h): every capability a process's table gains or loses
 * goes through here, so that an endpoint or a physical-memory range is
 * free exactly when nothing names it, and a process's `memory` always
 * follows its physical-memory capabilities.
 */
#ifndef UKERNEL_OBJECT_H
#define UKERNEL_OBJECT_H

#include <ukernel/proc.h>

/*
 * Puts a capability into p's slot (cap_insert's checks and errors) and
 * counts the reference on its object.
 */
int obj_cap_put(proc_t *p, uint64_t slot, uint8_t kind, uint8_t rights, uint32_t target,
                uint64_t badge, void *object);

/* Empties p's slot and drops its reference; 0 or -AK_EBADF. */
int obj_cap_delete(proc_t *p, uint64_t slot);

/* Empties every slot of p's table. */
void obj_caps_clear(proc_t *p);

/*
 * References from elsewhere than a table (a thread's pager pointer).  When
 * an endpoint's last reference goes, each thread still queued on it is
 * woken with -AK_EINTR, and the endpoint is free.
 */
void endpoint_ref(endpoint_t *ep);
void endpoint_unref(endpoint_t *ep);
/* The same for notifications: at its last reference, notif_release(). */
void notif_ref(notification_t *n);
void notif_unref(notification_t *n);

/* A free endpoint or range (refs 0, queue empty), or NULL if none is left. */
endpoint_t *endpoint_alloc(void);
physmem_t *physmem_alloc(void);

/* How many entries are free. */
unsigned endpoints_free(void);
unsigned physmems_free(void);

/* Recomputes p->memory from the physmem capability in p's lowest slot holding one. */
void proc_update_memory(proc_t *p);

#endif /* UKERNEL_OBJECT_H */
