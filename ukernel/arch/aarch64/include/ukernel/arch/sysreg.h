/*
 * Named bits of the AArch64 system registers and translation descriptors
 * the kernel uses (Arm ARM, DDI 0487, chapter D13/D8).  Usable from C and
 * from assembly.
 */
#ifndef UKERNEL_ARCH_SYSREG_H
#define UKERNEL_ARCH_SYSREG_H

#ifdef __ASSEMBLER__
#define BIT(n) (1 << (n))
#define U64(x) (x)
#else
#include <stdint.h>
#define BIT(n) (UINT64_C(1) << (n))
#define U64(x) UINT64_C(x)
#endif

/* CurrentEL */
#define CURRENTEL_SHIFT 2
#define CURRENTEL_EL2   2

/* HCR_EL2 */
#define HCR_EL2_RW BIT(31)           /* EL1 is AArch64 */

/* CNTHCTL_EL2: EL1 may read the physical counter and use the physical timer */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN  BIT(1)

/* CPTR_EL2: RES1 bits of the non-VHE layout; TFP (bit 10) stays 0 */
#define CPTR_EL2_RES1 U64(0x33FF)

/* SPSR: EL1h with D, A, I, F masked */
#define SPSR_EL1H_MASKED U64(0x3C5)
#define SPSR_MODE_MASK   U64(0xF)
#define SPSR_MODE_EL0T   U64(0x0)
#define SPSR_DAIF_MASK   U64(0x3C0)

/* SCTLR_EL1 */
#define SCTLR_M     BIT(0)   /* MMU on */
#define SCTLR_A     BIT(1)   /* alignment checks */
#define SCTLR_C     BIT(2)   /* data cache */
#define SCTLR_SA    BIT(3)   /* SP alignment check, EL1 */
#define SCTLR_SA0   BIT(4)   /* SP alignment check, EL0 */
#define SCTLR_I     BIT(12)  /* instruction cache */
#define SCTLR_DZE   BIT(14)  /* EL0 may use DC ZVA (zeroing pages quickly) */
#define SCTLR_SPAN  BIT(23)  /* PSTATE.PAN unchanged on exception entry */
#define SCTLR_RES1  (BIT(11) | BIT(20) | BIT(22) | BIT(28) | BIT(29))
#define SCTLR_EL1_VALUE (SCTLR_RES1 | SCTLR_SPAN | SCTLR_DZE | SCTLR_I | SCTLR_SA0 | SCTLR_SA | \
                         SCTLR_C | SCTLR_M)

/* MAIR_EL1 attribute indices and encodings */
#define MAIR_IDX_DEVICE  0
#define MAIR_IDX_NORMAL  1
#define MAIR_IDX_NC      2
#define MAIR_DEVICE_nGnRE U64(0x04)
#define MAIR_NORMAL_WB    U64(0xFF)
#define MAIR_NORMAL_NC    U64(0x44)
#define MAIR_EL1_VALUE ((MAIR_DEVICE_nGnRE << (8 * MAIR_IDX_DEVICE)) | \
                        (MAIR_NORMAL_WB << (8 * MAIR_IDX_NORMAL)) |    \
                        (MAIR_NORMAL_NC << (8 * MAIR_IDX_NC)))

/* TCR_EL1 for 39-bit VAs in both halves, 4 KiB granules, write-back walks */
#define TCR_T0SZ(n)   ((n) << 0)
#define TCR_IRGN0_WB  (U64(1) << 8)
#define TCR_ORGN0_WB  (U64(1) << 10)
#define TCR_SH0_INNER (U64(3) << 12)
#define TCR_TG0_4K    (U64(0) << 14)
#define TCR_EPD0      BIT(7)        /* no walks through TTBR0 */
#define TCR_EPD1      BIT(23)       /* no walks through TTBR1 */
#define TCR_T1SZ(n)   ((n) << 16)
#define TCR_IRGN1_WB  (U64(1) << 24)
#define TCR_ORGN1_WB  (U64(1) << 26)
#define TCR_SH1_INNER (U64(3) << 28)
#define TCR_TG1_4K    (U64(2) << 30)
#define TCR_IPS_SHIFT 32
#define TCR_TxSZ_39   25
#define TCR_EL1_VALUE (TCR_T0SZ(TCR_TxSZ_39) | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | \
                       TCR_TG0_4K | TCR_T1SZ(TCR_TxSZ_39) | TCR_IRGN1_WB | TCR_ORGN1_WB |     \
                       TCR_SH1_INNER | TCR_TG1_4K)

/* ID_AA64MMFR0_EL1.PARange, copied into TCR_EL1.IPS */
#define ID_MMFR0_PARANGE_MASK U64(0x7)

/* TTBRn_EL1: the ASID lives in bits [63:48] */
#define TTBR_ASID_SHIFT 48

/* Translation table descriptors (VMSAv8-64, 4 KiB granule) */
#define PTE_VALID      BIT(0)
#define PTE_TABLE      BIT(1)   /* levels 0-2: next-level table; level 3: page */
#define PTE_PAGE       BIT(1)
#define PTE_BLOCK      U64(0)   /* levels 1-2 with bit 1 clear */
#define PTE_ATTRIDX(i) ((U64(i)) << 2)
#define PTE_AP_EL0     BIT(6)   /* AP[1]: EL0 may access */
#define PTE_AP_RO      BIT(7)   /* AP[2]: read-only */
#define PTE_SH_INNER   (U64(3) << 8)
#define PTE_AF         BIT(10)  /* access flag */
#define PTE_NG         BIT(11)  /* not global: tagged with the ASID */
#define PTE_PXN        BIT(53)  /* EL1 may not execute */
#define PTE_UXN        BIT(54)  /* EL0 may not execute */
#define PTE_ADDR_MASK  U64(0x0000FFFFFFFFF000)  /* output address, bits [47:12] */
#define PTE_TYPE_MASK  (PTE_VALID | PTE_TABLE)  /* descriptor type, bits [1:0] */
#define PTE_TYPE_TABLE (PTE_VALID | PTE_TABLE)  /* levels 1-2: next-level table */
#define PTE_TYPE_PAGE  (PTE_VALID | PTE_PAGE)   /* level 3: a 4 KiB page */

/* Block descriptors of the boot map */
#define BOOT_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MAIR_IDX_DEVICE) | PTE_AF | \
                           PTE_PXN | PTE_UXN)
#define BOOT_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_AF | \
                           PTE_SH_INNER | PTE_UXN)

/* TLBI operands: VA[55:12] in bits [43:0], the ASID in bits [63:48] */
#define TLBI_VA_SHIFT   12
#define TLBI_VA_MASK    U64(0xFFFFFFFFFFF)
#define TLBI_ASID_SHIFT 48

/* CTR_EL0: cache line sizes are log2 of a count of 4-byte words */
#define CTR_IMINLINE_SHIFT 0
#define CTR_DMINLINE_SHIFT 16
#define CTR_LINE_MASK      U64(0xF)
#define CTR_WORD_BYTES     4
#define CTR_L1IP_SHIFT     14       /* L1 instruction cache policy */
#define CTR_L1IP_MASK      U64(0x3)
#define CTR_L1IP_PIPT      U64(0x3)
#define CTR_IDC            BIT(28)  /* no D-cache clean needed for I/D coherence */
#define CTR_DIC            BIT(29)  /* no I-cache invalidation needed for I/D coherence */

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK  U64(0x3F)
#define ESR_IL       BIT(25)
#define ESR_ISS_MASK U64(0x1FFFFFF)
#define ESR_ISS_WNR  BIT(6)     /* data abort: the access was a write */
#define ESR_ISS_FSC_MASK U64(0x3F)

#define EC_UNKNOWN      0x00
#define EC_WFX          0x01
#define EC_FP_ASIMD     0x07
#define EC_ILLEGAL      0x0E
#define EC_SVC64        0x15
#define EC_SYS64        0x18
#define EC_IABT_LOWER   0x20
#define EC_IABT_CURRENT 0x21
#define EC_PC_ALIGN     0x22
#define EC_DABT_LOWER   0x24
#define EC_DABT_CURRENT 0x25
#define EC_SP_ALIGN     0x26
#define EC_FP_EXC64     0x2C
#define EC_SERROR       0x2F
#define EC_BREAKPT_LOWER   0x30
#define EC_BREAKPT_CURRENT 0x31
#define EC_STEP_LOWER      0x32
#define EC_STEP_CURRENT    0x33
#define EC_WATCHPT_LOWER   0x34
#define EC_WATCHPT_CURRENT 0x35
#define EC_BRK64        0x3C

/* CNTP_CTL_EL0 */
#define CNT_CTL_ENABLE  BIT(0)
#define CNT_CTL_IMASK   BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* CNTKCTL_EL1: EL0 may read the virtual counter */
#define CNTKCTL_EL0VCTEN BIT(1)

/* PMU: cycle counter enable and EL0 access */
#define PMCR_E        BIT(0)
#define PMCR_C        BIT(2)   /* reset the cycle counter */
#define PMCR_LC       BIT(6)   /* 64-bit cycle counter overflow */
#define PMCNTEN_C     BIT(31)
#define PMUSERENR_EN  BIT(0)
#define PMUSERENR_CR  BIT(2)   /* EL0 may read the cycle counter */
#define PMCCFILTR_NSH BIT(27)  /* count at EL2 too (when started there) */
#define MDCR_EL2_HPMN_MASK U64(0x1F)
#define PMCR_N_SHIFT  11

#endif /* UKERNEL_ARCH_SYSREG_H */
