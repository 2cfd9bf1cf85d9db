# region-tree: the default free regions, an AVL tree of holes keyed by
# address whose every node knows the largest hole below it, so the lowest
# fit is found in O(log n).  It makes the program `vmm`: vmm-core with
# this structure.
MODULES          += region-tree vmm
REGIONS          += tree
region-tree.kind := lib
region-tree.uses := vmm-region
vmm.kind         := program
vmm.srcs         :=
vmm.uses         := vmm-core region-tree
VMMS             += vmm
