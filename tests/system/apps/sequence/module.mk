# sequence: the roles of the ipc-sched image (tests/system/idl/sequence.idl).
MODULES += sequence
sequence.kind := program
sequence.uses := libc idl-sequence-client idl-sequence-server
