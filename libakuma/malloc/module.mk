# The allocator (DESIGN.md 6), in modules:
#   malloc        its public interface, <akuma/malloc.h> (the counters, the mode)
#   malloc-core   what both modes share: the glue contract and the
#                 internal headers (<malloc/NAME.h>), the out-of-memory
#                 report, the rule that chooses a program's mode
#   malloc-page   page mode's core: a mapping per allocation
#   malloc-chunk  chunk mode's core: size classes and TLSF in 64 KiB chunks
#   malloc-run    the C allocation functions of programs: both modes, one
#                 chosen at start (run/malloc.c)
#   malloc-chunk-alone  the same functions for chunk mode alone (Linux)
#   malloc-{default,pin}-{page,chunk}  what a program was linked with:
#                 one of the four per program (mk/rules.mk: its pin, else MALLOC)
#   malloc-guest  the glue of programs: mmap through the vmm, the console
#   malloc-linux  the glue of Linux: mmap, a pthread mutex
#   libakuma_malloc   chunk mode as an LD_PRELOAD library for Linux
#                 programs (build/host/libakuma_malloc.so, built by make)
# The cores see only malloc-core: their one contract with the world is
# <malloc/glue.h>, so they build on the host for tests and benchmarks.
# -fno-builtin: at -O2 a compiler turns malloc + memset inside calloc back
# into a call to calloc (TOOLCHAIN.md, "Building an allocator").
MALLOC_MODES := page chunk
# What every program links (mk/rules.mk), beside malloc-<from>-<mode>.
MALLOC_LINK := malloc-run malloc-guest

MODULES     += malloc malloc-core malloc-page malloc-chunk malloc-run malloc-chunk-alone malloc-guest malloc-linux \
    libakuma_malloc
malloc.kind := lib
malloc.inc  := $(d)/include
malloc.srcs :=
malloc.uses := abi

malloc-core.kind   := lib
malloc-core.inc    := $(d)/internal
malloc-core.srcs   := $(d)/report.c $(d)/mode.c
malloc-core.uses   := malloc abi
malloc-core.sees   := common
malloc-core.cflags := -fno-builtin

malloc-page.kind   := lib
malloc-page.srcs   := $(d)/page/page.c
malloc-page.uses   := malloc-core
malloc-page.cflags := -fno-builtin

malloc-chunk.kind   := lib
malloc-chunk.srcs   := $(d)/chunk/heap.c $(d)/chunk/small.c $(d)/chunk/tlsf.c $(d)/chunk/thread.c $(d)/chunk/depot.c
malloc-chunk.uses   := malloc-core
malloc-chunk.cflags := -fno-builtin

malloc-run.kind   := lib
malloc-run.srcs   := $(d)/run/malloc.c
malloc-run.uses   := malloc-page malloc-chunk libc
malloc-run.cflags := -fno-builtin

malloc-chunk-alone.kind   := lib
malloc-chunk-alone.srcs   := $(d)/chunk/malloc.c
malloc-chunk-alone.uses   := malloc-chunk
malloc-chunk-alone.cflags := -fno-builtin

MODULES += malloc-default-page malloc-default-chunk malloc-pin-page malloc-pin-chunk
malloc-default-page.kind  := lib
malloc-default-page.srcs  := $(d)/mode/default-page.c
malloc-default-page.uses  := malloc-core
malloc-default-chunk.kind := lib
malloc-default-chunk.srcs := $(d)/mode/default-chunk.c
malloc-default-chunk.uses := malloc-core
malloc-pin-page.kind      := lib
malloc-pin-page.srcs      := $(d)/mode/pin-page.c
malloc-pin-page.uses      := malloc-core
malloc-pin-chunk.kind     := lib
malloc-pin-chunk.srcs     := $(d)/mode/pin-chunk.c
malloc-pin-chunk.uses     := malloc-core

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
malloc.uses := abi
libakuma_malloc.uses := malloc-chunk-alone malloc-linux
libakuma_malloc.libs := -lpthread
