# test_elf: the ELF reader (common/bootfmt/elf.c).  Besides hand-built
# files, it parses a real executable that the guest toolchain links here,
# at a user address.
#
# testelf: a writer of test ELF files, for this suite and the boot-image
# and mkimage suites ("testelf.h").
MODULES        += testelf test_elf
testelf.kind   := lib
testelf.world  := host
testelf.inc    := $(d)
testelf.srcs   := $(d)/testelf.c
testelf.sees   := bootfmt
test_elf.kind  := test
test_elf.srcs  := $(d)/test_elf.c
test_elf.uses  := bootfmt testelf
ELF_SAMPLE     := $(BUILD)/host/tests/elf-sample.elf
test_elf.xflags := -DELF_SAMPLE_PATH=\"$(abspath $(ELF_SAMPLE))\"

$(ELF_SAMPLE): $(d)/sample.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@.o
	$(Q)$(LD) $(GUEST_LDFLAGS) --image-base=0x400000 -e _start -o $@ $@.o
$(BUILD)/host/tests/test_elf: | $(ELF_SAMPLE)
