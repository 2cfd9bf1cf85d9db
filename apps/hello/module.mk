# hello: the smallest program; prints its arguments.
MODULES += hello
hello.kind := program
hello.uses := libc
