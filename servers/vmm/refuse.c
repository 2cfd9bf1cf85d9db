/*
 * Saying why a request was refused (see vmm.h): one line per refusal,
 * naming the vmm, the process and the cause, written with the kernel's
 * console call (never through another server), so that no other line
 * splits it.  A process that keeps being refused gets VMM_REFUSALS_SHOWN
 * lines and then a count, at its exit.
 */
#include <stdarg.h>
#include <stdio.h>

#include <akuma/sys.h>

#include "vmm.h"

/* Writes a whole line at once: the console call is atomic up to its limit. */
static void line(const char *text, size_t len)
{
    fflush_stdout();
    ak_console_write(text, len);
}

/* "[<vmm>] pid N (name): " and the rest, as one line. */
static void say(const vmm_proc_t *p, const char *fmt, va_list ap)
{
    char buf[200];
    int n = snprintf(buf, sizeof buf, "[%s] pid %u (%s): ", region_variant, p->pid, p->name);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    if ((size_t)n > sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    line(buf, (size_t)n);
}

void vmm_say(const vmm_proc_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(p, fmt, ap);
    va_end(ap);
}

int vmm_refuse(vmm_proc_t *p, int err, const char *fmt, ...)
{
    if (++p->refusals > VMM_REFUSALS_SHOWN)
        return err;
    va_list ap;
    va_start(ap, fmt);
    say(p, fmt, ap);
    va_end(ap);
    return err;
}

void vmm_refusals_summary(const vmm_proc_t *p)
{
    if (p->refusals <= VMM_REFUSALS_SHOWN)
        return;
    vmm_say(p, "%lu more refusals not shown", (unsigned long)(p->refusals - VMM_REFUSALS_SHOWN));
}
