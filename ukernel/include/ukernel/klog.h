/*
 * The kernel's log, once a userspace console owns the serial port.
 *
 * Until a console attaches (device.klog_attach, idl/kernel.idl), and
 * after a panic, the kernel's lines and the console system call go
 * straight to the port, polled.  Once attached, they are appended to a
 * ring of KLOG_SIZE bytes instead, and the console's notification is
 * signalled when the kernel next returns to userspace (klog_kick, from
 * sched_return: never from inside the code that printed, which may be the
 * scheduler's).  The console takes whole lines (device.klog_read) between
 * its own, so neither splits the other.  A write that does not fit is
 * dropped whole and its bytes counted; the next read reports them.
 *
 * Three promises hold whatever the console does: panic(), the kernel's
 * exception report and halt() empty the ring onto the port themselves,
 * polled, before their own lines (klog_flush, which also says how many
 * bytes a full ring dropped), so the last lines, a panic and
 * "[kernel] halt: status N" always reach it; and a console whose address space goes (it ended or
 * was killed) is detached, what it had not taken written out.  Nothing
 * here ever waits for the console: a process printing through the
 * kernel (init, a vmm) never blocks on it.
 *
 * One log for the machine, as there is one port; when SMP comes its
 * fields are guarded by one lock, taken by klog_write, klog_read,
 * klog_kick and klog_flush only.
 */
#ifndef UKERNEL_KLOG_H
#define UKERNEL_KLOG_H

#include <stddef.h>
#include <stdint.h>

#include <ukernel/proc.h>

#define KLOG_SIZE 16384u

/* Writes s: to the ring if a console is attached, else to the port. */
void klog_write(const char *s, size_t n);

/* Attaches the console that owns vs: the log goes to the ring and n (a
 * reference is taken) is signalled with badge.  -AK_EBUSY if attached. */
int klog_attach(const vspace_t *vs, notification_t *n, uint64_t badge);

/* Moves the oldest whole lines, at most max bytes (a longer line in
 * pieces), to dst: returns how many; *lost is the bytes dropped since the
 * last read.  -AK_EPERM unless vs is the attached console's. */
int64_t klog_read(const vspace_t *vs, char *dst, size_t max, uint64_t *lost);

/* vs is going: if it is the console's, the ring is written out and the log detached. */
void klog_forget(const vspace_t *vs);

/* Writes the ring to the port, polled, and detaches: for panic and halt. */
void klog_flush(void);

/* Signals the console if something was written since it was last signalled:
 * a flag test on the way back to userspace, the signal out of line. */
extern int klog_pending;
void klog_kick_now(void);
static inline void klog_kick(void)
{
    if (klog_pending)
        klog_kick_now();
}

#endif /* UKERNEL_KLOG_H */
