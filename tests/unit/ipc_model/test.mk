# The IPC, scheduler and process-lifecycle model: the kernel's ipc.c,
# sched.c (compiled inside sched_host.c, which saves its private state),
# process.c, cap.c and the ESR decoder on the host, with host stand-ins for what they call
# (kernel_host.c, and arch/inline.h first on the include path for the
# TTBR0 and TPIDR_EL0 accessors).  -iquote: the kernel's "sched.h" and
# "string.h" must not hide the C library's.
UNIT_SUITES += ipc_model
IPC_MODEL_DIR := tests/unit/ipc_model
ipc_model_SRCS := $(IPC_MODEL_DIR)/test_ipc_model.c $(IPC_MODEL_DIR)/world.c $(IPC_MODEL_DIR)/check.c \
    $(IPC_MODEL_DIR)/kernel_host.c $(IPC_MODEL_DIR)/sched_host.c \
    ukernel/core/ipc.c ukernel/core/process.c ukernel/core/cap.c ukernel/arch/aarch64/esr.c common/fmt.c
ipc_model_INC  := -iquote $(IPC_MODEL_DIR) -iquote ukernel/include -iquote ukernel/arch/aarch64/include \
    -iquote common/include -iquote $(BUILD)/kernel/include
