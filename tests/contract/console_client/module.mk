# test_console_client: the generated client stubs of idl/console.idl
# against a mocked ak_ipc_call: the exact words sent (bytes packed from a
# word boundary), nothing sent past a bound, every reply mapped and a
# malformed read reply refused before any out pointer is written.
MODULES                  += test_console_client
test_console_client.kind := test
test_console_client.srcs := $(d)/test_console_client.c $(GEN)/console/idl/console_client.c
test_console_client.sees := idl-console-client
