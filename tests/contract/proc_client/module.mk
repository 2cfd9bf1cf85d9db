# test_proc_client: the generated client stubs of idl/proc.idl against a
# mocked ak_ipc_call: the exact words sent (strings packed from a word
# boundary), nothing sent for a string past its bound, every reply mapped
# and a malformed list refused before any out pointer is written.
MODULES               += test_proc_client
test_proc_client.kind := test
test_proc_client.srcs := $(d)/test_proc_client.c $(GEN)/proc/idl/proc_client.c
test_proc_client.sees := idl-proc-client
