# Akuma-C: the only entry point.  `make help` lists the targets.
#
# Output goes to build/: build/host/ for host tools and tests,
# build/kernel/ for kernel objects, build/$(CONFIG)/ for programs, images
# and test results, where CONFIG is $(VMM)-$(MALLOC) (for example
# vmm-page): configurations never overwrite each other.

.SUFFIXES:
.SECONDARY:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

BUILD  := build

# The configuration: which vmm serves the default image's programs (a
# folder servers/vmm or servers/vmm-*) and which allocator programs link
# (libakuma/malloc/page or chunk) unless their folder names its own.
VMM    ?= vmm
MALLOC ?= page
VMMS   := $(notdir $(patsubst %/,%,$(wildcard servers/vmm/ servers/vmm-*/)))
MALLOC_MODES := page chunk
# $(filter) alone would accept "vmm junk": a value must also be one word.
ifneq ($(words $(VMM))$(filter $(VMM),$(VMMS)),1$(VMM))
$(error VMM=$(VMM) is not a vmm: choose one of $(VMMS) (folders of servers/))
endif
ifneq ($(words $(MALLOC))$(filter $(MALLOC),$(MALLOC_MODES)),1$(MALLOC))
$(error MALLOC=$(MALLOC) is not an allocator: choose page or chunk)
endif
CONFIG := $(VMM)-$(MALLOC)
OUT    := $(BUILD)/$(CONFIG)

# --- tools ---------------------------------------------------------------
CC      := clang
LD      := ld.lld
NM      := llvm-nm
OBJCOPY := llvm-objcopy
HOST_CC := clang
QEMU_SH := tools/qemu.sh

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla

GUEST_CFLAGS := --target=aarch64-none-elf -mcpu=cortex-a72 -std=c11 -ffreestanding \
    -nostdlib -mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-pic \
    -O2 -g $(WARN) -MMD -MP
GUEST_ASFLAGS := --target=aarch64-none-elf -mcpu=cortex-a72 -g -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 --no-undefined

HOST_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g $(WARN) $(HOST_SAN) -MMD -MP
HOST_LDFLAGS := $(HOST_SAN)
# Asked of pkg-config once, when first used (cmocka may be installed by
# `make deps` after this Makefile is read), then remembered.
CMOCKA_CFLAGS = $(eval CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null))$(CMOCKA_CFLAGS)
CMOCKA_LIBS   = $(eval CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka))$(CMOCKA_LIBS)

# $(call stamp,FILE,TEXT) expands to FILE, which holds TEXT and is rewritten
# (so becomes newer) only when TEXT changes.  It makes visible to make what
# timestamps cannot show: a link whose list of inputs lost a file, or
# objects built with other flags.  Done with make's own $(file) (a shell
# per stamp made every make invocation a second slower); the brackets make
# an empty TEXT compare equal to an empty file.  The file is read into a
# variable first: GNU make 4.3 compared $(file <...) inside $(call ...)
# arguments wrongly now and then, which rewrote stamps (and rebuilt all
# that hangs on them) on every run.
stamp_same = $(and $(findstring $(1),$(2)),$(findstring $(2),$(1)))
stamp = $(if $(wildcard $(dir $(1))),,$(shell mkdir -p $(dir $(1))))$(eval stamp_old := $(file <$(1)))$(if \
    $(call stamp_same,[$(strip $(2))],[$(stamp_old)]),,$(file >$(1),$(strip $(2))))$(1)

.PHONY: all help deps run test debug clean kernel unit-tests system-images host-tools programs bench bench-images

all: kernel host-tools programs

# --- components with rules of their own (host tools, generators) ---------
# Each defines its outputs under $(BUILD) and adds to HOST_TOOLS.
HOST_TOOLS :=
include $(wildcard idl/build.mk tools/*/build.mk bench/host/build.mk)

# Interfaces used only by test and benchmark programs: tests/system/idl/
# and bench/idl/.
TEST_IDL_STEMS := $(patsubst %.idl,%,$(notdir $(wildcard tests/system/idl/*.idl bench/idl/*.idl)))
$(eval $(call idlc_rules,tests/system/idl,$(IDL_GEN)))
$(eval $(call idlc_rules,bench/idl,$(IDL_GEN)))

# --- the kernel ----------------------------------------------------------
ARCH := aarch64
PLAT := qemu-virt
KERNEL_DIRS := ukernel/core ukernel/arch/$(ARCH) ukernel/plat/$(PLAT)
KERNEL_SRCS := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c $(d)/*.S)) common/fmt.c common/string.c
# The kernel decodes its own invocations with the dispatch idlc generates
# from idl/kernel.idl.
KERNEL_GEN  := $(IDL_GEN)/kernel_server.c
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(BUILD)/kernel/gen/kernel_server.c.o
KERNEL_LDS  := ukernel/arch/$(ARCH)/kernel.ld
# The path of an address-space invocation (the generated dispatch, its
# handlers, vspace, the frame table, the page-table code and its glue) is
# built for link-time optimisation, so that ld.lld compiles it as one unit:
# the dispatch calls its handlers directly and they inline what they call,
# about 60 instructions fewer per invocation.  The rest of the kernel is
# not: the IPC fastpath (ipc.c) must stay leaf code, and inlining into it
# would make it longer.
KERNEL_LTO_SRCS := ukernel/core/invoke.c ukernel/core/vspace.c ukernel/core/frame.c \
    ukernel/arch/$(ARCH)/pt.c ukernel/arch/$(ARCH)/pt_glue.c $(KERNEL_GEN)

# The kernel sees only the ABI part of libakuma's headers (DESIGN.md 3).
KERNEL_ABI_DIR := $(BUILD)/kernel/include/akuma
KERNEL_INC := -Iukernel/include -Iukernel/arch/$(ARCH)/include -Iukernel/plat/$(PLAT)/include \
    -Icommon/include -I$(BUILD)/kernel/include -I$(IDL_GEN)

# Generated headers exist before anything that may include them compiles;
# after that the compilers' .d files track the real dependencies.
IDL_HEADERS := $(foreach s,$(IDL_STEMS) $(TEST_IDL_STEMS),$(foreach k,types client server,$(IDL_GEN)/$(s)_$(k).h))

$(KERNEL_ABI_DIR)/abi:
	@mkdir -p $(@D)
	@ln -sfn $(CURDIR)/libakuma/include/akuma/abi $@

KERNEL_FLAGS := $(call stamp,$(BUILD)/stamps/kernel-flags,$(CC) $(GUEST_CFLAGS) $(KERNEL_INC) lto: $(KERNEL_LTO_SRCS))
USER_FLAGS    = $(call stamp,$(BUILD)/stamps/user-flags,$(CC) $(USER_CFLAGS))

$(BUILD)/kernel/%.c.o: %.c $(KERNEL_FLAGS) | $(KERNEL_ABI_DIR)/abi $(IDL_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) $(if $(filter $<,$(KERNEL_LTO_SRCS)),-flto) $(KERNEL_INC) -c $< -o $@

$(BUILD)/kernel/gen/%.c.o: $(IDL_GEN)/%.c $(KERNEL_FLAGS) | $(KERNEL_ABI_DIR)/abi $(IDL_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) $(if $(filter $<,$(KERNEL_LTO_SRCS)),-flto) $(KERNEL_INC) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S | $(KERNEL_ABI_DIR)/abi
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(GUEST_ASFLAGS) $(KERNEL_INC) -c $< -o $@

# --- libakuma and programs ----------------------------------------------
# Every folder apps/<name>/, servers/<name>/, tests/system/apps/<name>/ and
# bench/apps/<name>/ is a program: its C files linked with libakuma into $(OUT)/bin/<name>.elf.
USER_OUT   := $(OUT)/user
USER_INC   := -Ilibakuma/include -Ilibakuma/malloc/include -Icommon/include -Iservers/include \
    -I$(BUILD)/gen
# Programs are built for link-time optimisation (ld.lld finishes it): their
# hot paths cross many small functions in separate files and libraries
# (malloc, its glue, mmap, the generated stub; the vmm's handlers, its
# regions, frames and window), and inlining across them saves about a
# tenth of the instructions of a page-mode allocation.  (The kernel is
# built so only on its invocation path: KERNEL_LTO_SRCS.)
USER_CFLAGS = $(GUEST_CFLAGS) -flto $(USER_INC)
USER_LDS   := libakuma/arch/aarch64/user.ld
AR         := llvm-ar

LIBAKUMA_SRCS := $(wildcard libakuma/src/*.c) $(filter-out %/crt0.S,$(wildcard libakuma/arch/aarch64/*.S)) \
    common/fmt.c common/string.c
LIBAKUMA_OBJS := $(patsubst %,$(USER_OUT)/%.o,$(LIBAKUMA_SRCS))
LIBAKUMA      := $(USER_OUT)/libakuma.a
CRT0          := $(USER_OUT)/libakuma/arch/aarch64/crt0.S.o

# Every generated client and server, product and test interfaces alike, in
# one archive: a program links only the members it calls.
LIBIDL_OBJS := $(foreach s,$(IDL_STEMS) $(TEST_IDL_STEMS),$(USER_OUT)/gen/$(s)_client.c.o $(USER_OUT)/gen/$(s)_server.c.o)
LIBIDL      := $(USER_OUT)/libidl.a

$(USER_OUT)/%.c.o: %.c $(USER_FLAGS) | $(IDL_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_OUT)/gen/%.c.o: $(IDL_GEN)/%.c $(USER_FLAGS) | $(IDL_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIBIDL): $(LIBIDL_OBJS) $(call stamp,$(USER_OUT)/stamps/libidl,$(LIBIDL_OBJS))
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

$(USER_OUT)/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(GUEST_ASFLAGS) $(USER_INC) -c $< -o $@

$(LIBAKUMA): $(LIBAKUMA_OBJS) $(call stamp,$(USER_OUT)/stamps/libakuma,$(LIBAKUMA_OBJS))
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)

# The allocators: libmalloc-page.a and libmalloc-chunk.a, each its mode's
# core with the guest glue (libakuma/malloc/glue.h).
define malloc_rules
LIBMALLOC_$(1)_OBJS := $(patsubst %,$(USER_OUT)/%.o,libakuma/malloc/report.c \
    $(wildcard libakuma/malloc/$(1)/*.c) libakuma/malloc/guest/glue.c)
LIBMALLOC_$(1) := $(USER_OUT)/libmalloc-$(1).a
$$(LIBMALLOC_$(1)): $$(LIBMALLOC_$(1)_OBJS) $$(call stamp,$(USER_OUT)/stamps/libmalloc-$(1),$$(LIBMALLOC_$(1)_OBJS))
	@echo "  AR      $$@"
	@rm -f $$@ && $(AR) rcs $$@ $$(filter %.o,$$^)
endef
$(foreach m,$(MALLOC_MODES),$(eval $(call malloc_rules,$(m))))

# servers/lib/ and servers/include/ hold what servers share, not programs.
PROGRAM_DIRS := $(filter-out servers/lib/ servers/include/,\
    $(wildcard apps/*/ servers/*/ tests/system/apps/*/ bench/apps/*/))
PROGRAMS     := $(notdir $(patsubst %/,%,$(PROGRAM_DIRS)))
ifneq ($(words $(PROGRAMS)),$(words $(sort $(PROGRAMS))))
$(error two program folders share a name: $(sort $(PROGRAMS)))
endif

# A vmm (servers/vmm, servers/vmm-*) is its folder's free-region structure
# (servers/include/vmm/region.h) linked with the core they all share.
VMMCORE_SRCS := $(wildcard servers/lib/vmmcore/*.c)

# $(call program_rules,DIR): the program of folder DIR.  It links the
# allocator MALLOC names, or the one a file DIR/malloc names ("page" or
# "chunk"), as an app pinned its Cargo feature in the original.
define program_rules
$(1)_SRCS := $(wildcard $(1)/*.c) $(if $(filter $(VMMS),$(notdir $(1))),$(VMMCORE_SRCS))
$(1)_MALLOC := $(or $(strip $(file <$(1)/malloc)),$(MALLOC))
ifeq ($$(filter $$($(1)_MALLOC),$(MALLOC_MODES)),)
$$(error $(1)/malloc names '$$($(1)_MALLOC)': it must say page or chunk)
endif
$(OUT)/bin/$(notdir $(1)).elf: $$(patsubst %,$(USER_OUT)/%.o,$$($(1)_SRCS)) $(CRT0) $(LIBIDL) $(LIBAKUMA) \
        $$(LIBMALLOC_$$($(1)_MALLOC)) $(USER_LDS) \
        $$(call stamp,$(USER_OUT)/stamps/$(notdir $(1)),$$($(1)_SRCS) $$($(1)_MALLOC))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	@$(LD) $(GUEST_LDFLAGS) -T $(USER_LDS) -o $$@ $(CRT0) $$(patsubst %,$(USER_OUT)/%.o,$$($(1)_SRCS)) \
	    $(LIBIDL) $$(LIBMALLOC_$$($(1)_MALLOC)) $(LIBAKUMA)
endef
$(foreach d,$(PROGRAM_DIRS),$(eval $(call program_rules,$(patsubst %/,%,$(d)))))
PROGRAM_ELFS := $(foreach p,$(PROGRAMS),$(OUT)/bin/$(p).elf)
programs: $(PROGRAM_ELFS)

# --- images ----------------------------------------------------------------
# An image is the kernel linked with: its boot image (the programs of a
# manifest, compiled by mkimage and embedded with .incbin), any in-kernel
# tests of a test image, and its own symbol table.  Linking twice embeds
# the symbols of the first link; .ksyms is last in the image, so no
# address moves.
#
# $(call image_rules,NAME,DIR,KTEST-SOURCES,MANIFEST,CONFIG-STRING)
define image_rules
# Its depfile (bootimage.d) lists the manifest and the ELF files it names;
# every program is built first, since the manifest decides which it needs.
$(2)/bootimage.bin: $(4) $(MKIMAGE) $(wildcard $(dir $(4))corrupt) | $(PROGRAM_ELFS)
	@mkdir -p $$(@D)
	@echo "  MKIMAGE $$@"
	@$(MKIMAGE) $(4) -o $$@ -B $(OUT)/bin --config "$(5)" --depfile $(2)/bootimage.d
	@$(if $(wildcard $(dir $(4))corrupt),$(dir $(4))corrupt $$@)

$(2)/bootimage.S: $(if $(4),$(2)/bootimage.bin)
	@mkdir -p $$(@D)
	@printf '    .section .bootimage, "a"\n    .balign 4096\n' >$$@
	@$(if $(4),printf '    .incbin "%s"\n' $(abspath $(2))/bootimage.bin >>$$@)

# -MF: the assembler's depfile must not overwrite mkimage's bootimage.d,
# or the image would not be rebuilt when one of its programs changes.
$(2)/bootimage.o: $(2)/bootimage.S
	@$(CC) $(GUEST_ASFLAGS) -MF $(2)/bootimage.S.d -c $$< -o $$@

$(2)/kernel.elf: $(KERNEL_OBJS) $(2)/bootimage.o $(patsubst %,$(2)/obj/%.o,$(3)) $(KERNEL_LDS) tools/mksyms.sh \
        $(call stamp,$(2)/objects,$(KERNEL_OBJS) $(3))
	@echo "  LD      $$@"
	@tools/mksyms.sh $(NM) >$(2)/ksyms0.S
	@$(CC) $(GUEST_ASFLAGS) -c $(2)/ksyms0.S -o $(2)/ksyms0.o
	@$(LD) $(GUEST_LDFLAGS) -T $(KERNEL_LDS) -o $(2)/kernel.pass1.elf $(KERNEL_OBJS) $(2)/bootimage.o $(patsubst %,$(2)/obj/%.o,$(3)) $(2)/ksyms0.o
	@tools/mksyms.sh $(NM) $(2)/kernel.pass1.elf >$(2)/ksyms.S
	@$(CC) $(GUEST_ASFLAGS) -c $(2)/ksyms.S -o $(2)/ksyms.o
	@$(LD) $(GUEST_LDFLAGS) -T $(KERNEL_LDS) -o $$@ $(KERNEL_OBJS) $(2)/bootimage.o $(patsubst %,$(2)/obj/%.o,$(3)) $(2)/ksyms.o

$(2)/obj/%.c.o: %.c $(KERNEL_FLAGS) | $(KERNEL_ABI_DIR)/abi
	@mkdir -p $$(@D)
	@echo "  CC      $$<"
	@$(CC) $(GUEST_CFLAGS) $(KERNEL_INC) -c $$< -o $$@
endef

# The default image (make run): images/default.manifest.in with the app
# of APP (a folder of apps/) and its arguments ARGS.  By default
# allocstress makes 200,000 allocations: past the 196,320 pages of the
# mmap area, so the run shows the seed's fix, in a few seconds.
APP  ?= allocstress
DEFAULT_ARGS_allocstress := 200000
DEFAULT_ARGS_hello       := world
ARGS ?= $(DEFAULT_ARGS_$(APP))
ifneq ($(findstring ",$(ARGS)),)
$(error ARGS must not contain a double quote: the manifest cannot hold one unescaped)
endif
# ARGS as a sed replacement: \, & and / are special there.
ARGS_SED := $(subst /,\/,$(subst &,\&,$(subst \,\\,$(ARGS))))
APPS := $(notdir $(patsubst %/,%,$(wildcard apps/*/)))
ifneq ($(words $(APP))$(filter $(APP),$(APPS)),1$(APP))
$(error APP=$(APP) is not a program: choose one of $(APPS) (folders of apps/))
endif
DEFAULT_DIR := $(OUT)/default-$(APP)
$(DEFAULT_DIR)/manifest: images/default.manifest.in FORCE
	@mkdir -p $(@D)
	@sed -e 's/@APP@/$(APP)/g' -e 's/@ARGS@/$(ARGS_SED)/g' -e 's/@VMM@/$(VMM)/g' $< >$@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:
$(eval $(call image_rules,default,$(DEFAULT_DIR),,$(DEFAULT_DIR)/manifest,app=$(APP) vmm=$(VMM) malloc=$(MALLOC)))
kernel: $(DEFAULT_DIR)/kernel.elf

# System-test images: one per folder of tests/system/ with an `expect`
# file; its optional `manifest` lists the programs, C files under its
# kernel/ are in-kernel tests linked into that image only, and an optional
# `corrupt` script damages the compiled boot image (to test refusals).
# A manifest that says @VMM@ makes one image per vmm, <test>@<vmm>, with
# @VMM@ replaced in its manifest and expect file: one suite, every vmm, or
# the vmms a file `vmms` in the folder lists.
SYSTEM_TESTS_ALL := $(patsubst tests/system/%/expect,%,$(wildcard tests/system/*/expect))
SYSTEM_TESTS_VMM := $(patsubst tests/system/%/manifest,%,$(shell grep -l @VMM@ tests/system/*/manifest 2>/dev/null))
test_vmms = $(or $(strip $(file <tests/system/$(1)/vmms)),$(VMMS))
$(foreach t,$(SYSTEM_TESTS_VMM),$(if $(filter-out $(VMMS),$(call test_vmms,$(t))),\
    $(error tests/system/$(t)/vmms names '$(filter-out $(VMMS),$(call test_vmms,$(t)))': not a vmm)))
SYSTEM_TESTS     := $(filter-out $(SYSTEM_TESTS_VMM),$(SYSTEM_TESTS_ALL)) \
    $(foreach t,$(SYSTEM_TESTS_VMM),$(foreach v,$(call test_vmms,$(t)),$(t)@$(v)))
$(foreach t,$(filter-out $(SYSTEM_TESTS_VMM),$(SYSTEM_TESTS_ALL)),$(eval \
    $(call image_rules,$(t),$(OUT)/tests/$(t),$(wildcard tests/system/$(t)/kernel/*.c),$(wildcard tests/system/$(t)/manifest),test image $(t))))
# $(call per_vmm_rules,TEST,VMM)
define per_vmm_rules
$(OUT)/tests/$(1)@$(2)/manifest $(OUT)/tests/$(1)@$(2)/expect: $(OUT)/tests/$(1)@$(2)/%: tests/system/$(1)/%
	@mkdir -p $$(@D)
	@sed 's/@VMM@/$(2)/g' $$< >$$@
$(call image_rules,$(1)@$(2),$(OUT)/tests/$(1)@$(2),$(wildcard tests/system/$(1)/kernel/*.c),$(OUT)/tests/$(1)@$(2)/manifest,test image $(1) with $(2))
endef
$(foreach t,$(SYSTEM_TESTS_VMM),$(foreach v,$(call test_vmms,$(t)),$(eval $(call per_vmm_rules,$(t),$(v)))))
SYSTEM_EXPECT = $(if $(findstring @,$(1)),$(OUT)/tests/$(1)/expect,tests/system/$(1)/expect)
system-images: $(foreach t,$(SYSTEM_TESTS),$(OUT)/tests/$(t)/kernel.elf $(call SYSTEM_EXPECT,$(t)))

# Benchmark images: one per folder of bench/ with a `manifest`.
BENCH_IMAGES := $(patsubst bench/%/manifest,%,$(wildcard bench/*/manifest))
$(foreach b,$(BENCH_IMAGES),$(eval $(call image_rules,$(b),$(OUT)/bench/$(b),,bench/$(b)/manifest,bench $(b))))
bench-images: $(foreach b,$(BENCH_IMAGES),$(OUT)/bench/$(b)/kernel.elf)

# make soak: the vmm soak image of the tests (tests/system/vmm-soak) at
# length, SOAK_OPS operations for each seed of SOAK_SEEDS on each vmm of
# SOAK_VMMS, judged like a system test.  vmm-list is not in the default:
# its list of holes makes 200,000 operations take over five minutes each.
SOAK_OPS   ?= 200000
SOAK_SEEDS ?= 1 2 3
SOAK_VMMS  ?= vmm
ifneq ($(filter-out $(call test_vmms,vmm-soak),$(SOAK_VMMS)),)
$(error SOAK_VMMS=$(SOAK_VMMS): the soak runs on $(call test_vmms,vmm-soak))
endif
SOAK_RUNS  := $(foreach v,$(SOAK_VMMS),$(foreach s,$(SOAK_SEEDS),$(v)-$(s)))
# $(call soak_rules,VMM,SEED): the image, its manifest with the args "OPS SEED"
# replaced, and its expect file with a timeout for that length.
define soak_rules
$(OUT)/soak/$(1)-$(2)/manifest: tests/system/vmm-soak/manifest FORCE
	@case "$(SOAK_OPS)$(2)" in *[!0-9]*) echo "SOAK_OPS and SOAK_SEEDS must be numbers" >&2; exit 2 ;; esac
	@mkdir -p $$(@D)
	@sed -e 's/@VMM@/$(1)/g' -e 's/args "[0-9]* [0-9]*"/args "$(SOAK_OPS) $(2)"/' $$< >$$@.tmp
	@grep -q 'args "$(SOAK_OPS) $(2)"' $$@.tmp || { echo "make soak: no args \"OPS SEED\" in $$<" >&2; exit 1; }
	@cmp -s $$@.tmp $$@ && rm $$@.tmp || mv $$@.tmp $$@
$(OUT)/soak/$(1)-$(2)/expect: tests/system/vmm-soak/expect FORCE
	@mkdir -p $$(@D)
	@sed -e 's/@VMM@/$(1)/g' -e "s/^timeout .*/timeout $$$$(( $(SOAK_OPS) / 1000 + 120 ))/" $$< >$$@
$(call image_rules,soak-$(1)-$(2),$(OUT)/soak/$(1)-$(2),,$(OUT)/soak/$(1)-$(2)/manifest,soak $(1) seed $(2))
endef
$(foreach v,$(SOAK_VMMS),$(foreach s,$(SOAK_SEEDS),$(eval $(call soak_rules,$(v),$(s)))))
.PHONY: soak
soak: deps
	@$(MAKE) $(foreach r,$(SOAK_RUNS),$(OUT)/soak/$(r)/kernel.elf $(OUT)/soak/$(r)/expect)
	@tools/test-all.sh $(OUT)/soak-results \
	    $(foreach r,$(SOAK_RUNS),--system soak-$(r) $(OUT)/soak/$(r)/kernel.elf $(OUT)/soak/$(r)/expect)

# --- host unit tests -----------------------------------------------------
# Each tests/unit/<suite>/test.mk adds <suite> to UNIT_SUITES and sets
# <suite>_SRCS (test and product sources) and <suite>_INC.
# tests/contract/<suite>/test.mk works the same way.
UNIT_SUITES :=
include $(wildcard tests/unit/*/test.mk tests/contract/*/test.mk)
include tests/fuzz/build.mk

HOST_OBJ := $(BUILD)/host/obj
define unit_rules
$(HOST_OBJ)/$(1)/%.c.o: %.c $(call stamp,$(BUILD)/stamps/host-flags-$(1),$(HOST_CC) $(HOST_CFLAGS) $($(1)_INC)) \
        | $(KERNEL_ABI_DIR)/abi
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$<"
	@$(HOST_CC) $(HOST_CFLAGS) $(CMOCKA_CFLAGS) $($(1)_INC) -c $$< -o $$@

$(BUILD)/host/tests/test_$(1): $(patsubst %,$(HOST_OBJ)/$(1)/%.o,$($(1)_SRCS)) \
        $(call stamp,$(BUILD)/stamps/host-objs-$(1),$($(1)_SRCS))
	@mkdir -p $$(@D)
	@echo "  HOSTLD  $$@"
	@$(HOST_CC) $(HOST_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(CMOCKA_LIBS)
endef
$(foreach s,$(UNIT_SUITES),$(eval $(call unit_rules,$(s))))
UNIT_BINS := $(foreach s,$(UNIT_SUITES),$(BUILD)/host/tests/test_$(s))
unit-tests: $(UNIT_BINS)
host-tools: $(HOST_TOOLS)

# --- commands ------------------------------------------------------------
RUN_TIMEOUT ?= 300

deps:
	@tools/deps.sh

run: deps
	@$(MAKE) kernel
	@$(QEMU_SH) --timeout $(RUN_TIMEOUT) $(DEFAULT_DIR)/kernel.elf

debug:
	@tools/deps.sh --debug
	@$(MAKE) kernel
	@echo "QEMU is halted at the first instruction with a gdb server on :1234."
	@echo "In another terminal:"
	@echo "    gdb-multiarch $(DEFAULT_DIR)/kernel.elf -ex 'target remote :1234'"
	@$(QEMU_SH) --gdb $(DEFAULT_DIR)/kernel.elf

# The summary "N passed, N failed" must stay the last line of the output,
# but make reports a failed recipe with a line of its own.  So when tests
# fail, the recipe ends make itself with SIGPIPE, the one signal whose
# death shells do not report: make's exit status is then 141.
# The benchmark images are built too (not run), so that they cannot rot.
test: deps
	@$(MAKE) unit-tests system-images bench-images fuzz-build fuzz-seeds
	@tools/test-all.sh $(OUT)/test-results \
	    $(foreach b,$(UNIT_BINS),--unit $(b)) --unit tests/make/test_make.sh \
	    $(foreach f,$(FUZZ_NAMES),--fuzz $(f) $(FUZZ_BIN)/$(f) $(FUZZ_SEEDS)/$(f)) \
	    $(foreach t,$(SYSTEM_TESTS),--system $(t) $(OUT)/tests/$(t)/kernel.elf $(call SYSTEM_EXPECT,$(t))) \
	    || { kill -PIPE $$PPID; exit 1; }

# make bench: the guest benchmarks (bench/<image>, under icount and not),
# the vmm's region structures on the host (bench/host/vmm_regions.c) and
# the allocators side by side (bench/host/malloc_window.sh), in one CSV,
# and SVG plots of it (tools/benchplot.sh).
BENCH_CSV := $(BUILD)/bench/results.csv
bench:
	@tools/deps.sh --bench
	@$(MAKE) bench-images bench-host
	@tools/bench.sh $(BUILD)/bench/guest.csv $(foreach b,$(BENCH_IMAGES),$(OUT)/bench/$(b)/kernel.elf) >/dev/null
	@bench/host/malloc_window.sh $(BUILD)/bench/host >$(BUILD)/bench/malloc-window.csv
	@{ cat $(BUILD)/bench/guest.csv $(VMM_REGIONS_CSV) $(BUILD)/bench/malloc-window.csv; } >$(BENCH_CSV)
	@tools/benchplot.sh $(BENCH_CSV) $(BUILD)/bench
	@column -s, -t $(BENCH_CSV)
	@echo "plots: $(BUILD)/bench/{guest-paths,vmm-regions,malloc-window}.svg"

clean:
	rm -rf $(BUILD)

help:
	@echo "Akuma-C: an AArch64 microkernel with a userspace memory server."
	@echo
	@echo "  make run     build the default image and boot it in QEMU"
	@echo "               (APP=<folder of apps/> ARGS=\"...\" to run another program)"
	@echo "  make test    install missing packages, run every test suite"
	@echo "  make bench   run the benchmarks; results in build/bench/results.csv"
	@echo "               and plots in build/bench/*.svg"
	@echo "  make fuzz    run every fuzz target for FUZZ_TIME seconds (default 60;"
	@echo "               FUZZ=<name> for one of: $(FUZZ_NAMES))"
	@echo "  make soak    the vmm soak test at length (SOAK_OPS=200000 SOAK_SEEDS=\"1 2 3\""
	@echo "               SOAK_VMMS=vmm, or vmm-list)"
	@echo "  make debug   boot halted with a gdb server, print how to attach"
	@echo "  make deps    install the Debian packages the project needs"
	@echo "  make clean   remove build/"
	@echo
	@echo "The configuration (now in brackets); run and debug boot APP, every"
	@echo "target builds with VMM and MALLOC:"
	@echo "  APP=...      one of: $(APPS) [$(APP)]"
	@echo "  ARGS=\"...\"   its arguments [$(ARGS)]"
	@echo "  VMM=...      one of: $(VMMS) [$(VMM)]"
	@echo "  MALLOC=...   one of: $(MALLOC_MODES) [$(MALLOC)]"
	@echo "For example: make run APP=allocstress VMM=vmm-bump MALLOC=page"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
