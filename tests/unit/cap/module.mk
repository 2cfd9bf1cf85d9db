# test_cap: the kernel's capability table (ukernel/core/cap.c).
MODULES       += test_cap
test_cap.kind := test
test_cap.srcs := $(d)/test_cap.c ukernel/core/cap.c
test_cap.sees := ukernel
