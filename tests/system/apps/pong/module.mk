# pong: the server of tests/system/idl/pingpong.idl.
MODULES += pong
pong.kind := program
pong.uses := libc idl-pingpong-server
