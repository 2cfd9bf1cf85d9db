# filereader: reads the init-file image's data files through init's
# proc.file and checks them (tests/system/init-file).
MODULES           += filereader
filereader.kind   := program
filereader.uses   := libc idl-proc-client
