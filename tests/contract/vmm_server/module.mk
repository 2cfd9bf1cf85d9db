# test_vmm_server: the generated vmm dispatch against mocked handlers.  It
# sees only what the dispatch sees: the ABI headers, as in the kernel.
MODULES              += test_vmm_server
test_vmm_server.kind := test
test_vmm_server.srcs := $(d)/test_vmm_server.c $(GEN)/vmm/idl/vmm_server.c
test_vmm_server.sees := idl-vmm-server
