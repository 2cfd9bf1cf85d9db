/*
 * ESR decoding (see esr.h); names from the Arm ARM's ESR_ELx description.
 */
#include <ukernel/arch/esr.h>

#include <common/fmt.h>
#include <ukernel/arch/sysreg.h>

typedef struct {
    uint8_t ec;
    const char *name;
} ec_name_t;

static const ec_name_t ec_names[] = {
    { EC_UNKNOWN, "Unknown reason (undefined instruction)" },
    { EC_WFX, "WFI/WFE trapped" },
    { EC_FP_ASIMD, "FP/SIMD access trapped" },
    { EC_ILLEGAL, "Illegal execution state" },
    { EC_SVC64, "SVC from AArch64" },
    { EC_SYS64, "MSR/MRS/system instruction trapped" },
    { EC_IABT_LOWER, "Instruction Abort from EL0" },
    { EC_IABT_CURRENT, "Instruction Abort from EL1" },
    { EC_PC_ALIGN, "PC alignment fault" },
    { EC_DABT_LOWER, "Data Abort from EL0" },
    { EC_DABT_CURRENT, "Data Abort from EL1" },
    { EC_SP_ALIGN, "SP alignment fault" },
    { EC_FP_EXC64, "FP exception from AArch64" },
    { EC_SERROR, "SError interrupt" },
    { EC_BREAKPT_LOWER, "Breakpoint from EL0" },
    { EC_BREAKPT_CURRENT, "Breakpoint from EL1" },
    { EC_STEP_LOWER, "Software step from EL0" },
    { EC_STEP_CURRENT, "Software step from EL1" },
    { EC_WATCHPT_LOWER, "Watchpoint from EL0" },
    { EC_WATCHPT_CURRENT, "Watchpoint from EL1" },
    { EC_BRK64, "BRK instruction" },
};

const char *esr_class_name(uint64_t esr)
{
    unsigned ec = (unsigned)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
    for (unsigned i = 0; i < sizeof ec_names / sizeof ec_names[0]; i++)
        if (ec_names[i].ec == ec)
            return ec_names[i].name;
    return "Reserved or unhandled exception class";
}

const char *esr_fault_status(uint64_t esr, char *buf, unsigned long n)
{
    unsigned ec = (unsigned)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
    if (ec != EC_IABT_LOWER && ec != EC_IABT_CURRENT && ec != EC_DABT_LOWER &&
        ec != EC_DABT_CURRENT)
        return NULL;
    unsigned fsc = (unsigned)(esr & ESR_ISS_FSC_MASK);
    unsigned level = fsc & 3u;
    const char *kind;
    switch (fsc >> 2) {
    case 0: kind = "address size fault"; break;
    case 1: kind = "translation fault"; break;
    case 2: kind = "access flag fault"; break;
    case 3: kind = "permission fault"; break;
    default:
        level = 4; /* no level */
        switch (fsc) {
        case 0x10: kind = "synchronous external abort"; break;
        case 0x21: kind = "alignment fault"; break;
        case 0x30: kind = "TLB conflict abort"; break;
        default: kind = "other fault"; break;
        }
    }
    int is_data = ec == EC_DABT_LOWER || ec == EC_DABT_CURRENT;
    const char *access = !is_data ? "exec" : (esr & ESR_ISS_WNR) ? "write" : "read";
    if (level < 4)
        fmt_snprintf(buf, n, "%s, level %u, %s", kind, level, access);
    else
        fmt_snprintf(buf, n, "%s, %s", kind, access);
    return buf;
}
