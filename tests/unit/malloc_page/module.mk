# test_malloc_page: page mode from the inside, with the conformance
# suite's test glue and operations.
MODULES               += test_malloc_page
test_malloc_page.kind := test
test_malloc_page.srcs := $(d)/test_page.c
test_malloc_page.uses := malloc-ops-page
test_malloc_page.xflags := -fno-builtin
