/*
 * The mode of a program that pins page mode (NAME.malloc := page in its module.mk), unless its environment says otherwise:
 * mk/rules.mk links one of the four files of this folder into each program.
 */
#include <malloc/akm.h>

const ak_malloc_mode_t akm_built = { AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_PIN };
