# The ELF reader (ukernel/core/elf.c).  Besides hand-built files, it parses
# a real executable that the guest toolchain links here, at a user address.
UNIT_SUITES += elf
elf_SRCS := tests/unit/elf/test_elf.c tests/unit/elf/testelf.c ukernel/core/elf.c common/fmt.c
ELF_SAMPLE := $(BUILD)/host/tests/elf-sample.elf
# -iquote: the kernel's "elf.h" and "string.h" must not hide the C library's.
elf_INC  := -iquote tests/unit/elf -iquote ukernel/include -iquote common/include \
    -iquote $(BUILD)/kernel/include -DELF_SAMPLE_PATH='"$(abspath $(ELF_SAMPLE))"'

$(ELF_SAMPLE): tests/unit/elf/sample.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) -c $< -o $@.o
	@$(LD) $(GUEST_LDFLAGS) --image-base=0x400000 -e _start -o $@ $@.o

$(BUILD)/host/tests/test_elf: | $(ELF_SAMPLE)
