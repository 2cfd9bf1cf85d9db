# test_idlc: the lexer, parser, checker and generators linked in (every
# error message, determinism, a mutation fuzz), plus the built tool run as
# a subprocess (exit status, files, static assertions firing under clang).
# It also requires every generated file to compile for the guest.
MODULES         += test_idlc
test_idlc.kind  := test
test_idlc.srcs  := $(d)/test_idlc.c $(filter-out %/main.c,$(wildcard idl/idlc/*.c))
test_idlc.sees  := idlc
test_idlc.xflags := -DIDLC_BIN=\"$(abspath $(BUILD)/host/idlc)\" -DIDLC_TOP=\"$(CURDIR)\" -DIDLC_CC=\"$(CC)\"
$(BUILD)/host/tests/test_idlc: | $(BUILD)/host/idlc $$(IDL_CHECK_OBJS)
