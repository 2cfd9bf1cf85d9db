# test_fmt: the shared printf formatter (common/fmt.c).
MODULES       += test_fmt
test_fmt.kind := test
test_fmt.srcs := $(d)/test_fmt.c
test_fmt.uses := common
