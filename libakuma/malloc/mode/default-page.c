/*
 * The mode of a program built with MALLOC=page and no pin of its own, unless its environment says otherwise:
 * mk/rules.mk links one of the four files of this folder into each program.
 */
#include <malloc/akm.h>

const ak_malloc_mode_t akm_built = { AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_DEFAULT };
