/*
 * Kernel entry.  QEMU loads the image at its physical address and jumps
 * to _start with the MMU off, at EL2 (virtualization=on) or EL1, x0 = the
 * device tree's address or 0.  Until the MMU is on, code runs at the
 * physical address, so it uses only PC-relative addressing (adrp/adr).
 *
 * Boot map (39-bit VAs, 1 GiB level-1 blocks):
 *   TTBR1: physmap, PA 0-1 GiB device memory, 1-4 GiB normal memory
 *   TTBR0: identity map of 1-2 GiB, only until the jump to the high half
 * In the high half the kernel at once replaces the TTBR1 map with its
 * final one, which has W^X (kmap.c), and then drops the identity map.
 */
#include <ukernel/arch/sysreg.h>

#define KERNEL_STACK_SIZE (16 * 1024)
#define L1_ENTRIES 512
#define GIB_SHIFT 30

    .section .text.boot, "ax"
    .global _start
_start:
    msr     daifset, #0xf
    mov     x19, x0                         /* device tree, kept for kmain */

    mrs     x0, CurrentEL
    lsr     x20, x0, #CURRENTEL_SHIFT       /* the level we entered at, for kmain */
    cmp     x20, #CURRENTEL_EL2
    b.ne    at_el1

    /* EL2 -> EL1: AArch64 at EL1, timers and FP untrapped, PMU shared. */
    mov     x0, #HCR_EL2_RW
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2
    orr     x0, x0, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    mov     x0, #CPTR_EL2_RES1
    msr     cptr_el2, x0
    mrs     x0, pmcr_el0                    /* give EL1 every PMU counter */
    ubfx    x0, x0, #PMCR_N_SHIFT, #5
    msr     mdcr_el2, x0
    mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    msr     sctlr_el1, xzr
    mov     x0, #SPSR_EL1H_MASKED
    msr     spsr_el2, x0
    adr     x0, at_el1
    msr     elr_el2, x0
    eret

at_el1:
    /*
     * Registers whose reset values are UNKNOWN on hardware: FP/SIMD traps
     * at EL0 and EL1 (the kernel saves no FP state, so programs get none),
     * no debug, and user thread pointers that start at 0.
     */
    msr     cpacr_el1, xzr
    msr     mdscr_el1, xzr
    msr     tpidr_el0, xzr
    msr     tpidrro_el0, xzr

    adrp    x0, kernel_stack_top
    add     x0, x0, :lo12:kernel_stack_top
    mov     sp, x0

    /* Zero .bss (it holds the boot tables and the stack, both unused yet). */
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:
    adrp    x0, boot_entry_el
    str     w20, [x0, :lo12:boot_entry_el]
    adr     x21, kmap_switch                /* its physical address, for high_entry */

    /* TTBR1: entry 0 maps devices, entries 1-3 map RAM. */
    adrp    x0, boot_l1_high
    ldr     x1, =BOOT_BLOCK_DEVICE
    str     x1, [x0]
    ldr     x1, =BOOT_BLOCK_NORMAL
    mov     x2, #1
3:  lsl     x3, x2, #GIB_SHIFT
    orr     x3, x3, x1
    str     x3, [x0, x2, lsl #3]
    add     x2, x2, #1
    cmp     x2, #4
    b.lo    3b

    /* TTBR0: identity map of the GiB the kernel runs in, for the switch. */
    adrp    x4, boot_l1_low
    adrp    x5, _start
    lsr     x2, x5, #GIB_SHIFT
    lsl     x3, x2, #GIB_SHIFT
    orr     x3, x3, x1
    str     x3, [x4, x2, lsl #3]

    ldr     x1, =MAIR_EL1_VALUE
    msr     mair_el1, x1
    ldr     x1, =TCR_EL1_VALUE
    mrs     x2, id_aa64mmfr0_el1
    and     x2, x2, #ID_MMFR0_PARANGE_MASK
    orr     x1, x1, x2, lsl #TCR_IPS_SHIFT
    msr     tcr_el1, x1
    msr     ttbr0_el1, x4
    msr     ttbr1_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ldr     x1, =SCTLR_EL1_VALUE
    msr     sctlr_el1, x1
    isb

    ldr     x0, =high_entry
    br      x0

/*
 * kmap_switch(x0 = the final TTBR1 table): called at its physical address,
 * through the identity map, so that TTBR1 may map nothing for a moment.
 * With TTBR1 walks off, the TLB is emptied of the boot blocks before the
 * final tables go in: the two maps never meet in the TLB, which changing
 * block sizes in place would allow (break-before-make).  Touches no
 * memory, so needs no stack; returns to the high half.
 */
kmap_switch:
    mrs     x1, tcr_el1
    orr     x2, x1, #TCR_EPD1
    msr     tcr_el1, x2
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    msr     ttbr1_el1, x0
    msr     tcr_el1, x1
    isb
    ret

    .text
high_entry:
    ldr     x0, =kernel_stack_top
    mov     sp, x0
    ldr     x0, =exception_vectors
    msr     vbar_el1, x0
    bl      kmap_build                      /* x0: the final TTBR1 table */
    blr     x21                             /* kmap_switch, at its physical address */
    /* The identity map is no longer needed: stop TTBR0 walks until a
     * process runs. */
    mrs     x0, tcr_el1
    orr     x0, x0, #TCR_EPD0
    msr     tcr_el1, x0
    msr     ttbr0_el1, xzr
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mov     x0, x19
    bl      kmain
    b       .

    .section .bss.boot, "aw", %nobits
    .balign 4
    .global boot_entry_el
boot_entry_el:
    .space  4
    .balign 4096
    .global boot_l1_high
boot_l1_high:
    .space  L1_ENTRIES * 8
boot_l1_low:
    .space  L1_ENTRIES * 8
    /*
     * Page aligned and a whole number of pages, so that its top is page
     * aligned too: the exception entry (entry.S) loads it with adrp alone.
     */
.if KERNEL_STACK_SIZE % 4096
    .error "KERNEL_STACK_SIZE must be a multiple of the page size"
.endif
    .balign 4096
kernel_stack:
    .space  KERNEL_STACK_SIZE
    .global kernel_stack_top
kernel_stack_top:
