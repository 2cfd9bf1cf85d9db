/*
 * The kernel's log ring (see klog.h).
 */
#include <ukernel/klog.h>

#include <akuma/abi/errno.h>
#include <ukernel/kprintf.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/plat.h>

typedef struct klog {
    char ring[KLOG_SIZE];
    size_t head, count;          /* the oldest byte, and how many there are */
    uint64_t lost;               /* bytes dropped since the last read */
    const vspace_t *owner;       /* the attached console's address space, or NULL */
    notification_t *notif;       /* signalled with badge when klog_pending */
    uint64_t badge;
} klog_t;

static klog_t klog;
int klog_pending;                /* written since the last signal (only while attached) */

void klog_write(const char *s, size_t n)
{
    if (!klog.owner) {
        plat_console_write(s, n);
        return;
    }
    if (n > KLOG_SIZE - klog.count) {
        klog.lost += n;          /* whole or not at all: a line is never cut */
        return;
    }
    for (size_t i = 0; i < n; i++)
        klog.ring[(klog.head + klog.count + i) % KLOG_SIZE] = s[i];
    klog.count += n;
    klog_pending = 1;
}

int klog_attach(const vspace_t *vs, notification_t *n, uint64_t badge)
{
    if (klog.owner)
        return -AK_EBUSY;
    notif_ref(n);
    klog.owner = vs;
    klog.notif = n;
    klog.badge = badge;
    klog.head = klog.count = 0;
    klog.lost = 0;
    klog_pending = 0;
    return 0;
}

int64_t klog_read(const vspace_t *vs, char *dst, size_t max, uint64_t *lost)
{
    if (!klog.owner || klog.owner != vs)
        return -AK_EPERM;
    size_t lim = klog.count < max ? klog.count : max, n = 0;
    for (size_t i = 0; i < lim; i++)
        if (klog.ring[(klog.head + i) % KLOG_SIZE] == '\n')
            n = i + 1;
    if (n == 0)
        n = lim;                 /* a line longer than max, or one not finished */
    for (size_t i = 0; i < n; i++)
        dst[i] = klog.ring[(klog.head + i) % KLOG_SIZE];
    klog.head = (klog.head + n) % KLOG_SIZE;
    klog.count -= n;
    *lost = klog.lost;
    klog.lost = 0;
    return (int64_t)n;
}

static void detach(void)
{
    notification_t *n = klog.notif;
    klog.owner = NULL;
    klog.notif = NULL;
    klog_pending = 0;
    while (klog.count) {
        size_t k = KLOG_SIZE - klog.head < klog.count ? KLOG_SIZE - klog.head : klog.count;
        plat_console_write(&klog.ring[klog.head], k);
        klog.head = (klog.head + k) % KLOG_SIZE;
        klog.count -= k;
    }
    if (n)
        notif_unref(n);
}

void klog_forget(const vspace_t *vs)
{
    if (klog.owner && klog.owner == vs)
        detach();
}

void klog_flush(void)
{
    if (klog.owner) {
        uint64_t lost = klog.lost;
        klog.notif = NULL;       /* halting: no reference to drop, no one to wake */
        detach();
        if (lost)
            kprintf("[kernel] %lu bytes of the kernel's log lost (its ring was full)\n", (unsigned long)lost);
    }
}

void klog_kick_now(void)
{
    klog_pending = 0;
    if (klog.notif)
        notif_signal(klog.notif, klog.badge);
}
