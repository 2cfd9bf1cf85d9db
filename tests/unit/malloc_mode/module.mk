# test_malloc_mode: the rule that chooses a program's malloc mode at start
# (libakuma/malloc/mode.c), over every kind of value MALLOC= may hold.
MODULES               += test_malloc_mode
test_malloc_mode.kind := test
test_malloc_mode.srcs := $(d)/test_mode.c libakuma/malloc/mode.c
test_malloc_mode.sees := malloc-core
