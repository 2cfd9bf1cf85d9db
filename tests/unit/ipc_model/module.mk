# test_ipc_model: the IPC, scheduler and process-lifecycle model: the
# kernel's ipc.c, sched.c (compiled as the head of sched_host.c, which
# saves its private state: that one file's own flag), process.c, cap.c, object.c, notif.c
# and the ESR decoder on the host, with host stand-ins for what they call
# (kernel_host.c, and arch_inline_host.h, included before every file, for
# the TTBR0 and TPIDR_EL0 accessors).
MODULES             += test_ipc_model
test_ipc_model.kind := test
test_ipc_model.srcs := $(d)/test_ipc_model.c $(d)/world.c $(d)/check.c $(d)/kernel_host.c \
    $(d)/sched_host.c ukernel/core/ipc.c ukernel/core/process.c ukernel/core/cap.c ukernel/core/object.c ukernel/core/notif.c \
    ukernel/arch/aarch64/esr.c
test_ipc_model.uses := common
test_ipc_model.sees := ukernel
test_ipc_model.xflags := -include $(d)/arch_inline_host.h
$(d)/sched_host.c.xflags := -include ukernel/core/sched.c
