# mk/rules.mk: the rules that compile and link the modules declared in
# module.mk files (mk/modules.mk says how to declare them).  Read by the
# top-level Makefile once the configuration (VMM, MALLOC) is checked.

# --- the shared worlds: kernel and user ---------------------------------------
# A stamp per world and per module holds their flags, so objects are rebuilt
# when either changes.  Generated headers exist before anything compiles;
# after that the compilers' .d files track what each object includes.
STAMPS := $(BUILD)/stamps
# A stamp is written while make reads its makefiles; when its folder was
# listed before that, make's cache does not show it, so a missing stamp
# has a rule that makes nothing (only a first build sees one missing).
$(STAMPS)/%: ;
$(foreach w,kernel user,$(eval STAMP.$(w) := $(call stamp,$(STAMPS)/world-$(w),$(CC) $(CFLAGS.$(w)) $(GUEST_ASFLAGS) lto: $(KERNEL_LTO_SRCS))))
$(foreach m,$(MODULES),$(eval STAMP.$(m) := $(call stamp,$(STAMPS)/module-$(m),$($(m).flags))))
owner_of = $(or $(OWNER.$(1)),$(error $(1) belongs to no module: list it in the srcs of a module.mk))

define shared_world_rules
$(BUILD)/$(1)/obj/%.c.o: %.c $(STAMP.$(1)) $$$$(STAMP.$$$$(call owner_of,$$$$*.c)) | $$$$($$$$(OWNER.$$$$*.c).genh)
	$$(call msg,CC,$$<)
	@mkdir -p $$(@D)
	$(Q)$$(call cc_cmd,$(1),$$<) -MMD -MP -c $$< -o $$@
$(BUILD)/$(1)/obj/%.S.o: %.S $(STAMP.$(1)) $$$$(STAMP.$$$$(call owner_of,$$$$*.S))
	$$(call msg,AS,$$<)
	@mkdir -p $$(@D)
	$(Q)$$(call cc_cmd,$(1),$$<) -MMD -MP -c $$< -o $$@
endef
$(foreach w,kernel user,$(eval $(call shared_world_rules,$(w))))

# An archive per library module, for the programs that link it (only the
# members a program needs are linked).
define archive_rules
$(BUILD)/user/lib/lib$(1).a: $(call objs,user,$($(1).srcs)) $(call stamp,$(STAMPS)/archive-$(1),$($(1).srcs))
	$$(call msg,AR,$$@)
	@mkdir -p $$(@D)
	$(Q)rm -f $$@ && $(AR) rcs $$@ $$(filter %.o,$$^)
endef
GUEST_LIBS := $(foreach m,$(MODULES),$(if $(and $(filter lib,$($(m).kind)),$($(m).srcs),$(if $($(m).world),,user)),$(m)))
$(foreach m,$(GUEST_LIBS),$(eval $(call archive_rules,$(m))))
archives = $(foreach m,$(1),$(if $(filter $(m),$(GUEST_LIBS)),$(BUILD)/user/lib/lib$(m).a))

# Programs: $(OUT)/bin/NAME.elf, the program's objects after the start
# files of what it uses, and the archives of everything it uses, with the
# allocator (MALLOC_LINK: both modes) and what it was linked with: its pin
# (NAME.malloc) or MALLOC, which it runs unless its environment says
# otherwise (malloc-pin-MODE or malloc-default-MODE).
PROGRAMS := $(foreach m,$(MODULES),$(if $(filter program,$($(m).kind)),$(m)))
define program_rules
$(1).mode := $(or $($(1).malloc),$(MALLOC))
ifeq ($$(filter $$($(1).mode),$(MALLOC_MODES)),)
$$(error $(1) ($($(1).dir)/module.mk): malloc '$$($(1).mode)' is not one of $(MALLOC_MODES))
endif
$(1).linkmods := $$(filter-out $(1),$$(call closure,$($(1).uses) $(MALLOC_LINK) \
    malloc-$(if $($(1).malloc),pin,default)-$$($(1).mode)))
$(1).start := $$(call objs,user,$$(foreach m,$$($(1).linkmods),$$($$(m).startfiles)))
$(OUT)/bin/$(1).elf: $$($(1).start) $(call objs,user,$($(1).srcs)) $$(call archives,$$($(1).linkmods)) \
        $(PROGRAM_LDS) $$(call stamp,$(STAMPS)/$(CONFIG)/program-$(1),$$($(1).linkmods) $($(1).srcs))
	$$(call msg,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(PROGRAM_LDS) -o $$@ $$($(1).start) $(call objs,user,$($(1).srcs)) \
	    $$(call archives,$$($(1).linkmods))
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))
PROGRAM_ELFS := $(foreach p,$(PROGRAMS),$(OUT)/bin/$(p).elf)

# The kernel's objects (its module and everything it uses), for the images.
KERNEL_OBJS := $(call objs,kernel,$(call link_srcs,ukernel))

# --- the host worlds: tools, tests, fuzzers, host benchmarks, libraries -------
# Each binary compiles every source it links into a folder of its own.
define host_rules
$(1).world := $(WORLD.$($(1).kind))
$(1).out   ?= $(call OUTPUT.$($(1).kind),$(1))
$(1).objs  := $(patsubst %,$(BUILD)/$(WORLD.$($(1).kind))/obj/$(1)/%.o,$(call link_srcs,$(1)))
$(BUILD)/$(WORLD.$($(1).kind))/obj/$(1)/%.c.o: %.c $(call stamp,$(STAMPS)/$(1),$(HOST_CC) $(CFLAGS.$(WORLD.$($(1).kind))) $($(1).xflags) \
        $(foreach s,$(call link_srcs,$(1)),$($(s).xflags))) \
        $$$$(STAMP.$$$$(call owner_of,$$$$*.c)) | $$$$($$$$(OWNER.$$$$*.c).genh)
	$$(call msg,HOSTCC,$$<)
	@mkdir -p $$(@D)
	$(Q)$$(call cc_cmd,$(WORLD.$($(1).kind)),$$<,$(1)) -MMD -MP -c $$< -o $$@
$$($(1).out): $$($(1).objs) $(call stamp,$(STAMPS)/$(1)-objs,$(call link_srcs,$(1)))
	$$(call msg,HOSTLD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $(LDFLAGS.$(WORLD.$($(1).kind))) -o $$@ $$($(1).objs) $($(1).libs) $$(KIND_LIBS.$($(1).kind))
endef
$(foreach m,$(MODULES),$(if $(filter $($(m).kind),$(HOST_KINDS)),$(eval $(call host_rules,$(m)))))
of_kind = $(foreach m,$(MODULES),$(if $(filter $(1),$($(m).kind)),$(m)))
TESTS      := $(call of_kind,test tsan)
FUZZERS    := $(call of_kind,fuzz)
HOST_TOOLS := $(foreach m,$(call of_kind,tool solib),$($(m).out))

# Every generated file compiles for the guest: servers (dispatch) in the
# kernel's world, with only the ABI on their path, clients in the user's.
IDL_CHECK_OBJS := $(foreach s,$(IDL_STEMS),$(call objs,kernel,$(idl-$(s)-server.srcs)) $(call objs,user,$(idl-$(s)-client.srcs)))

# --- what editors and checkers read --------------------------------------------
# compile_commands.json: one entry per source, in the first world that
# compiles it (the kernel's, the programs', then each host binary's), with
# the command the build runs.
define newline


endef
comma := ,
json_str = "$(subst ",\",$(subst \,\\,$(strip $(1))))"
cc_entry = {"directory": "$(CURDIR)", "file": "$(2)", "command": $(call json_str,$(call cc_cmd,$(1),$(2),$(3)) -c $(2))}
cc_seen :=
cc_entries = $(foreach s,$(2),$(if $(filter $(s),$(cc_seen)),,$(if $(cc_seen),$(comma))$(newline)  $(call \
    cc_entry,$(1),$(s),$(3))$(eval cc_seen += $(s))))
cc_json = [$(call cc_entries,kernel,$(call link_srcs,ukernel) $(ktests.srcs))$(call \
    cc_entries,user,$(foreach m,$(PROGRAMS),$(call link_srcs,$(m))) $(call \
    link_srcs,$(MALLOC_LINK) $(foreach f,default pin,$(foreach m,$(MALLOC_MODES),malloc-$(f)-$(m)))))$(foreach m,$(MODULES),$(if $(filter $($(m).kind),$(HOST_KINDS)),$(call \
    cc_entries,$($(m).world),$(call link_srcs,$(m)),$(m))))$(newline)]
