# mkimage: the boot-image compiler (tools/mkimage/README.md), a host tool.
# It links the kernel's own parsers (bootimage.c, elf.c) to check its input
# and its output, and the shared formatter they print with.  Included by the
# top-level Makefile; $(BUILD)/kernel/include/akuma/abi is the ABI link the
# Makefile creates for the kernel.
MKIMAGE      := $(BUILD)/host/mkimage
MKIMAGE_SRCS := tools/mkimage/main.c tools/mkimage/manifest.c tools/mkimage/build.c \
    ukernel/core/bootimage.c ukernel/core/elf.c common/fmt.c
# -iquote: "string.h" and "elf.h" of the kernel must not hide the C library's <string.h>.
MKIMAGE_INC  := -iquote tools/mkimage -iquote ukernel/include -iquote common/include \
    -iquote $(BUILD)/kernel/include
MKIMAGE_OBJS := $(patsubst %,$(BUILD)/host/obj/tool-mkimage/%.o,$(MKIMAGE_SRCS))
HOST_TOOLS   += $(MKIMAGE)

$(BUILD)/host/obj/tool-mkimage/%.c.o: %.c | $(BUILD)/kernel/include/akuma/abi
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) $(MKIMAGE_INC) -c $< -o $@

$(MKIMAGE): $(MKIMAGE_OBJS)
	@mkdir -p $(@D)
	@echo "  HOSTLD  $@"
	@$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^
