# ukernel: the kernel (DESIGN.md 4).  core/ is portable; arch/$(ARCH)/ and
# plat/$(PLAT)/ are the processor and the board.  Its headers are included
# as <ukernel/NAME.h>, <ukernel/arch/NAME.h> and <ukernel/plat/NAME.h>;
# the only other headers it may see are the ABI, the shared freestanding
# code, the boot-format readers and the dispatch idlc generates from
# idl/kernel.idl, with which it decodes its own invocations.
ARCH := aarch64
PLAT := qemu-virt

MODULES      += ukernel
ukernel.kind := kernel
ukernel.inc  := $(d)/include $(d)/arch/$(ARCH)/include $(d)/plat/$(PLAT)/include
ukernel.srcs := $(wildcard $(d)/core/*.c $(d)/arch/$(ARCH)/*.c $(d)/arch/$(ARCH)/*.S $(d)/plat/$(PLAT)/*.c)
ukernel.uses := abi common common-string bootfmt idl-kernel-server
KERNEL_LDS   := $(d)/arch/$(ARCH)/kernel.ld

# The path of an address-space invocation (the generated dispatch, its
# handlers, vspace, the frame table, the page-table code and its glue) is
# built for link-time optimisation, so that ld.lld compiles it as one unit:
# the dispatch calls its handlers directly and they inline what they call,
# about 60 instructions fewer per invocation.  The rest of the kernel is
# not: the IPC fastpath (ipc.c) must stay leaf code, and inlining into it
# would make it longer.
KERNEL_LTO_SRCS := $(d)/core/invoke.c $(d)/core/vspace.c $(d)/core/frame.c \
    $(d)/arch/$(ARCH)/pt.c $(d)/arch/$(ARCH)/pt_glue.c $(GEN)/kernel/idl/kernel_server.c
