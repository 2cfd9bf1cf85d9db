# The boot-image parser (ukernel/core/bootimage.c), with the ELF reader it
# calls and the test ELF writer of the elf suite.
UNIT_SUITES += bootimage
bootimage_SRCS := tests/unit/bootimage/test_bootimage.c tests/unit/elf/testelf.c \
    ukernel/core/bootimage.c ukernel/core/elf.c common/fmt.c
# -iquote: the kernel's "elf.h" and "string.h" must not hide the C library's.
bootimage_INC  := -iquote tests/unit/elf -iquote ukernel/include -iquote common/include \
    -iquote $(BUILD)/kernel/include
