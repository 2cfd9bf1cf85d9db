# libFuzzer over everything that reads bytes it cannot trust: the kernel's
# ELF, boot-image and device-tree readers, mkimage's manifest parser,
# idlc, and both allocator modes under any sequence of calls.  Each target
# is one binary built with ASan and UBSan (tests/fuzz/fuzz_<name>.c says
# what it checks beyond "no crash").
#
#   make test    runs each over its seeds and 3,000 more inputs (smoke)
#   make fuzz    runs each for FUZZ_TIME seconds (default 60), keeping
#                what it finds in build/fuzz/corpus/<name>; FUZZ=<name>
#                runs one
#
# Seeds are real inputs gathered from the build (build/fuzz/seeds/<name>).
# Included by the Makefile after the unit tests (it uses their sources).

FUZZ_NAMES := elf bootimage fdt manifest idlc malloc-page malloc-chunk
FUZZ_BIN   := $(BUILD)/host/fuzz
FUZZ_SEEDS := $(BUILD)/fuzz/seeds
FUZZ_TIME  ?= 60
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -fno-omit-frame-pointer
# -iquote: the kernel's "elf.h" and "string.h" must not hide the C library's.
FUZZ_KINC := -iquote ukernel/include -iquote common/include -iquote $(BUILD)/kernel/include

fuzz_elf_SRCS       := tests/fuzz/fuzz_elf.c ukernel/core/elf.c common/fmt.c
fuzz_elf_INC        := $(FUZZ_KINC)
fuzz_bootimage_SRCS := tests/fuzz/fuzz_bootimage.c ukernel/core/bootimage.c ukernel/core/elf.c common/fmt.c
fuzz_bootimage_INC  := $(FUZZ_KINC)
fuzz_fdt_SRCS       := tests/fuzz/fuzz_fdt.c ukernel/core/fdt.c
fuzz_fdt_INC        := $(FUZZ_KINC)
fuzz_manifest_SRCS  := tests/fuzz/fuzz_manifest.c tools/mkimage/manifest.c ukernel/core/bootimage.c \
    ukernel/core/elf.c common/fmt.c
fuzz_manifest_INC   := -iquote tools/mkimage $(FUZZ_KINC)
fuzz_idlc_SRCS      := tests/fuzz/fuzz_idlc.c $(IDLC_LIB_SRCS)
fuzz_idlc_INC       := -Iidl/idlc
fuzz_malloc-page_SRCS  = tests/fuzz/fuzz_malloc.c $(MALLOC_TEST_DIR)/ops_page.c \
    $(MALLOC_TEST_DIR)/testglue.c $(MALLOC_PAGE_SRCS)
fuzz_malloc-chunk_SRCS = tests/fuzz/fuzz_malloc.c $(MALLOC_TEST_DIR)/ops_chunk.c \
    $(MALLOC_TEST_DIR)/testglue.c $(MALLOC_CHUNK_SRCS)
fuzz_malloc-page_INC   = $(MALLOC_TEST_INC) $(CMOCKA_CFLAGS)
fuzz_malloc-chunk_INC  = $(MALLOC_TEST_INC) $(CMOCKA_CFLAGS)
fuzz_malloc-page_LIBS  = $(CMOCKA_LIBS)
fuzz_malloc-chunk_LIBS = $(CMOCKA_LIBS)

# Every header a target may include: a change to any rebuilds them all.
FUZZ_HEADERS := $(wildcard ukernel/include/*.h common/include/*.h libakuma/include/akuma/*.h \
    libakuma/include/akuma/abi/*.h libakuma/malloc/*.h libakuma/malloc/*/*.h \
    libakuma/malloc/include/akuma/*.h idl/idlc/*.h tools/mkimage/*.h $(MALLOC_TEST_DIR)/*.h)

define fuzz_rules
$(FUZZ_BIN)/$(1): $$(fuzz_$(1)_SRCS) $(FUZZ_HEADERS) tests/fuzz/build.mk | $(KERNEL_ABI_DIR)/abi
	@mkdir -p $$(@D)
	@echo "  HOSTLD  $$@"
	@$(HOST_CC) $(FUZZ_CFLAGS) $$(fuzz_$(1)_INC) -o $$@ $$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_LIBS)
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call fuzz_rules,$(f))))
FUZZ_BINS := $(foreach f,$(FUZZ_NAMES),$(FUZZ_BIN)/$(f))

# The seeds: real inputs of each kind, gathered fresh from the build.
fuzz-seeds: $(PROGRAM_ELFS) system-images $(ELF_SAMPLE)
	@tools/fuzz.sh --seeds $(FUZZ_SEEDS) $(OUT) $(ELF_SAMPLE)

.PHONY: fuzz fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BINS)
	@:

FUZZ ?= $(FUZZ_NAMES)
ifneq ($(filter-out $(FUZZ_NAMES),$(FUZZ)),)
$(error FUZZ=$(FUZZ): the fuzz targets are $(FUZZ_NAMES))
endif
fuzz: deps
	@$(MAKE) fuzz-build fuzz-seeds
	@tools/fuzz.sh --run $(FUZZ_TIME) $(BUILD)/fuzz $(FUZZ_BIN) $(FUZZ)
