# The vmm (DESIGN.md 5): a userspace server that owns the free regions and
# the frames of every process it serves, answering idl/vmm.idl and, as
# their pager, their starts, faults and exits.
#
#   vmm-core     the server: the receive loop, the handlers, frames, the
#                window onto them, per-process records, page-table driving
#                (private headers vmm.h and handlers.h beside them)
#   vmm-region   the one interface of a free-region structure,
#                <vmm/region.h>, with <vmm/region_args.h> for its variants
#
# Each structure under region/ is a module whose module.mk also makes the
# vmm program of that structure, vmm-core linked with it: region/tree is
# `vmm`, region/list `vmm-list`, region/bump `vmm-bump`.  A program joins
# VMMS (the vmms `make run VMM=`, the per-vmm test images, the soak and
# the benchmarks choose from) by adding its name there; a vmm that is not
# built on vmm-core is a folder of its own that does the same.  A vmm that
# never gives an address back declares it (NAME.reuses_va := no): the
# images that need reuse leave it out, the one that shows the seed's
# exhaustion runs on it.
MODULES         += vmm-core vmm-region
vmm-core.kind   := lib
vmm-core.uses   := vmm-region libc libakuma abi idl-vmm-server idl-kernel-client
vmm-region.kind := lib
vmm-region.inc  := $(d)/include
vmm-region.srcs :=
vmm-region.uses := abi
