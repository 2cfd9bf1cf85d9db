/*
 * Kernel console output and panic (see kprintf.h).
 */
#include <ukernel/kprintf.h>

#include <common/fmt.h>
#include <ukernel/halt.h>
#include <ukernel/klog.h>
#include <ukernel/plat.h>

static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    klog_write(s, n);
}

void kvprintf(const char *fmt, va_list ap)
{
    fmt_vformat(console_sink, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void kputs(const char *s, size_t n)
{
    klog_write(s, n);
}

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    klog_flush(); /* what the console had not taken, then this, polled: a panic always reaches the port */
    kprintf("[kernel] PANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    halt(HALT_PANIC);
}
