# procroot: a root task that creates processes at run time (the proc-*,
# cap-*, physmem-split-* and poweroff-* images, and bench/proc).
MODULES += procroot
procroot.kind := program
procroot.uses := libc idl-kernel-client
