# test_proc_server: the generated dispatch of idl/proc.idl (what init
# answers spawn, wait, kill, list and status with) against mocked
# handlers: strings and arrays decoded and checked before any handler
# runs.  It sees only the ABI headers, as a server does.
MODULES              += test_proc_server
test_proc_server.kind := test
test_proc_server.srcs := $(d)/test_proc_server.c $(GEN)/proc/idl/proc_server.c
test_proc_server.sees := idl-proc-server
