/*
 * The mode of a program that pins page mode (NAME.malloc := page in its module.mk), unless its environment says otherwise:
 * mk/rules.mk links one of the four files of this folder into each program.
 */
#include <akuma/abi/procmgr.h>
#include <malloc/akm.h>

/* In a section of its own, which init reads from the file (abi/procmgr.h), kept even if unread. */
__attribute__((used, section(AK_MALLOC_SECTION))) const ak_malloc_mode_t akm_built = { AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_PIN };
