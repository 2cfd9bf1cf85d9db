# mk/modules.mk: how modules are declared, and what is derived from the
# declarations (include paths, owners of sources).  Read by the top-level
# Makefile first; mk/rules.mk then makes the rules that build them.
#
# Every component is a module: a folder with a module.mk (a folder may
# declare several).  A module.mk is read with $(d) set to its folder and
# declares, always with := (a deferred = would see a later folder's $(d)):
#
#   MODULES   += NAME             every module's name is unique
#   NAME.kind := lib | program | kernel | tool | test | tsan | fuzz | hostbin | solib
#   NAME.srcs := its C and assembly sources (default: the folder's *.c, *.S)
#   NAME.inc  := its public include roots: each holds include/<component>/
#                (so headers are included as <component/name.h>)
#   NAME.uses := the modules it may use: their public headers are on its
#                include path, with everything they use in turn, and their
#                code is linked into it
#   NAME.sees := modules whose headers it (or its public headers) may
#                include without linking their code: a test that links
#                one file of a module lists the file in srcs and the
#                module here
#   NAME.cflags := flags for its own sources, wherever they are compiled
#   NAME.xflags := (host kinds) flags for every source the binary compiles
#   SRC.xflags  := (host kinds) flags for that one source, in every host
#                binary that compiles it (a model test's -include)
#   NAME.libs   := (host kinds) what the link adds (-lpthread, ...)
#   NAME.malloc := (programs) page or chunk, its pin: the malloc mode it runs
#                whatever MALLOC says, unless its environment says otherwise
#   NAME.out    := (host kinds) the output file, if not the default below
#
# A module's include path is derived from those lists and nothing else,
# so including a header of a module it may not use is a compile error
# (tests/make checks each wall).  Private headers sit beside the .c that
# includes them, included by plain "name.h".
#
# Worlds: where a source is compiled, with which flags, into which folder.
#   kernel   the kernel (EL1)       $(BUILD)/kernel/obj/SRC.o
#   user     programs (EL0)         $(BUILD)/user/obj/SRC.o, archives
#                                   $(BUILD)/user/lib/libNAME.a
#   host     tools and unit tests (sanitized), tsan (unit tests of threaded
#   tsan     code under ThreadSanitizer, which cannot be combined with
#   fuzz     ASan: kind tsan, run by make test like kind test), fuzz
#   hostbin  (libFuzzer), hostbin (-O2, for benchmarks), pic (-O2 -fPIC,
#   pic      shared libraries): $(BUILD)/WORLD/obj/BINARY/SRC.o, one folder
#            per binary, since a test may add flags to every file it
#            compiles (xflags)
# A source is compiled with its world's flags plus the flags of the
# module that owns it (the first to list it), so a file means the same
# wherever it is linked.

.SECONDEXPANSION:

# --- output and echo ---------------------------------------------------------
# make V=1 shows every command; otherwise one short line per step.
V ?= 0
ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

# --- toolchain and the flags of each world ----------------------------------
CC      := clang
LD      := ld.lld
AR      := llvm-ar
NM      := llvm-nm
HOST_CC := clang

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla

GUEST_CFLAGS := --target=aarch64-none-elf -mcpu=cortex-a72 -std=c11 -ffreestanding \
    -nostdlib -mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-pic \
    -O2 -g $(WARN)
GUEST_ASFLAGS := --target=aarch64-none-elf -mcpu=cortex-a72 -g
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 --no-undefined

HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_STD := -std=c11 -D_DEFAULT_SOURCE

# Programs are compiled for link-time optimisation (ld.lld finishes it):
# their hot paths cross many small functions in separate files and
# libraries (malloc, its glue, mmap, the generated stub; the vmm's
# handlers, its regions, frames and window), and inlining across them saves
# about a tenth of the instructions of a page-mode allocation.  The kernel
# is built so only on its invocation path (KERNEL_LTO_SRCS, ukernel/module.mk).
CFLAGS.kernel  := $(GUEST_CFLAGS)
CFLAGS.user    := $(GUEST_CFLAGS) -flto
CFLAGS.host    := $(HOST_STD) -O1 -g $(WARN) $(HOST_SAN)
CFLAGS.tsan    := $(HOST_STD) -O1 -g $(WARN) -fsanitize=thread -fno-omit-frame-pointer
CFLAGS.fuzz    := $(HOST_STD) -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS.hostbin := $(HOST_STD) -O2 -g $(WARN)
CFLAGS.pic     := $(HOST_STD) -O2 -g $(WARN) -fPIC
LDFLAGS.host    := $(HOST_SAN)
LDFLAGS.tsan    := -fsanitize=thread
LDFLAGS.fuzz    := -fsanitize=fuzzer,address,undefined
LDFLAGS.hostbin :=
LDFLAGS.pic     := -shared

# Asked of pkg-config once, when first used (cmocka may be installed by
# `make deps` after this file is read), then remembered.
CMOCKA_CFLAGS = $(eval CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null))$(CMOCKA_CFLAGS)
CMOCKA_LIBS   = $(eval CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka))$(CMOCKA_LIBS)

# What each kind of module builds, in which world, and where.
WORLD.kernel  := kernel
WORLD.program := user
WORLD.lib     := user
WORLD.tool    := host
WORLD.test    := host
WORLD.tsan    := tsan
WORLD.fuzz    := fuzz
WORLD.hostbin := hostbin
WORLD.solib   := pic
OUTPUT.tool    = $(BUILD)/host/$(1)
OUTPUT.test    = $(BUILD)/host/tests/$(1)
OUTPUT.tsan    = $(BUILD)/host/tests/$(1)
OUTPUT.fuzz    = $(BUILD)/host/fuzz/$(patsubst fuzz-%,%,$(1))
OUTPUT.hostbin = $(BUILD)/host/bench/$(1)
OUTPUT.solib   = $(BUILD)/host/$(1).so
HOST_KINDS := tool test tsan fuzz hostbin solib

# $(call stamp,FILE,TEXT) expands to FILE, which holds TEXT and is rewritten
# (so becomes newer) only when TEXT changes.  It makes visible to make what
# timestamps cannot show: a link whose list of inputs lost a file, or
# objects built with other flags.  Done with make's own $(file) (a shell
# per stamp made every make invocation a second slower); the brackets make
# an empty TEXT compare equal to an empty file, which must exist.  The file is read into a
# variable first: GNU make 4.3 compared $(file <...) inside $(call ...)
# arguments wrongly now and then, which rewrote stamps (and rebuilt all
# that hangs on them) on every run.
stamp_same = $(and $(findstring $(1),$(2)),$(findstring $(2),$(1)))
stamp = $(if $(wildcard $(dir $(1))),,$(shell mkdir -p $(dir $(1))))$(eval stamp_old := $(file <$(1)))$(if \
    $(and $(wildcard $(1)),$(call stamp_same,[$(strip $(2))],[$(stamp_old)])),,$(file >$(1),$(strip $(2))))$(1)

# --- reading the module.mk files ---------------------------------------------
# Sorted by path, so apps/ comes before tests/ and a module may name
# another's sources (see tests/system/apps/stress/module.mk).
MODULE_MKS   := $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk */*/*/*/module.mk))
MODULES      :=
INTERFACES   :=
MODULE_HOOKS :=
GEN          := $(BUILD)/gen
define read_module
d := $(patsubst %/module.mk,%,$(1))
modules_before := $$(MODULES)
include $(1)
$$(foreach m,$$(filter-out $$(modules_before),$$(MODULES)),$$(eval $$(m).dir ?= $$(d)))
endef
$(foreach mk,$(MODULE_MKS),$(eval $(call read_module,$(mk))))
# A module.mk that declares modules from what others declare (one test per
# free-region structure, say) names a template in MODULE_HOOKS, expanded
# once every module.mk is read.
$(foreach h,$(MODULE_HOOKS),$(eval $(call $(h))))

# Interfaces: each X.idl that a module.mk lists in INTERFACES is generated
# into $(GEN)/X/idl/ (included as <idl/X_client.h>) and makes two modules:
# idl-X-server (the types and the dispatch; sees only the ABI, so the
# kernel can use it) and idl-X-client (the stubs; they call libakuma's
# ak_ipc_call).
IDLC := $(BUILD)/host/idlc
define interface_rules
MODULES += idl-$(1)-server idl-$(1)-client
idl-$(1)-server.dir  := $(GEN)/$(1)
idl-$(1)-client.dir  := $(GEN)/$(1)
idl-$(1)-server.kind := lib
idl-$(1)-server.inc  := $(GEN)/$(1)
idl-$(1)-server.srcs := $(GEN)/$(1)/idl/$(1)_server.c
idl-$(1)-server.uses := abi
idl-$(1)-client.kind := lib
idl-$(1)-client.inc  := $(GEN)/$(1)
idl-$(1)-client.srcs := $(GEN)/$(1)/idl/$(1)_client.c
idl-$(1)-client.uses := abi libakuma
idl-$(1)-server.gen := $(foreach k,types client server,$(GEN)/$(1)/idl/$(1)_$(k).h)
idl-$(1)-client.gen := $$(idl-$(1)-server.gen)
GEN_HEADERS += $$(idl-$(1)-server.gen)
$(foreach k,types.h client.h client.c server.h server.c,$(GEN)/$(1)/idl/$(1)_$(k)) &: $(2) $(IDLC)
	$$(call msg,IDLC,$$<)
	@mkdir -p $(GEN)/$(1)/idl
	$(Q)$(IDLC) $$< -o $(GEN)/$(1)/idl
endef
IDL_STEMS := $(basename $(notdir $(INTERFACES)))
ifneq ($(words $(IDL_STEMS)),$(words $(sort $(IDL_STEMS))))
$(error two interfaces share a name: $(sort $(INTERFACES)))
endif
GEN_HEADERS :=
$(foreach i,$(INTERFACES),$(eval $(call interface_rules,$(basename $(notdir $(i))),$(i))))

ifneq ($(words $(MODULES)),$(words $(sort $(MODULES))))
$(error two modules share a name: $(shell printf '%s\n' $(MODULES) | sort | uniq -d))
endif
$(foreach m,$(MODULES),$(if $(filter $($(m).kind),lib program kernel $(HOST_KINDS)),,\
    $(error module $(m) ($($(m).dir)/module.mk): kind '$($(m).kind)' is not one of lib program kernel $(HOST_KINDS))))
$(foreach m,$(MODULES),$(foreach u,$($(m).uses) $($(m).sees),$(if $(filter $(u),$(MODULES)),,\
    $(error module $(m) ($($(m).dir)/module.mk) uses '$(u)', which no module.mk declares))))
$(foreach m,$(MODULES),$(if $(filter undefined,$(origin $(m).srcs)),$(eval $(m).srcs := $(wildcard $($(m).dir)/*.c $($(m).dir)/*.S))))

# $(call closure,MODULES[,EDGES]): those modules and every module they
# use, transitively, each once (cycles allowed), in the order first
# reached; EDGES "uses sees" follows what they see as well.
closure = $(call closure_walk,$(strip $(1)),,$(or $(2),uses))
closure_walk = $(if $(1),$(call closure_walk,$(filter-out $(2) $(firstword $(1)),$(wordlist 2,$(words $(1)),$(1)) \
    $(foreach e,$(3),$($(firstword $(1)).$(e)))),$(2) $(firstword $(1)),$(3)),$(strip $(2)))

# A module's flags: its include path (its own roots, then those of every
# module it uses or sees, and of everything those use or see in turn) and
# its own cflags; and
# the generated headers it may include, which its objects wait for.
$(foreach m,$(MODULES),$(eval $(m).incmods := $(call closure,$(m),uses sees)))
$(foreach m,$(MODULES),$(eval $(m).flags := $(addprefix -I,$(foreach x,$($(m).incmods),$($(x).inc))) $($(m).cflags)))
$(foreach m,$(MODULES),$(eval $(m).genh := $(sort $(foreach x,$($(m).incmods),$($(x).gen)))))

# Who owns each source: the module whose folder holds it (the innermost,
# when folders nest), else the first module to list it.  Its flags are the
# ones the source is compiled with, wherever it is linked.
$(foreach m,$(MODULES),$(foreach s,$(filter $($(m).dir)/%,$($(m).srcs) $($(m).startfiles)),$(if \
    $(or $(if $(OWNER.$(s)),,new),$(filter $($(OWNER.$(s)).dir)/%,$($(m).dir))),$(eval OWNER.$(s) := $(m)))))
$(foreach m,$(MODULES),$(foreach s,$($(m).srcs) $($(m).startfiles),$(if $(OWNER.$(s)),,$(eval OWNER.$(s) := $(m)))))

# $(call link_srcs,MODULE): the sources linked into MODULE's binary: its
# own, then those of everything it uses.
link_srcs = $(foreach x,$(call closure,$(1)),$($(x).srcs))

# $(call cc_cmd,WORLD,SRC[,BINARY]): the command that compiles SRC in WORLD
# (without -c and -o), for the rules, compile_commands.json and the probe.
cc_cmd = $(if $(filter kernel user,$(1)),$(CC),$(HOST_CC)) $(if $(filter %.S,$(2)),$(GUEST_ASFLAGS),$(CFLAGS.$(1))) \
    $($(OWNER.$(2)).flags) $(if $(3),$($(3).xflags) $(KIND_CFLAGS.$($(3).kind))) $($(2).xflags) \
    $(if $(filter kernel,$(1)),$(if $(filter $(2),$(KERNEL_LTO_SRCS)),-flto))
KIND_CFLAGS.test = $(CMOCKA_CFLAGS)
KIND_LIBS.test   = $(CMOCKA_LIBS)
KIND_CFLAGS.tsan = $(CMOCKA_CFLAGS)
KIND_LIBS.tsan   = $(CMOCKA_LIBS)

# $(call objs,WORLD,SRCS): the objects of SRCS in a shared world.
objs = $(patsubst %,$(BUILD)/$(1)/obj/%.o,$(2))

