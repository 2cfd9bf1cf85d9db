# Page mode from the inside (test_page.c), with the conformance suite's
# test glue.  MALLOC_TEST_INC and MALLOC_PAGE_SRCS come from
# tests/unit/malloc_conform/test.mk, included after this file: hence the
# deferred '='.
UNIT_SUITES += malloc_page
malloc_page_SRCS = tests/unit/malloc_page/test_page.c tests/unit/malloc_conform/testglue.c \
    $(MALLOC_PAGE_SRCS)
malloc_page_INC  = $(MALLOC_TEST_INC)
