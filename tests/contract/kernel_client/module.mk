# test_kernel_client: the generated client stubs of idl/kernel.idl against a
# mocked ak_ipc_call: the exact words sent, every reply mapped.
MODULES                 += test_kernel_client
test_kernel_client.kind := test
test_kernel_client.srcs := $(d)/test_kernel_client.c $(GEN)/kernel/idl/kernel_client.c
test_kernel_client.sees := idl-kernel-client
