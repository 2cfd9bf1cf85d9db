# allocstress: the seed's test of virtual-address exhaustion (DESIGN.md 2).
MODULES += allocstress
allocstress.kind := program
allocstress.uses := libc malloc
