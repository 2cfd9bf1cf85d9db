# libakuma: the runtime every program has (<akuma/NAME.h>): the system
# call and IPC trap wrappers, the IPC buffer, the console, the boot-info
# page, page zeroing.  Host tests may include its headers (a contract test
# replaces ak_ipc_call), so the C library's names live in libc, not here.
MODULES       += libakuma
libakuma.kind := lib
libakuma.inc  := $(d)/include
libakuma.srcs := $(wildcard $(d)/src/*.c) $(d)/arch/aarch64/syscall.S
libakuma.uses := abi common common-string

# How every program is laid out and linked (mk/rules.mk).
PROGRAM_LDS := $(d)/arch/aarch64/user.ld
