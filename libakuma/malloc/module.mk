# The allocator (DESIGN.md 6), in modules:
#   malloc        its public interface, <akuma/malloc.h> (the counters)
#   malloc-core   what both modes share: the glue contract and the
#                 internal headers (<malloc/NAME.h>), the out-of-memory report
#   malloc-page   page mode: a mapping per allocation
#   malloc-chunk  chunk mode: TLSF inside 64 KiB chunks
#   malloc-guest  the glue of programs: mmap through the vmm, the console
#   malloc-linux  the glue of Linux: mmap, a pthread mutex
#   libakuma_malloc   chunk mode as an LD_PRELOAD library for Linux programs
#                 (build/host/libakuma_malloc.so, built by make)
# The cores see only malloc-core: their one contract with the world is
# <malloc/glue.h>, so they build on the host for tests and benchmarks.
# -fno-builtin: at -O2 a compiler turns malloc + memset inside calloc back
# into a call to calloc (TOOLCHAIN.md, "Building an allocator").
MALLOC_MODES := page chunk
# What a program of each mode links (mk/rules.mk).
MALLOC_LINK.page  := malloc-page malloc-guest
MALLOC_LINK.chunk := malloc-chunk malloc-guest

MODULES     += malloc malloc-core malloc-page malloc-chunk malloc-guest malloc-linux libakuma_malloc
malloc.kind := lib
malloc.inc  := $(d)/include
malloc.srcs :=

malloc-core.kind   := lib
malloc-core.inc    := $(d)/internal
malloc-core.srcs   := $(d)/report.c
malloc-core.uses   := malloc abi
malloc-core.sees   := common
malloc-core.cflags := -fno-builtin

malloc-page.kind   := lib
malloc-page.srcs   := $(d)/page/page.c $(d)/page/malloc.c
malloc-page.uses   := malloc-core
malloc-page.cflags := -fno-builtin

malloc-chunk.kind   := lib
malloc-chunk.srcs   := $(d)/chunk/heap.c $(d)/chunk/small.c $(d)/chunk/tlsf.c $(d)/chunk/thread.c \
    $(d)/chunk/malloc.c
malloc-chunk.uses   := malloc-core
malloc-chunk.cflags := -fno-builtin

malloc-guest.kind   := lib
malloc-guest.srcs   := $(d)/guest/glue.c
malloc-guest.uses   := malloc-core libc libakuma
malloc-guest.cflags := -fno-builtin

malloc-linux.kind   := lib
malloc-linux.srcs   := $(d)/linux/glue.c
malloc-linux.uses   := malloc-core
malloc-linux.cflags := -fno-builtin

libakuma_malloc.kind := solib
libakuma_malloc.srcs :=
libakuma_malloc.uses := malloc-chunk malloc-linux
libakuma_malloc.libs := -lpthread
