# region-bump: the seed's bug, a pointer that only goes up: nothing freed
# is ever reused.  It makes the program `vmm-bump`: vmm-core with this
# structure.
MODULES            += region-bump vmm-bump
REGIONS            += bump
region-bump.kind   := lib
region-bump.uses   := vmm-region
vmm-bump.kind      := program
vmm-bump.srcs      :=
vmm-bump.uses      := vmm-core region-bump
vmm-bump.reuses_va := no
VMMS               += vmm-bump
