/*
 * System call dispatch (DESIGN.md 4.1): the number came in x7, the
 * arguments in x0..x5 of t's saved registers; results go back there.
 */
#ifndef UKERNEL_SYSCALL_H
#define UKERNEL_SYSCALL_H

#include <ukernel/proc.h>

void syscall_dispatch(thread_t *t, uint64_t number);

#endif /* UKERNEL_SYSCALL_H */
