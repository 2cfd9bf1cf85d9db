# libc: the C library names programs include (<stdio.h>, <stdlib.h>,
# <string.h>, <errno.h>, <sys/mman.h>), in an include root that only guest
# programs see, so no host tool or test picks them up for the C library's
# own.  C start-up (crt0.S, start.c: argv and the environment from the initial stack, main,
# exit), printf to the console, and mmap/munmap/mprotect over the vmm's
# client stubs.  malloc and free are declared here; the allocator a
# program links is its mode's (libakuma/malloc/module.mk).
MODULES         += libc
libc.kind       := lib
libc.inc        := $(d)/include
libc.srcs       := $(d)/start.c $(d)/stdio.c $(d)/mman.c
libc.startfiles := $(d)/arch/aarch64/crt0.S
libc.uses       := libakuma abi common malloc idl-vmm-client idl-console-client
