# test_console_server: the generated dispatch of idl/console.idl (what the
# console answers write, read, foreground and stats with) against mocked
# handlers: lengths and words checked before any handler runs.
MODULES                  += test_console_server
test_console_server.kind := test
test_console_server.srcs := $(d)/test_console_server.c $(GEN)/console/idl/console_server.c
test_console_server.sees := idl-console-server
