# test_frame: the kernel's frame table (ukernel/core/frame.c).
MODULES         += test_frame
test_frame.kind := test
test_frame.srcs := $(d)/test_frame.c ukernel/core/frame.c
test_frame.sees := ukernel
