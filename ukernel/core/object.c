/*
 * Reference counts of kernel objects (see object.h).
 */
#include <ukernel/object.h>

#include <akuma/abi/errno.h>
#include <common/string.h>
#include <ukernel/device.h>
#include <ukernel/ipc.h>
#include <ukernel/notif.h>
#include <ukernel/sched.h>
#include <ukernel/tqueue.h>

physmem_t physmems[PHYSMEM_MAX];

void endpoint_ref(endpoint_t *ep)
{
    ep->refs++;
}

void endpoint_unref(endpoint_t *ep)
{
    if (--ep->refs != 0)
        return;
    /* Nobody can name it any more: its waiters would wait for ever. */
    while (ep->queue.head) {
        thread_t *t = tq_pop_front(&ep->queue);
        t->blocked_on = NULL;
        t->regs.x[0] = (uint64_t)-AK_EINTR;
        sched_wake(t);
    }
}

void notif_ref(notification_t *n)
{
    n->refs++;
}

void notif_unref(notification_t *n)
{
    if (--n->refs == 0)
        notif_release(n);
}

static void ref(uint8_t kind, void *object)
{
    if (kind == AK_CAP_IRQ)
        ((irq_handler_t *)object)->refs++;
    else if (kind == AK_CAP_NOTIFICATION)
        notif_ref(object);
    else if (kind == AK_CAP_ENDPOINT)
        endpoint_ref(object);
    else if (kind == AK_CAP_PHYSMEM)
        ((physmem_t *)object)->refs++;
}

static void unref(uint8_t kind, void *object)
{
    if (kind == AK_CAP_IRQ)
        irq_handler_unref(object);
    else if (kind == AK_CAP_NOTIFICATION)
        notif_unref(object);
    else if (kind == AK_CAP_ENDPOINT)
        endpoint_unref(object);
    else if (kind == AK_CAP_PHYSMEM)
        ((physmem_t *)object)->refs--;
}

void proc_update_memory(proc_t *p)
{
    p->memory = (frame_range_t){ 0, 0 };
    for (unsigned s = 0; s < AK_CAP_SLOTS; s++) {
        const cap_t *c = &p->caps.slot[s];
        if (c->kind == AK_CAP_PHYSMEM) {
            const physmem_t *m = c->object;
            p->memory = (frame_range_t){ m->base, m->base + m->size };
            return;
        }
    }
}

int obj_cap_put(proc_t *p, uint64_t slot, uint8_t kind, uint8_t rights, uint32_t target,
                uint64_t badge, void *object)
{
    int err = cap_insert(&p->caps, slot, kind, rights, target, badge, object);
    if (err)
        return err;
    ref(kind, object);
    if (kind == AK_CAP_PHYSMEM)
        proc_update_memory(p);
    return 0;
}

int obj_cap_delete(proc_t *p, uint64_t slot)
{
    if (slot >= AK_CAP_SLOTS || p->caps.slot[slot].kind == AK_CAP_NONE)
        return -AK_EBADF;
    cap_t c = p->caps.slot[slot];
    cap_remove(&p->caps, slot);
    if (c.kind == AK_CAP_REPLY)
        ipc_reply_cap_dropped(p, &c);
    unref(c.kind, c.object);
    if (c.kind == AK_CAP_PHYSMEM)
        proc_update_memory(p);
    return 0;
}

void obj_caps_clear(proc_t *p)
{
    for (unsigned s = 0; s < AK_CAP_SLOTS; s++)
        if (p->caps.slot[s].kind != AK_CAP_NONE)
            obj_cap_delete(p, s);
}

endpoint_t *endpoint_alloc(void)
{
    for (unsigned i = 0; i < ENDPOINT_MAX; i++)
        if (endpoints[i].refs == 0 && !endpoints[i].queue.head)
            return &endpoints[i];
    return NULL;
}

physmem_t *physmem_alloc(void)
{
    for (unsigned i = 0; i < PHYSMEM_MAX; i++)
        if (physmems[i].refs == 0)
            return &physmems[i];
    return NULL;
}

unsigned endpoints_free(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ENDPOINT_MAX; i++)
        n += endpoints[i].refs == 0 && !endpoints[i].queue.head;
    return n;
}

unsigned physmems_free(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < PHYSMEM_MAX; i++)
        n += physmems[i].refs == 0;
    return n;
}
