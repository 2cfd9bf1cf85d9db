# ipcbench: system call and IPC path lengths (bench/ipc).
MODULES += ipcbench
ipcbench.kind := program
ipcbench.uses := libc idl-echo-client idl-echo-server
