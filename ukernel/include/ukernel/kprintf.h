/*
 * Kernel console output and panic.
 *
 * kprintf formats with the shared formatter (common/fmt.h) and writes the
 * whole result to the console in one piece (klog_write: the port, or the
 * log ring once a userspace console owns the port); the kernel is not
 * preemptible, so a line is never interleaved with another.
 */
#ifndef UKERNEL_KPRINTF_H
#define UKERNEL_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void kputs(const char *s, size_t n);

/*
 * Stops the system with a message for a broken kernel invariant: prints
 * "[kernel] PANIC: <message>" and halts QEMU with HALT_PANIC.
 */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define KASSERT(cond)                                                      \
    do {                                                                   \
        if (!(cond))                                                       \
            panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
    } while (0)

#endif /* UKERNEL_KPRINTF_H */
