UNIT_SUITES += vspace
vspace_SRCS := tests/unit/vspace/test_vspace.c tests/unit/vspace/panic_host.c \
    tests/unit/pt/pt_glue_host.c ukernel/core/vspace.c ukernel/core/frame.c ukernel/arch/aarch64/pt.c
vspace_INC  := -Iukernel/include -Iukernel/arch/aarch64/include -I$(BUILD)/kernel/include -Itests/unit/pt
