# spawner: a client of init's process manager (idl/proc.idl), the spawn-*
# images; run with no mode it tests, with a mode it is the child it spawns.
MODULES        += spawner
spawner.kind   := program
spawner.uses   := libc idl-proc-client idl-kernel-client idl-vmm-client
