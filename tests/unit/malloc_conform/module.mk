# The malloc conformance suite, linked once per mode with its operations
# (ops_page.c, ops_chunk.c) and the test glue (testglue.c: a checked page
# arena, injected failures, a panic that longjmps back to the test), which
# the malloc_page and malloc_chunk suites and the fuzzers use too.  Each
# links the mode's core, not its public wrappers (page_api.inc,
# chunk/malloc.c), so it never replaces the host's malloc.
# -fno-builtin: as the allocator is built (libakuma/malloc/module.mk).
MODULES               += malloc-testglue malloc-ops-page malloc-ops-chunk
malloc-testglue.kind  := lib
malloc-testglue.world := host
malloc-testglue.inc   := $(d)
malloc-testglue.srcs  := $(d)/testglue.c
malloc-testglue.sees  := malloc-core
malloc-ops-page.kind  := lib
malloc-ops-page.world := host
malloc-ops-page.srcs  := $(d)/ops_page.c libakuma/malloc/report.c libakuma/malloc/page/page.c
malloc-ops-page.uses  := malloc-testglue
malloc-ops-page.sees  := malloc-core
malloc-ops-chunk.kind  := lib
malloc-ops-chunk.world := host
malloc-ops-chunk.srcs  := $(d)/ops_chunk.c libakuma/malloc/report.c libakuma/malloc/chunk/heap.c \
    libakuma/malloc/chunk/tlsf.c libakuma/malloc/chunk/small.c libakuma/malloc/chunk/thread.c libakuma/malloc/chunk/depot.c
malloc-ops-chunk.uses  := malloc-testglue
malloc-ops-chunk.sees  := malloc-core

# The same suite over chunk mode with every free through a second heap (ops_chunk_remote.c).
MODULES                += malloc-ops-chunk-remote
malloc-ops-chunk-remote.kind  := lib
malloc-ops-chunk-remote.world := host
malloc-ops-chunk-remote.srcs  := $(d)/ops_chunk_remote.c $(filter-out %/ops_chunk.c,$(malloc-ops-chunk.srcs))
malloc-ops-chunk-remote.uses  := malloc-testglue
malloc-ops-chunk-remote.sees  := malloc-core

MODULES                         += test_malloc_conform_page test_malloc_conform_chunk test_malloc_conform_chunk_remote
test_malloc_conform_page.kind   := test
test_malloc_conform_page.srcs   := $(d)/test_conform.c
test_malloc_conform_page.uses   := malloc-ops-page
test_malloc_conform_page.xflags := -fno-builtin
test_malloc_conform_chunk.kind   := test
test_malloc_conform_chunk.srcs   := $(d)/test_conform.c
test_malloc_conform_chunk.uses   := malloc-ops-chunk
test_malloc_conform_chunk.xflags := -fno-builtin
test_malloc_conform_chunk_remote.kind   := test
test_malloc_conform_chunk_remote.srcs   := $(d)/test_conform.c
test_malloc_conform_chunk_remote.uses   := malloc-ops-chunk-remote
test_malloc_conform_chunk_remote.xflags := -fno-builtin
