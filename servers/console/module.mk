# console: the userspace driver of the serial port (DESIGN.md 10), serving
# idl/console.idl: whole lines out, typed input in, the kernel's log
# drained between lines.  main.c is the hardware and the loop, con.c the
# clients, input and readers (private header console.h).
MODULES       += console
console.kind  := program
console.uses  := libc idl-console-server idl-kernel-client idl-proc-client
