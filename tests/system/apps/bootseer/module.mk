# bootseer: prints the boot arguments its boot-info page carries
# (init-bootargs); with `spawn` it also spawns itself and waits for it.
MODULES         += bootseer
bootseer.kind   := program
bootseer.uses   := libc idl-proc-client
