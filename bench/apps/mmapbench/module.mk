# mmapbench: one page from the vmm, touched and given back (bench/mmap).
MODULES += mmapbench
mmapbench.kind := program
mmapbench.uses := libc
