# mkimage (tools/mkimage): its parser and image builder linked in, and the
# built tool run as a subprocess (so the suite needs it built first).
UNIT_SUITES += mkimage
mkimage_SRCS := tests/unit/mkimage/test_mkimage.c tests/unit/elf/testelf.c \
    tools/mkimage/manifest.c tools/mkimage/build.c \
    ukernel/core/bootimage.c ukernel/core/elf.c common/fmt.c
# -iquote: the kernel's "elf.h" and "string.h" must not hide the C library's.
mkimage_INC  := -iquote tests/unit/elf -iquote tools/mkimage -iquote ukernel/include \
    -iquote common/include -iquote $(BUILD)/kernel/include \
    -DMKIMAGE_PATH='"$(abspath $(BUILD)/host/mkimage)"'

$(BUILD)/host/tests/test_mkimage: | $(BUILD)/host/mkimage
