/*
 * The C allocation functions for page mode (libakuma/malloc/api.inc):
 * linking this file, and not the other mode's, chooses the mode.
 */
#include <malloc/page.h>

#define AKM_HEAP_T akm_page_heap_t
#define AKM_(name) akm_page_##name

#include <malloc/api.inc>
