UNIT_SUITES += frame
frame_SRCS := tests/unit/frame/test_frame.c ukernel/core/frame.c
frame_INC  := -Iukernel/include -I$(BUILD)/kernel/include
