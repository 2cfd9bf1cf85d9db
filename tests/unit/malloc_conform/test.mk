# The malloc conformance suite, linked once per mode (ops_page.c,
# ops_chunk.c) with the test glue (testglue.c), which the malloc_page and
# malloc_chunk suites use too.  -fno-builtin: the allocator is built as
# it is for the guest (TOOLCHAIN.md, "Building an allocator").
MALLOC_TEST_DIR := tests/unit/malloc_conform
MALLOC_TEST_INC := -fno-builtin -iquote libakuma/include -iquote libakuma/malloc/include \
    -iquote libakuma/malloc -iquote $(MALLOC_TEST_DIR)
MALLOC_PAGE_SRCS  := libakuma/malloc/report.c libakuma/malloc/page/page.c
MALLOC_CHUNK_SRCS := libakuma/malloc/report.c libakuma/malloc/chunk/heap.c libakuma/malloc/chunk/tlsf.c

UNIT_SUITES += malloc_conform_page
malloc_conform_page_SRCS := $(MALLOC_TEST_DIR)/test_conform.c $(MALLOC_TEST_DIR)/ops_page.c \
    $(MALLOC_TEST_DIR)/testglue.c $(MALLOC_PAGE_SRCS)
malloc_conform_page_INC  := $(MALLOC_TEST_INC)

UNIT_SUITES += malloc_conform_chunk
malloc_conform_chunk_SRCS := $(MALLOC_TEST_DIR)/test_conform.c $(MALLOC_TEST_DIR)/ops_chunk.c \
    $(MALLOC_TEST_DIR)/testglue.c $(MALLOC_CHUNK_SRCS)
malloc_conform_chunk_INC  := $(MALLOC_TEST_INC)
