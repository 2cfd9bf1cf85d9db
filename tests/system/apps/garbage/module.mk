# garbage: sends the kernel malformed system calls and invocations.
MODULES += garbage
garbage.kind := program
garbage.uses := libc idl-kernel-client
