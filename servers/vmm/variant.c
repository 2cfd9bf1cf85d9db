/* The name this vmm variant reports (servers/include/vmm/region.h). */
#include "vmm/region.h"

const char region_variant[] = "vmm";
