UNIT_SUITES += pt
pt_SRCS := tests/unit/pt/test_pt.c tests/unit/pt/pt_glue_host.c ukernel/arch/aarch64/pt.c
pt_INC  := -Iukernel/include -Iukernel/arch/aarch64/include -I$(BUILD)/kernel/include -Itests/unit/pt
