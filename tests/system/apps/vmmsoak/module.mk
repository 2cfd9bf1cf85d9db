# vmmsoak: a random workload against a vmm, checked against a model.
MODULES += vmmsoak
vmmsoak.kind := program
vmmsoak.uses := libc idl-vmm-client
