# shell: the program a person talks to on the serial console (README
# "The shell"): runs programs of the boot archive through init's process
# manager, in the foreground or the background, lists them, kills them,
# runs scripts of the archive.  parse.c, edit.c and script.c make no
# system call: tests/unit/shell and tests/fuzz test them on the host.
MODULES     += shell
shell.kind  := program
shell.uses  := libc idl-proc-client idl-console-client idl-kernel-client
