/*
 * GICv2 (QEMU virt's default interrupt controller), one CPU.
 *
 * The kernel never takes interrupts at EL1: it runs with IRQs masked and
 * polls plat_irq_ack() when an exception from EL0 says an IRQ is pending,
 * or when it idles.
 */
#include <ukernel/arch/memory.h>
#include <ukernel/plat.h>
#include <ukernel/plat/virt.h>

#define GICD_CTLR       0x000u
#define GICD_ISENABLER  0x100u   /* + 4 * (irq / 32) */
#define GICD_ICENABLER  0x180u   /* + 4 * (irq / 32) */
#define GICD_ITARGETSR  0x800u   /* + irq, byte access */
#define GIC_TARGET_CPU0 0x01u
#define GICD_IPRIORITYR 0x400u   /* + irq, byte access */
#define GICD_CTLR_ENABLE 1u

#define GICC_CTLR 0x000u
#define GICC_PMR  0x004u
#define GICC_IAR  0x00Cu
#define GICC_EOIR 0x010u
#define GICC_CTLR_ENABLE 1u
#define GICC_IAR_ID_MASK 0x3FFu

#define GIC_PRIO_DEFAULT 0xA0u   /* any value below the mask passes */
#define GIC_PMR_ALL      0xF0u

static volatile uint32_t *gicd(uint32_t off)
{
    return (volatile uint32_t *)((char *)phys_to_virt(VIRT_GICD_PA) + off);
}

static volatile uint32_t *gicc(uint32_t off)
{
    return (volatile uint32_t *)((char *)phys_to_virt(VIRT_GICC_PA) + off);
}

void plat_irq_init(void)
{
    *gicd(GICD_CTLR) = GICD_CTLR_ENABLE;
    *gicc(GICC_PMR) = GIC_PMR_ALL;
    *gicc(GICC_CTLR) = GICC_CTLR_ENABLE;
}

void plat_irq_enable(unsigned irq)
{
    volatile uint8_t *prio = (volatile uint8_t *)gicd(GICD_IPRIORITYR);
    prio[irq] = GIC_PRIO_DEFAULT;
    /* A shared peripheral interrupt goes to the CPU its target byte names: this one. */
    if (irq >= PLAT_IRQ_FIRST_SPI)
        ((volatile uint8_t *)gicd(GICD_ITARGETSR))[irq] = GIC_TARGET_CPU0;
    gicd(GICD_ISENABLER)[irq / 32u] = 1u << (irq % 32u);
}

void plat_irq_disable(unsigned irq)
{
    gicd(GICD_ICENABLER)[irq / 32u] = 1u << (irq % 32u);
}

unsigned plat_irq_ack(void)
{
    return *gicc(GICC_IAR) & GICC_IAR_ID_MASK;
}

void plat_irq_eoi(unsigned irq)
{
    *gicc(GICC_EOIR) = irq;
}

unsigned plat_timer_irq(void)
{
    return VIRT_IRQ_TIMER_PHYS;
}
