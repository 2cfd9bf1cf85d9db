UNIT_SUITES += cap
cap_SRCS := tests/unit/cap/test_cap.c ukernel/core/cap.c
cap_INC  := -Iukernel/include -Icommon/include -I$(BUILD)/kernel/include
