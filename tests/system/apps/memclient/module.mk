# memclient: the roles of the mem-* images (authority, faults, isolation, lifecycle).
MODULES += memclient
memclient.kind := program
memclient.uses := libc idl-kernel-client idl-memtest-client idl-memtest-server
