# Chunk mode from the inside (test_chunk.c, with the conformance suite's
# test glue), and chunk mode as an LD_PRELOAD library replacing glibc's
# malloc in real programs (test_preload.c).  MALLOC_TEST_INC and
# MALLOC_CHUNK_SRCS come from tests/unit/malloc_conform/test.mk, included
# after this file: hence the deferred '='.
UNIT_SUITES += malloc_chunk
malloc_chunk_SRCS = tests/unit/malloc_chunk/test_chunk.c tests/unit/malloc_conform/testglue.c \
    $(MALLOC_CHUNK_SRCS)
malloc_chunk_INC  = $(MALLOC_TEST_INC)

# -fno-builtin for the program too: clang would otherwise drop allocations
# whose results are only compared with NULL.
# The library: chunk mode, its public functions and the Linux glue, built
# as for benchmarks (-O2, no sanitizers: it must load into any program).
MALLOC_SO      := $(BUILD)/host/libakuma_malloc.so
MALLOC_SO_SRCS := libakuma/malloc/report.c libakuma/malloc/chunk/heap.c libakuma/malloc/chunk/tlsf.c \
    libakuma/malloc/chunk/malloc.c libakuma/malloc/linux/glue.c
MALLOC_SO_DEPS := $(MALLOC_SO_SRCS) tests/unit/malloc_chunk/test.mk \
    $(wildcard libakuma/malloc/*.h libakuma/malloc/chunk/*.h libakuma/malloc/include/akuma/*.h)
MALLOC_PRELOAD_PROG := $(BUILD)/host/tests/malloc_preload_prog

$(MALLOC_SO): $(MALLOC_SO_DEPS)
	@mkdir -p $(@D)
	@echo "  HOSTLD  $@"
	@$(HOST_CC) -std=c11 -O2 -g -fPIC -shared -fno-builtin $(WARN) \
	    -iquote libakuma/include -iquote libakuma/malloc/include -o $@ $(MALLOC_SO_SRCS) -lpthread

$(MALLOC_PRELOAD_PROG): tests/unit/malloc_chunk/preload_prog.c libakuma/malloc/include/akuma/malloc.h \
    tests/unit/malloc_chunk/test.mk
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) -std=c11 -O2 -g -fno-builtin $(WARN) -iquote libakuma/malloc/include -o $@ $< -lpthread -ldl

UNIT_SUITES += malloc_preload
malloc_preload_SRCS := tests/unit/malloc_chunk/test_preload.c
malloc_preload_INC  := -DPRELOAD_SO='"$(abspath $(MALLOC_SO))"' \
    -DPRELOAD_PROG='"$(abspath $(MALLOC_PRELOAD_PROG))"'

$(BUILD)/host/tests/test_malloc_preload: | $(MALLOC_SO) $(MALLOC_PRELOAD_PROG)
