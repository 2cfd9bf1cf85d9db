# vmmattack: attacks on a real vmm, against every vmm.
MODULES += vmmattack
vmmattack.kind := program
vmmattack.uses := libc libakuma idl-vmm-client
