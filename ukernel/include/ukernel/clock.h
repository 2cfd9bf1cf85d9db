/*
 * The scheduler tick and interrupt dispatch.
 */
#ifndef UKERNEL_CLOCK_H
#define UKERNEL_CLOCK_H

#include <ukernel/types.h>

#define CLOCK_HZ 100u

/* Ticks since the timer started. */
extern volatile uint64_t clock_ticks;

/* Starts the tick. */
void clock_init(void);

/*
 * Handles every pending interrupt.  Returns true if a tick was among them
 * (the scheduler may then preempt).
 */
bool irq_poll(void);

#endif /* UKERNEL_CLOCK_H */
