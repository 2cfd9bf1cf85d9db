# vmm_server: the generated vmm dispatch against mocked handlers.  Only the
# ABI headers are on the include path, as in the kernel.
UNIT_SUITES += vmm_server
vmm_server_SRCS := tests/contract/vmm_server/test_vmm_server.c $(IDL_GEN)/vmm_server.c
vmm_server_INC  := -I$(IDL_GEN) -I$(BUILD)/kernel/include
$(BUILD)/host/obj/vmm_server/tests/contract/vmm_server/test_vmm_server.c.o: \
    $(IDL_GEN)/vmm_server.h $(IDL_GEN)/vmm_types.h
