# mempager: the pager and memory server of the mem-* images.
MODULES += mempager
mempager.kind := program
mempager.uses := libc idl-kernel-client idl-memtest-server
