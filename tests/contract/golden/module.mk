# test_golden: golden.idl uses every feature of the IDL; its generated
# client stubs call its generated dispatch through a fake kernel (no QEMU),
# so every method round-trips client -> server -> client.
INTERFACES          += $(d)/golden.idl
MODULES             += test_golden
test_golden.kind    := test
test_golden.srcs    := $(d)/test_golden.c $(GEN)/golden/idl/golden_client.c $(GEN)/golden/idl/golden_server.c
test_golden.sees    := idl-golden-client idl-golden-server
