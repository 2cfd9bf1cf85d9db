# golden: golden.idl uses every feature of the IDL; its generated client
# stubs call its generated dispatch through a fake kernel (no QEMU), so
# every method round-trips client -> server -> client.
UNIT_SUITES += golden
GOLDEN_GEN := $(BUILD)/gen/golden
$(eval $(call idlc_rules,tests/contract/golden,$(GOLDEN_GEN)))
golden_SRCS := tests/contract/golden/test_golden.c $(GOLDEN_GEN)/golden_client.c $(GOLDEN_GEN)/golden_server.c
golden_INC  := -I$(GOLDEN_GEN) -Ilibakuma/include
$(BUILD)/host/obj/golden/tests/contract/golden/test_golden.c.o: \
    $(GOLDEN_GEN)/golden_client.h $(GOLDEN_GEN)/golden_server.h $(GOLDEN_GEN)/golden_types.h
