# test_kernel_server: the generated dispatch of idl/kernel.idl (what the
# kernel decodes every invocation with) against mocked handlers.  It sees
# only the ABI headers, as the kernel does.
MODULES                 += test_kernel_server
test_kernel_server.kind := test
test_kernel_server.srcs := $(d)/test_kernel_server.c $(GEN)/kernel/idl/kernel_server.c
test_kernel_server.sees := idl-kernel-server
