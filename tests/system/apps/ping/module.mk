# ping: a client of tests/system/idl/pingpong.idl.
MODULES += ping
ping.kind := program
ping.uses := libc idl-pingpong-client
