# init: the root task (DESIGN.md 10).  The one program the kernel starts;
# it reads the manifest in the boot archive, builds and starts every other
# process, judges how each ends and powers the machine off.
MODULES    += init
init.kind  := program
init.uses  := libc bootfmt idl-kernel-client idl-proc-server idl-vmm-client
