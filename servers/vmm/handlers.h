/*
 * The vmm's handler table for the generated vmm_dispatch (handlers.c).
 */
#ifndef VMM_HANDLERS_H
#define VMM_HANDLERS_H

#include <idl/vmm_server.h>

extern const vmm_handlers_t vmm_handlers;

#endif /* VMM_HANDLERS_H */
