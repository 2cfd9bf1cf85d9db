# region-list: the seed's fix as it was, an unsorted list of holes, first
# fit, no coalescing.  It makes the program `vmm-list`: vmm-core with this
# structure.
MODULES          += region-list vmm-list
REGIONS          += list
region-list.kind := lib
region-list.uses := vmm-region
vmm-list.kind    := program
vmm-list.srcs    :=
vmm-list.uses    := vmm-core region-list
VMMS             += vmm-list
