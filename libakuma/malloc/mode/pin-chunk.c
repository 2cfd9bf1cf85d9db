/*
 * The mode of a program that pins chunk mode (NAME.malloc := chunk in its module.mk), unless its environment says otherwise:
 * mk/rules.mk links one of the four files of this folder into each program.
 */
#include <malloc/akm.h>

const ak_malloc_mode_t akm_built = { AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_PIN };
