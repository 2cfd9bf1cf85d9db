/*
 * A CPU-bound program that never makes a system call while it spins: it
 * reads the virtual counter in a loop for a given time and counts the
 * gaps, moments where the counter jumped by more than a tick between two
 * reads because another thread ran.  Two spinners of one priority must
 * both see such gaps while their runs overlap: only preemption by the
 * timer can give them.  A spinner of a priority above every other must
 * see none: nothing of lower priority may run while it can.
 *
 * Usage: spinner NAME [MILLISECONDS [alone]]; prints
 * AKTEST PASS ipc-preempt-NAME, or ipc-priority-NAME with "alone".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "akuma/counter.h"

static uint64_t parse_ms(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "?";
    uint64_t ms = argc > 2 ? parse_ms(argv[2]) : 300;
    uint64_t freq = ak_counter_freq();
    uint64_t gap = freq / 200; /* 5 ms: longer than any kernel path, shorter than a slice */
    uint64_t start = ak_counter(), end = start + ms * freq / 1000;
    uint64_t last = start, gaps = 0, spins = 0;
    for (uint64_t now = start; now < end; now = ak_counter()) {
        if (now - last > gap)
            gaps++;
        last = now;
        spins++;
    }
    if (argc > 3 && !strcmp(argv[3], "alone")) {
        if (gaps == 0)
            printf("AKTEST PASS ipc-priority-%s\n", name);
        else
            printf("AKTEST FAIL ipc-priority-%s: %lu gaps in %lu ms: a lower priority ran\n", name,
                   (unsigned long)gaps, (unsigned long)ms);
    } else if (gaps >= 2) {
        printf("AKTEST PASS ipc-preempt-%s\n", name);
    } else {
        printf("AKTEST FAIL ipc-preempt-%s: %lu gaps in %lu ms (%lu spins): never preempted\n",
               name, (unsigned long)gaps, (unsigned long)ms, (unsigned long)spins);
    }
    return 0;
}
