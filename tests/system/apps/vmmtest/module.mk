# vmmtest: the vmm's contract as a program sees it, against every vmm.
MODULES += vmmtest
vmmtest.kind := program
vmmtest.uses := libc idl-vmm-client
