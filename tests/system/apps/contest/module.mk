# contest: a client of the console (idl/console.idl) for the console-*
# images: readers, writers of long lines, a reader to be killed, Ctrl-C,
# overflow of the input buffer, malformed requests.
MODULES        += contest
contest.kind   := program
contest.uses   := libc idl-console-client idl-proc-client idl-kernel-client
