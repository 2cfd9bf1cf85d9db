# idlc: the lexer, parser, checker and generators linked in (every error
# message, determinism, a mutation fuzz), plus the built tool run as a
# subprocess (exit status, files, static assertions firing under clang).
# The suite also requires the guest compile check of the generated code.
UNIT_SUITES += idlc
idlc_SRCS := tests/unit/idlc/test_idlc.c $(IDLC_LIB_SRCS)
idlc_INC  := -Iidl/idlc -DIDLC_BIN='"$(abspath $(IDLC))"' -DIDLC_TOP='"$(CURDIR)"' -DIDLC_CC='"$(CC)"'
$(BUILD)/host/tests/test_idlc: | $(IDLC) $(IDL_CHECK_OBJS)
