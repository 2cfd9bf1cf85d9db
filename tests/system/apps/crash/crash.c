/*
 * Crashes on purpose, in the way its argument names:
 *   stack  recurses until the stack runs into its guard page
 *   udf    executes a permanently undefined instruction
 *   null   writes through a null pointer
 *   pmu    writes the PMU control register, which programs may only read
 *   nonl   does not crash: ends with output that has no newline, which
 *          exit() must still write out
 * Without a pager the kernel kills it; its manifest expects that.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile uint64_t sink;

static uint64_t recurse(uint64_t depth)
{
    volatile uint8_t frame[512];
    frame[0] = (uint8_t)depth;
    sink += frame[0];
    if (depth == UINT64_MAX) /* never: it keeps the compiler from calling this infinite */
        return 0;
    return recurse(depth + 1) + frame[0]; /* not a tail call: every frame stays */
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "";
    if (!strcmp(how, "nonl")) {
        printf("crash: output without a newline");
        return 0;
    }
    printf("crash: %s\n", how);
    if (!strcmp(how, "stack"))
        sink = recurse(0);
    else if (!strcmp(how, "udf"))
        __asm__ volatile("udf #0");
    else if (!strcmp(how, "null"))
        *(volatile uint64_t *)(uintptr_t)sink = 1;
    else if (!strcmp(how, "pmu"))
        __asm__ volatile("msr pmcr_el0, xzr");
    printf("crash: still alive after '%s'\n", how);
    return 0;
}
