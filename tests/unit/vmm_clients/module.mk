# test_vmm_clients: the table of processes a vmm serves (servers/vmm/clients.c),
# and vmm.idl adopt and disown's checks, on the host: the file calls no kernel.
MODULES                 += test_vmm_clients
test_vmm_clients.kind   := test
test_vmm_clients.srcs   := $(d)/test_vmm_clients.c servers/vmm/clients.c
test_vmm_clients.sees   := vmm-core vmm-region abi
test_vmm_clients.cflags := -iquote servers/vmm
