# crash: crashes on purpose, in the way its argument names.
MODULES += crash
crash.kind := program
crash.uses := libc
