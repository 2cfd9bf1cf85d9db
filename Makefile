# Akuma-C: the only entry point.  `make help` lists the targets.
#
# What is built is declared by the module.mk file of each component
# (mk/modules.mk says how; mk/rules.mk makes the rules).  This file keeps
# the configuration, the images and the commands.
#
# Output goes to build/: build/kernel/ and build/user/ for the objects of
# the kernel and of programs, build/host/ for host tools, tests and
# libraries, build/gen/ for generated stubs, and build/$(CONFIG)/ for
# programs, images and test results, where CONFIG is $(VMM)-$(MALLOC)
# (for example vmm-page): configurations never overwrite each other.

.SUFFIXES:
.SECONDARY:
.DELETE_ON_ERROR:
# A module.mk may define rules of its own: `make` alone still means `make all`.
.DEFAULT_GOAL := all
MAKEFLAGS += --no-builtin-rules --no-print-directory

BUILD := build

# The configuration: which vmm serves the default image's program, and
# which allocator programs link unless their module.mk pins one.
VMM    ?= vmm
MALLOC ?= page
CONFIG := $(VMM)-$(MALLOC)
OUT    := $(BUILD)/$(CONFIG)

include mk/modules.mk

# The vmms are the programs that module.mk files add to VMMS, the default
# first; a vmm that never reuses an address says so (NAME.reuses_va := no).
VMMS := $(filter vmm,$(VMMS)) $(filter-out vmm,$(VMMS))
VMMS_REUSING := $(foreach v,$(VMMS),$(if $(filter no,$($(v).reuses_va)),,$(v)))
# $(filter) alone would accept "vmm junk": a value must also be one word.
ifneq ($(words $(VMM))$(filter $(VMM),$(VMMS)),1$(VMM))
$(error VMM=$(VMM) is not a vmm: choose one of $(VMMS))
endif
ifneq ($(words $(MALLOC))$(filter $(MALLOC),$(MALLOC_MODES)),1$(MALLOC))
$(error MALLOC=$(MALLOC) is not an allocator: choose one of $(MALLOC_MODES))
endif

include mk/rules.mk

QEMU_SH := tools/qemu.sh
MKIMAGE := $(mkimage.out)

.PHONY: all lib help deps run test debug clean kernel unit-tests system-images host-tools programs \
    bench bench-images bench-host soak fuzz fuzz-build fuzz-seeds check probe FORCE
FORCE:

all: kernel host-tools programs compile_commands.json
lib: $(libakuma_malloc.out)
host-tools: $(HOST_TOOLS)
programs: $(PROGRAM_ELFS)
unit-tests: $(foreach t,$(TESTS),$($(t).out))

# --- images ----------------------------------------------------------------
# An image is the kernel linked with its boot image (the programs of a
# manifest, compiled by mkimage and embedded with .incbin), any in-kernel
# tests of a test image, and its own symbol table.  Linking twice embeds
# the symbols of the first link; .ksyms is last in the image, so no
# address moves.
#
# $(call image_rules,DIR,KTEST-SOURCES,MANIFEST,CONFIG-STRING)
define image_rules
# Its depfile (bootimage.d) lists the manifest and the ELF files it names;
# every program is built first, since the manifest decides which it needs.
$(1)/bootimage.bin: $(3) $(MKIMAGE) $(wildcard $(dir $(3))corrupt) | $(PROGRAM_ELFS)
	$$(call msg,MKIMAGE,$$@)
	@mkdir -p $$(@D)
	$(Q)$(MKIMAGE) $(3) -o $$@ -B $(OUT)/bin --config "$(4)" --depfile $(1)/bootimage.d
	$(Q)$(if $(wildcard $(dir $(3))corrupt),$(dir $(3))corrupt $$@)

# An image without a manifest (an in-kernel test) embeds an empty one.
$(1)/bootimage.S: $(if $(3),$(1)/bootimage.bin)
	@mkdir -p $$(@D)
	@printf '    .section .bootimage, "a"\n    .balign 4096\n' >$$@
	$(if $(3),@printf '    .incbin "%s"\n' $(abspath $(1))/bootimage.bin >>$$@)

# -MF: the assembler's depfile must not overwrite mkimage's bootimage.d,
# or the image would not be rebuilt when one of its programs changes.
$(1)/bootimage.o: $(1)/bootimage.S
	$(Q)$(CC) $(GUEST_ASFLAGS) -MMD -MP -MF $(1)/bootimage.S.d -c $$< -o $$@

$(1)/kernel.elf: $(KERNEL_OBJS) $(call objs,kernel,$(2)) $(1)/bootimage.o $(KERNEL_LDS) tools/mksyms.sh \
        $(call stamp,$(STAMPS)/image/$(1),$(KERNEL_OBJS) $(2))
	$$(call msg,LD,$$@)
	$(Q)tools/mksyms.sh $(NM) >$(1)/ksyms0.S
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $(1)/ksyms0.S -o $(1)/ksyms0.o
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(KERNEL_LDS) -o $(1)/kernel.pass1.elf $(KERNEL_OBJS) $(call objs,kernel,$(2)) \
	    $(1)/bootimage.o $(1)/ksyms0.o
	$(Q)tools/mksyms.sh $(NM) $(1)/kernel.pass1.elf >$(1)/ksyms.S
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $(1)/ksyms.S -o $(1)/ksyms.o
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(KERNEL_LDS) -o $$@ $(KERNEL_OBJS) $(call objs,kernel,$(2)) \
	    $(1)/bootimage.o $(1)/ksyms.o
endef

# The default image (make run): images/default.manifest.in with the
# program APP (a program of apps/) and its arguments ARGS.  By default
# allocstress makes 200,000 allocations: past the 196,320 pages of the
# mmap area, so the run shows the seed's fix, in a few seconds.
APPS := $(strip $(foreach p,$(PROGRAMS),$(if $(filter apps/%,$($(p).dir)),$(p))))
APP  ?= allocstress
ifeq ($(APP),shell)
$(error APP=shell: the shell needs the console and init, which the story image gives it: make run SCRIPT=none)
endif
APPS := $(filter-out shell,$(APPS))
DEFAULT_ARGS_allocstress := 200000
DEFAULT_ARGS_hello       := world
ARGS ?= $(DEFAULT_ARGS_$(APP))
ifneq ($(words $(APP))$(filter $(APP),$(APPS)),1$(APP))
$(error APP=$(APP) is not a program: choose one of $(APPS) (folders of apps/))
endif
ifneq ($(findstring ",$(ARGS)),)
$(error ARGS must not contain a double quote: the manifest cannot hold one unescaped)
endif
# ARGS as a sed replacement: \, & and / are special there.
ARGS_SED := $(subst /,\/,$(subst &,\&,$(subst \,\\,$(ARGS))))
DEFAULT_DIR := $(OUT)/default-$(APP)
$(DEFAULT_DIR)/manifest: images/default.manifest.in FORCE
	@mkdir -p $(@D)
	@sed -e 's/@APP@/$(APP)/g' -e 's/@ARGS@/$(ARGS_SED)/g' -e 's/@VMM@/$(VMM)/g' $< >$@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
$(eval $(call image_rules,$(DEFAULT_DIR),,$(DEFAULT_DIR)/manifest,app=$(APP) vmm=$(VMM) malloc=$(MALLOC)))
kernel: $(DEFAULT_DIR)/kernel.elf

# The story image (images/story.manifest): init, the console, three vmms
# side by side and the shell, which runs the boot script that tells the
# seed's story (images/story.sh).  `make run` boots it unless APP, ARGS,
# VMM or MALLOC is given, which boot the single-program image above.
STORY_DIR := $(OUT)/story
$(eval $(call image_rules,$(STORY_DIR),,images/story.manifest,story))
STORY_RUN := $(if $(filter-out undefined default file,$(origin APP) $(origin ARGS) $(origin VMM) $(origin MALLOC)),,yes)
story: $(STORY_DIR)/kernel.elf

# System-test images: one per folder of tests/system/ with an `expect`
# file; its optional `manifest` lists the programs, C files under its
# kernel/ are in-kernel tests linked into that image only, and an optional
# `corrupt` script damages the compiled boot image (to test refusals).
# A manifest that says @VMM@ makes one image per vmm, <test>@<vmm>, with
# @VMM@ replaced in its manifest and expect file (and @MALLOC@ by the
# image's default malloc mode): every vmm, or those a
# file `vmms` in the folder selects: vmm names, or `reuses-va` (the vmms
# that reuse addresses) or `!reuses-va` (those that never do).
vmm_select = $(foreach w,$(1),$(if $(filter reuses-va,$(w)),$(VMMS_REUSING),$(if \
    $(filter !reuses-va,$(w)),$(filter-out $(VMMS_REUSING),$(VMMS)),$(w))))
test_vmms = $(or $(call vmm_select,$(file <tests/system/$(1)/vmms)),$(VMMS))
SYSTEM_TESTS_ALL := $(patsubst tests/system/%/expect,%,$(wildcard tests/system/*/expect))
SYSTEM_TESTS_VMM := $(patsubst tests/system/%/manifest,%,$(shell grep -l @VMM@ tests/system/*/manifest 2>/dev/null))
$(foreach t,$(SYSTEM_TESTS_VMM),$(if $(filter-out $(VMMS),$(call test_vmms,$(t))),\
    $(error tests/system/$(t)/vmms names '$(filter-out $(VMMS),$(call test_vmms,$(t)))': not a vmm)))
SYSTEM_TESTS := $(filter-out $(SYSTEM_TESTS_VMM),$(SYSTEM_TESTS_ALL)) \
    $(foreach t,$(SYSTEM_TESTS_VMM),$(foreach v,$(call test_vmms,$(t)),$(t)@$(v)))
# A folder with a file `image` instead of a manifest tests an image that
# `make run` boots (its one word: `story`), the very same kernel.elf.
SYSTEM_TESTS_IMAGE := $(patsubst tests/system/%/image,%,$(wildcard tests/system/*/image))
SYSTEM_TESTS_PLAIN := $(filter-out $(SYSTEM_TESTS_VMM) $(SYSTEM_TESTS_IMAGE),$(SYSTEM_TESTS_ALL))
$(foreach t,$(SYSTEM_TESTS_PLAIN),$(eval $(call image_rules,$(OUT)/tests/$(t),\
    $(wildcard tests/system/$(t)/kernel/*.c),$(wildcard tests/system/$(t)/manifest),test image $(t))))
$(foreach t,$(SYSTEM_TESTS_IMAGE),$(eval $(OUT)/tests/$(t)/kernel.elf: $(OUT)/$(strip $(file <tests/system/$(t)/image))/kernel.elf ; \
    @mkdir -p $$(@D) && cp $$< $$@))
# $(call per_vmm_rules,TEST,VMM)
define per_vmm_rules
$(OUT)/tests/$(1)@$(2)/manifest $(OUT)/tests/$(1)@$(2)/expect: $(OUT)/tests/$(1)@$(2)/%: tests/system/$(1)/%
	@mkdir -p $$(@D)
	@sed -e 's/@VMM@/$(2)/g' -e 's/@MALLOC@/$(MALLOC)/g' $$< >$$@
$(call image_rules,$(OUT)/tests/$(1)@$(2),$(wildcard tests/system/$(1)/kernel/*.c),$(OUT)/tests/$(1)@$(2)/manifest,test image $(1) with $(2))
endef
$(foreach t,$(SYSTEM_TESTS_VMM),$(foreach v,$(call test_vmms,$(t)),$(eval $(call per_vmm_rules,$(t),$(v)))))
SYSTEM_EXPECT = $(if $(findstring @,$(1)),$(OUT)/tests/$(1)/expect,tests/system/$(1)/expect)
system-images: $(foreach t,$(SYSTEM_TESTS),$(OUT)/tests/$(t)/kernel.elf $(call SYSTEM_EXPECT,$(t)))

# Benchmark images: one per folder of bench/ with a `manifest`.
BENCH_IMAGES := $(patsubst bench/%/manifest,%,$(wildcard bench/*/manifest))
$(foreach b,$(BENCH_IMAGES),$(eval $(call image_rules,$(OUT)/bench/$(b),,bench/$(b)/manifest,bench $(b))))
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
$(call image_rules,$(OUT)/soak/$(1)-$(2),,$(OUT)/soak/$(1)-$(2)/manifest,soak $(1) seed $(2))
endef
$(foreach v,$(SOAK_VMMS),$(foreach s,$(SOAK_SEEDS),$(eval $(call soak_rules,$(v),$(s)))))
# The concurrent soak (issue 15): tests/system/vmm-concurrent, four clients
# of the same priority at once against one vmm, each with its own model,
# at length: SOAK_CONCURRENT_OPS operations each (make test runs 2,500),
# on every vmm of SOAK_CONCURRENT_VMMS (default: all of them).
SOAK_CONCURRENT_OPS  ?= 10000
SOAK_CONCURRENT_VMMS ?= $(call test_vmms,vmm-concurrent)
ifneq ($(filter-out $(call test_vmms,vmm-concurrent),$(SOAK_CONCURRENT_VMMS)),)
$(error SOAK_CONCURRENT_VMMS=$(SOAK_CONCURRENT_VMMS): the concurrent soak runs on $(call test_vmms,vmm-concurrent))
endif
SOAK_RUNS += $(foreach v,$(SOAK_CONCURRENT_VMMS),concurrent-$(v))
# $(call soak_concurrent_rules,VMM)
define soak_concurrent_rules
$(OUT)/soak/concurrent-$(1)/manifest: tests/system/vmm-concurrent/manifest FORCE
	@case "$(SOAK_CONCURRENT_OPS)" in *[!0-9]*|"") echo "SOAK_CONCURRENT_OPS must be a number" >&2; exit 2 ;; esac
	@mkdir -p $$(@D)
	@sed -e 's/@VMM@/$(1)/g' -e 's/args "2500 /args "$(SOAK_CONCURRENT_OPS) /' $$< >$$@.tmp
	@test "$$$$(grep -c 'args "$(SOAK_CONCURRENT_OPS) ' $$@.tmp)" = 4 || { echo "make soak: no four args \"2500 ...\" in $$<" >&2; exit 1; }
	@cmp -s $$@.tmp $$@ && rm $$@.tmp || mv $$@.tmp $$@
$(OUT)/soak/concurrent-$(1)/expect: tests/system/vmm-concurrent/expect FORCE
	@mkdir -p $$(@D)
	@sed -e 's/@VMM@/$(1)/g' -e "s/^timeout .*/timeout $$$$(( $(SOAK_CONCURRENT_OPS) / 50 + 180 ))/" $$< >$$@
$(call image_rules,$(OUT)/soak/concurrent-$(1),,$(OUT)/soak/concurrent-$(1)/manifest,soak concurrent $(1))
endef
$(foreach v,$(SOAK_CONCURRENT_VMMS),$(eval $(call soak_concurrent_rules,$(v))))

# --- fuzzing -------------------------------------------------------------------
# The fuzz targets are the fuzz modules of tests/fuzz/module.mk; seeds are
# real inputs gathered fresh from the build.
FUZZ_NAMES := $(patsubst fuzz-%,%,$(FUZZERS))
FUZZ_BIN   := $(BUILD)/host/fuzz
FUZZ_SEEDS := $(BUILD)/fuzz/seeds
FUZZ_TIME  ?= 60
FUZZ       ?= $(FUZZ_NAMES)
ifneq ($(filter-out $(FUZZ_NAMES),$(FUZZ)),)
$(error FUZZ=$(FUZZ): the fuzz targets are $(FUZZ_NAMES))
endif
fuzz-build: $(foreach f,$(FUZZERS),$($(f).out))
fuzz-seeds: $(PROGRAM_ELFS) system-images $(ELF_SAMPLE)
	$(Q)tools/fuzz.sh --seeds $(FUZZ_SEEDS) $(OUT) $(ELF_SAMPLE)

# --- commands ------------------------------------------------------------------
RUN_TIMEOUT ?= 300

deps:
	$(Q)tools/deps.sh

# The system's last line ("[kernel] halt: status N") stays the last line:
# when N is not 0, make is stopped as `make test` is (below), quietly, with
# a non-zero status.
# IMAGE=path/kernel.elf boots another image (a test's or a benchmark's)
# instead of the default one.  The last line is always the system's status;
# make exits 0 exactly when it is 0, else it is stopped with SIGPIPE (141),
# which makes it print nothing after that line (GNU make itself could only
# say 1 or 2, and would add a line of its own).
# The story image, from a terminal (stdin and stdout both one), is told
# interactive=1: its shell then stays at its prompt after the story, and
# QEMU runs without a time limit (Ctrl-A x leaves it).  SCRIPT=NAME runs
# another script of the archive at boot, SCRIPT=none none.
RUN_IMAGE = $(or $(IMAGE),$(if $(STORY_RUN),$(STORY_DIR)/kernel.elf,$(DEFAULT_DIR)/kernel.elf))
RUN_BOOTARGS = $(strip $(BOOTARGS) $(if $(SCRIPT),script=$(SCRIPT)))
run: deps
	$(Q)$(if $(IMAGE),test -f $(IMAGE) || { echo "make run: IMAGE=$(IMAGE) does not exist" >&2; exit 1; },$(MAKE) $(RUN_IMAGE))
	$(Q)status=0; args='$(RUN_BOOTARGS)'; limit=$(RUN_TIMEOUT); \
	    if [ -n "$(if $(IMAGE),,$(STORY_RUN))" ] && [ -t 0 ] && [ -t 1 ]; then \
	        args="$${args:+$$args }interactive=1"; limit=0; \
	        echo "make run: interactive; Ctrl-A x leaves QEMU"; \
	    fi; \
	    $(QEMU_SH) --timeout $$limit $${args:+--append "$$args"} $(RUN_IMAGE) || status=$$?; \
	    echo "make run: system status $$status"; \
	    [ $$status -eq 0 ] || { kill -PIPE $$PPID; exit 1; }

debug:
	$(Q)tools/deps.sh --debug
	$(Q)$(MAKE) kernel
	@echo "QEMU is halted at the first instruction with a gdb server on :1234."
	@echo "In another terminal:"
	@echo "    gdb-multiarch $(DEFAULT_DIR)/kernel.elf -ex 'target remote :1234'"
	$(Q)$(QEMU_SH) --gdb $(DEFAULT_DIR)/kernel.elf

# The summary "N passed, N failed" must stay the last line of the output,
# but make reports a failed recipe with a line of its own.  So when tests
# fail, the recipe ends make itself with SIGPIPE, the one signal whose
# death shells do not report: make's exit status is then 141.
# The benchmark images are built too (not run), so that they cannot rot.
test: deps
	$(Q)$(MAKE) unit-tests system-images bench-images fuzz-build fuzz-seeds
	$(Q)tools/test-all.sh $(OUT)/test-results \
	    $(foreach t,$(TESTS),--unit $($(t).out)) --unit tests/make/test_make.sh \
	    $(foreach f,$(FUZZ_NAMES),--fuzz $(f) $(FUZZ_BIN)/$(f) $(FUZZ_SEEDS)/$(f)) \
	    $(foreach t,$(SYSTEM_TESTS),--system $(t) $(OUT)/tests/$(t)/kernel.elf $(call SYSTEM_EXPECT,$(t))) \
	    || { kill -PIPE $$PPID; exit 1; }

fuzz: deps
	$(Q)$(MAKE) fuzz-build fuzz-seeds
	$(Q)tools/fuzz.sh --run $(FUZZ_TIME) $(BUILD)/fuzz $(FUZZ_BIN) $(FUZZ)

soak: deps
	$(Q)$(MAKE) $(foreach r,$(SOAK_RUNS),$(OUT)/soak/$(r)/kernel.elf $(OUT)/soak/$(r)/expect)
	$(Q)tools/test-all.sh $(OUT)/soak-results \
	    $(foreach r,$(SOAK_RUNS),--system soak-$(r) $(OUT)/soak/$(r)/kernel.elf $(OUT)/soak/$(r)/expect)

# make bench: the guest benchmarks (bench/<image>, under icount and not),
# the free-region structures on the host (vmm_regions-NAME), the
# allocators side by side on three workloads (bench/host/malloc_peers.sh
# over malloc_window, malloc_churn and malloc_threads), real programs on
# the LD_PRELOAD library (bench/host/preload_programs.sh), in one CSV, and
# plots of it (tools/benchplot.sh).
BENCH_CSV := $(BUILD)/bench/results.csv
VMM_REGIONS_CSV := $(BUILD)/bench/vmm-regions.csv
bench-host: $(foreach r,$(REGIONS),$(vmm_regions-$(r).out)) \
    $(foreach b,$(MALLOC_BENCHES),$($(b).out) $($(b)_akuma.out)) $(libakuma_malloc.out)
	@mkdir -p $(dir $(VMM_REGIONS_CSV))
	$(Q){ $(foreach r,$(REGIONS),$(vmm_regions-$(r).out) $(VMM_REGION_MAX_HOLES.$(r)) &&) true; } \
	    >$(VMM_REGIONS_CSV).tmp
	@mv $(VMM_REGIONS_CSV).tmp $(VMM_REGIONS_CSV)
	@cat $(VMM_REGIONS_CSV)
bench:
	$(Q)tools/deps.sh --bench
	$(Q)$(MAKE) bench-images bench-host
	$(Q)tools/bench.sh $(BUILD)/bench/guest.csv $(foreach b,$(BENCH_IMAGES),$(OUT)/bench/$(b)/kernel.elf) >/dev/null
	$(Q)$(foreach b,$(MALLOC_BENCHES),bench/host/malloc_peers.sh $($(b).out) $($(b)_akuma.out) \
	    >$(BUILD)/bench/$(b).csv &&) true
	$(Q)bench/host/preload_programs.sh $(libakuma_malloc.out) >$(BUILD)/bench/preload.csv
	$(Q)cat $(BUILD)/bench/guest.csv $(VMM_REGIONS_CSV) $(foreach b,$(MALLOC_BENCHES),$(BUILD)/bench/$(b).csv) \
	    $(BUILD)/bench/preload.csv >$(BENCH_CSV)
	$(Q)tools/benchplot.sh $(BENCH_CSV) $(BUILD)/bench
	@column -s, -t $(BENCH_CSV)
	@echo "plots: $(BUILD)/bench/{guest-paths,vmm-regions,malloc-window}.{png,svg}"

# compile_commands.json: the command of every source, for editors and
# clang-tidy, rewritten when a module.mk, the build or the list of sources
# changes (a new file in a folder whose module takes its *.c).
compile_commands.json: $(MODULE_MKS) mk/modules.mk mk/rules.mk Makefile \
    $(call stamp,$(STAMPS)/sources,$(sort $(foreach m,$(MODULES),$($(m).srcs))))
	$(call msg,GEN,$@)
	$(file >$@,$(cc_json))

# make check: cppcheck and clang-tidy over every source, with the flags the
# build uses (tools/check.sh; its suppressions say why each is there).
check: compile_commands.json $(GEN_HEADERS)
	$(Q)tools/deps.sh --check
	$(Q)tools/check.sh compile_commands.json

# make probe MODULE=NAME SRC=FILE [WORLD=...]: compiles FILE (syntax only)
# as if it were a source of module NAME, with its include path; the walls
# between modules are tested with it (tests/make/test_make.sh).
probe:
	$(if $(filter $(MODULE),$(MODULES)),,$(error MODULE=$(MODULE) is not a module))
	$(eval OWNER.$(SRC) := $(MODULE))
	$(Q)$(call cc_cmd,$(or $(WORLD),$($(MODULE).world),$(WORLD.$($(MODULE).kind))),$(SRC)) -fsyntax-only $(SRC)

clean:
	rm -rf $(BUILD) compile_commands.json

help:
	@echo "Akuma-C: an AArch64 microkernel with a userspace memory server."
	@echo
	@echo "  make run     build the default image and boot it in QEMU"
	@echo "               (APP=<program of apps/> ARGS=\"...\" to run another program,"
	@echo "               IMAGE=<kernel.elf> to boot a test's or a benchmark's image,"
	@echo "               BOOTARGS=\"...\" to hand boot arguments to init)"
	@echo "  make test    install missing packages, run every test suite"
	@echo "  make bench   run the benchmarks; results in build/bench/results.csv"
	@echo "               and plots in build/bench/*.{png,svg}"
	@echo "  make fuzz    run every fuzz target for FUZZ_TIME seconds (default 60;"
	@echo "               FUZZ=<name> for one of: $(FUZZ_NAMES))"
	@echo "  make soak    the vmm soak test at length (SOAK_OPS=200000 SOAK_SEEDS=\"1 2 3\""
	@echo "               SOAK_VMMS=vmm, or vmm-list), and four concurrent clients on each"
	@echo "               vmm (SOAK_CONCURRENT_OPS=10000 SOAK_CONCURRENT_VMMS=\"vmm vmm-list vmm-bump\")"
	@echo "  make debug   boot halted with a gdb server, print how to attach"
	@echo "  make check   cppcheck and clang-tidy over every module"
	@echo "  make         build everything, $(libakuma_malloc.out) (make lib builds only"
	@echo "               that) and compile_commands.json"
	@echo "  make deps    install the Debian packages the project needs"
	@echo "  make clean   remove build/"
	@echo "  make V=1 ... show every command"
	@echo
	@echo "The configuration (now in brackets); run and debug boot APP, every"
	@echo "target builds with VMM and MALLOC:"
	@echo "  APP=...      one of: $(APPS) [$(APP)]"
	@echo "  ARGS=\"...\"   its arguments [$(ARGS)]"
	@echo "  VMM=...      one of: $(VMMS) [$(VMM)]"
	@echo "  MALLOC=...   one of: $(MALLOC_MODES) [$(MALLOC)]"
	@echo "For example: make run APP=allocstress VMM=vmm-bump MALLOC=page"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
