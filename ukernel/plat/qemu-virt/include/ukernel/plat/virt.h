/*
 * QEMU `-M virt` (QEMU 7.2): the fixed addresses of its devices.
 * From QEMU's hw/arm/virt.c memory map; the device tree says the same.
 */
#ifndef UKERNEL_PLAT_VIRT_H
#define UKERNEL_PLAT_VIRT_H

#define VIRT_GICD_PA   UINT64_C(0x08000000)  /* GICv2 distributor */
#define VIRT_GICC_PA   UINT64_C(0x08010000)  /* GICv2 CPU interface */
#define VIRT_UART_PA   UINT64_C(0x09000000)  /* PL011 */
#define VIRT_RAM_PA    UINT64_C(0x40000000)  /* start of RAM; the DTB is placed here */
#define VIRT_RAM_DEFAULT_SIZE UINT64_C(0x08000000) /* QEMU's default -m 128M */

/* Interrupt numbers (GIC INTIDs): PPIs are 16 + n. */
#define VIRT_IRQ_TIMER_PHYS 30u   /* EL1 physical timer, PPI 14 */

#endif /* UKERNEL_PLAT_VIRT_H */
