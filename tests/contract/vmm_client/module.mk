# test_vmm_client: the generated vmm client stubs against a mocked
# ak_ipc_call: the exact words sent, every reply mapped.
MODULES              += test_vmm_client
test_vmm_client.kind := test
test_vmm_client.srcs := $(d)/test_vmm_client.c $(GEN)/vmm/idl/vmm_client.c
test_vmm_client.sees := idl-vmm-client
