# rawpeer: what IPC must not carry, with the raw primitive.
MODULES += rawpeer
rawpeer.kind := program
rawpeer.uses := libc
