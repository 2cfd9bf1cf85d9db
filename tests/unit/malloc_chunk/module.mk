# test_malloc_chunk: chunk mode from the inside, with the conformance
# suite's test glue and operations.  test_malloc_preload: the LD_PRELOAD
# library (libakuma_malloc.so, libakuma/malloc/module.mk) replacing glibc's
# malloc in real programs: malloc_preload_prog and system tools.
MODULES                += test_malloc_chunk test_malloc_preload malloc_preload_prog
test_malloc_chunk.kind := test
test_malloc_chunk.srcs := $(d)/test_chunk.c
test_malloc_chunk.uses := malloc-ops-chunk
test_malloc_chunk.xflags := -fno-builtin

# -fno-builtin for the program too: clang would otherwise drop allocations
# whose results are only compared with NULL.
malloc_preload_prog.kind   := hostbin
malloc_preload_prog.srcs   := $(d)/preload_prog.c
malloc_preload_prog.sees   := malloc
malloc_preload_prog.xflags := -fno-builtin
malloc_preload_prog.libs   := -lpthread -ldl
malloc_preload_prog.out    := $(BUILD)/host/tests/malloc_preload_prog

test_malloc_preload.kind   := test
test_malloc_preload.srcs   := $(d)/test_preload.c
test_malloc_preload.xflags := -DPRELOAD_SO=\"$(abspath $(BUILD)/host/libakuma_malloc.so)\" \
    -DPRELOAD_PROG=\"$(abspath $(BUILD)/host/tests/malloc_preload_prog)\"
$(BUILD)/host/tests/test_malloc_preload: | $(BUILD)/host/libakuma_malloc.so $(BUILD)/host/tests/malloc_preload_prog
