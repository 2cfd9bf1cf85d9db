UNIT_SUITES += fdt
fdt_SRCS := tests/unit/fdt/test_fdt.c ukernel/core/fdt.c
fdt_INC  := -Iukernel/include -I$(BUILD)/kernel/include
