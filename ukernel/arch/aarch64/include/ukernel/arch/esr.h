/*
 * Decoding of ESR_ELx for humans: exception class and fault status names.
 */
#ifndef UKERNEL_ARCH_ESR_H
#define UKERNEL_ARCH_ESR_H

#include <stdint.h>

/* "Data Abort from EL0" and the like; never NULL. */
const char *esr_class_name(uint64_t esr);
/*
 * For instruction and data aborts, the fault status ("translation fault,
 * level 3"); writes at most n bytes into buf and returns buf, or returns
 * NULL for other classes.
 */
const char *esr_fault_status(uint64_t esr, char *buf, unsigned long n);

#endif /* UKERNEL_ARCH_ESR_H */
