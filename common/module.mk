# common: freestanding code the kernel, programs and host tools share: the
# printf formatter (<common/fmt.h>) and the declarations of the string
# functions (<common/string.h>; programs see them as <string.h>).
#
# common-string is their implementation, for the kernel and programs only:
# on the host the C library has them, and a second memcpy would displace
# the sanitizers' own.
MODULES            += common common-string
common.kind        := lib
common.inc         := $(d)/include
common.srcs        := $(d)/fmt.c
common-string.kind := lib
common-string.srcs := $(d)/string.c
common-string.uses := common
