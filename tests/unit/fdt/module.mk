# test_fdt: the kernel's device-tree reader (ukernel/core/fdt.c).
MODULES       += test_fdt
test_fdt.kind := test
test_fdt.srcs := $(d)/test_fdt.c ukernel/core/fdt.c
test_fdt.sees := ukernel
