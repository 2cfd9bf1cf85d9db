# vmmwatch: init's proc.vmms and the vmms' totals (tests/system/init-vmms);
# with `hold N` it is the child it spawns on a vmm.
MODULES          += vmmwatch
vmmwatch.kind    := program
vmmwatch.uses    := libc idl-proc-client idl-vmm-client
