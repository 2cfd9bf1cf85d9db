/*
 * The platform contract: what the portable kernel needs from the board.
 * One implementation per folder under plat/ (qemu-virt for now).
 */
#ifndef UKERNEL_PLAT_H
#define UKERNEL_PLAT_H

#include <ukernel/types.h>

/* Makes the console usable; called first, with the MMU on. */
void plat_console_init(void);

/* Writes n bytes to the console, "\n" as "\r\n"; polls, never fails. */
void plat_console_write(const char *s, size_t n);

/*
 * Finds the RAM bank from the device tree at dtb_pa (0 if none).
 * Returns false if no memory node could be read; then *base and *size
 * describe the platform's default bank.
 */
bool plat_ram(paddr_t dtb_pa, paddr_t *base, uint64_t *size);

/* The device tree the boot loader passed at dtb_pa (or left where the board puts it), and how much may be read; NULL if none. */
const void *plat_dtb(paddr_t dtb_pa, size_t *avail);

/* Interrupt controller. */
void plat_irq_init(void);
void plat_irq_enable(unsigned irq);
void plat_irq_disable(unsigned irq);
/* Returns the pending interrupt's number, or PLAT_IRQ_NONE. */
unsigned plat_irq_ack(void);
void plat_irq_eoi(unsigned irq);
#define PLAT_IRQ_NONE 1023u
/* Lines from here to PLAT_IRQ_NONE-4 are devices' (shared peripheral interrupts). */
#define PLAT_IRQ_FIRST_SPI 32u
/* The interrupt of the timer that arch_timer_start() programs. */
unsigned plat_timer_irq(void);

/* Stops QEMU with an exit status; never returns. */
_Noreturn void plat_poweroff(int status);

#endif /* UKERNEL_PLAT_H */
