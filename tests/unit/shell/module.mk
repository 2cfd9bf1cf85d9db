# test_shell: the shell's line parser, line editor and script runner
# (apps/shell/parse.c, edit.c, script.c), which make no system call: every
# bound, every error line, every editing key, and scripts read in pieces
# from memory and run against a model of the commands.
MODULES           += test_shell
test_shell.kind   := test
test_shell.srcs   := $(d)/test_shell.c apps/shell/parse.c apps/shell/edit.c apps/shell/script.c
test_shell.sees   := abi
test_shell.cflags := -iquote apps/shell
