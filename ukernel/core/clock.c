/*
 * Interrupt dispatch and the tick (see clock.h).  The only device
 * interrupt the kernel owns is the timer.
 */
#include <ukernel/clock.h>

#include <ukernel/arch.h>
#include <ukernel/kprintf.h>
#include <ukernel/device.h>
#include <ukernel/notif.h>
#include <ukernel/plat.h>

volatile uint64_t clock_ticks;

void clock_init(void)
{
    plat_irq_init();
    plat_irq_enable(plat_timer_irq());
    arch_timer_start(CLOCK_HZ);
}

bool irq_poll(void)
{
    bool ticked = false;
    for (;;) {
        unsigned irq = plat_irq_ack();
        if (irq == PLAT_IRQ_NONE)
            break;
        if (irq == plat_timer_irq()) {
            arch_timer_rearm();
            clock_ticks++;
            ticked = true;
            timeout_tick();
        } else if (!irq_deliver(irq)) {
            kprintf("[kernel] spurious interrupt %u\n", irq);
            plat_irq_disable(irq);
        }
        plat_irq_eoi(irq);
    }
    return ticked;
}
