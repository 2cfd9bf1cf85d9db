# abi: the ABI the kernel and programs share (DESIGN.md 4.1): system call
# numbers, message info, error codes, capability kinds, the user address
# layout, the boot-info page, the pager's messages.  Headers only,
# included as <akuma/abi/NAME.h>; the only part of libakuma the kernel may
# see, as seL4's kernel includes libsel4's.
MODULES  += abi
abi.kind := lib
abi.inc  := $(d)/include
abi.srcs :=
