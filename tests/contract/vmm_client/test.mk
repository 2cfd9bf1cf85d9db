# vmm_client: the generated vmm client stubs against a mocked ak_ipc_call.
UNIT_SUITES += vmm_client
vmm_client_SRCS := tests/contract/vmm_client/test_vmm_client.c $(IDL_GEN)/vmm_client.c
vmm_client_INC  := -I$(IDL_GEN) -Ilibakuma/include
$(BUILD)/host/obj/vmm_client/tests/contract/vmm_client/test_vmm_client.c.o: \
    $(IDL_GEN)/vmm_client.h $(IDL_GEN)/vmm_types.h
