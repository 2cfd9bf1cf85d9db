# idl/: the interface compiler and the code it generates (idl/README.md).
# Included by the top-level Makefile before the test suites.
#
#   $(IDLC)           the host tool, built by `make host-tools`
#   $(IDL_GEN)/X_*    the stubs of idl/X.idl: X_types.h X_client.h X_client.c
#                     X_server.h X_server.c, generated on demand
#   idl-check         compiles every generated file for the guest
#
# A component that uses X's stubs lists $(IDL_GEN)/X_client.c (or
# X_server.c) among its sources, adds -I$(IDL_GEN), and makes its own
# objects depend on the generated headers it includes, e.g.
#     $(MY_OBJS): $(IDL_GEN)/vmm_client.h $(IDL_GEN)/vmm_types.h
# so that a clean parallel build generates them first.  Generated files
# are never committed.

IDLC          := $(BUILD)/host/idlc
IDL_GEN       := $(BUILD)/gen
IDLC_SRCS     := $(wildcard idl/idlc/*.c)
IDLC_LIB_SRCS := $(filter-out idl/idlc/main.c,$(IDLC_SRCS))
IDLC_OBJS     := $(patsubst %,$(BUILD)/host/idlc-obj/%.o,$(IDLC_SRCS))
HOST_TOOLS    += $(IDLC)

$(BUILD)/host/idlc-obj/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(IDLC): $(IDLC_OBJS)
	@mkdir -p $(@D)
	@echo "  HOSTLD  $@"
	@$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

# $(call idlc_rules,SRCDIR,OUTDIR): OUTDIR/X_* from SRCDIR/X.idl.  One run
# of idlc writes all five files (a pattern rule with several targets).
define idlc_rules
$(2)/%_types.h $(2)/%_client.h $(2)/%_client.c $(2)/%_server.h $(2)/%_server.c: $(1)/%.idl $(IDLC)
	@mkdir -p $$(@D)
	@echo "  IDLC    $$<"
	@$(IDLC) $$< -o $$(@D)
endef
$(eval $(call idlc_rules,idl,$(IDL_GEN)))

IDL_STEMS := $(patsubst idl/%.idl,%,$(wildcard idl/*.idl))

# The generated code must build freestanding for the guest with the
# kernel's warnings.  Clients see libakuma's headers; servers see only
# the ABI headers, exactly what the kernel sees, which proves the server
# side includes nothing else.
IDL_CHECK      := $(BUILD)/gen-check
IDL_CHECK_OBJS := $(foreach s,$(IDL_STEMS),$(IDL_CHECK)/$(s)_client.o $(IDL_CHECK)/$(s)_server.o)

$(IDL_CHECK)/%_client.o: $(IDL_GEN)/%_client.c $(IDL_GEN)/%_client.h $(IDL_GEN)/%_types.h
	@mkdir -p $(@D)
	@echo "  CC      $< (guest check)"
	@$(CC) $(GUEST_CFLAGS) -Ilibakuma/include -c $< -o $@

$(IDL_CHECK)/%_server.o: $(IDL_GEN)/%_server.c $(IDL_GEN)/%_server.h $(IDL_GEN)/%_types.h \
                         | $(BUILD)/kernel/include/akuma/abi
	@mkdir -p $(@D)
	@echo "  CC      $< (guest check)"
	@$(CC) $(GUEST_CFLAGS) -I$(BUILD)/kernel/include -c $< -o $@

.PHONY: idl-check
idl-check: $(IDL_CHECK_OBJS)
