/*
 * Runner and reporting for in-kernel tests (see ktest.h).
 */
#include <ukernel/ktest.h>

#include <common/fmt.h>
#include <ukernel/kprintf.h>

extern const ktest_t __ktests_start[], __ktests_end[];

void ktest_pass(const char *name)
{
    kprintf("AKTEST PASS %s\n", name);
}

void ktest_fail(const char *name, const char *why_fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, why_fmt);
    fmt_vsnprintf(why, sizeof why, why_fmt, ap);
    va_end(ap);
    kprintf("AKTEST FAIL %s: %s\n", name, why);
}

void ktest_run_all(void)
{
    for (const ktest_t *t = __ktests_start; t < __ktests_end; t++)
        t->fn();
}
