# bootfmt: the validating readers of the boot image (<bootfmt/bootimage.h>)
# and of the ELF files it carries (<bootfmt/elf.h>), one copy for the
# kernel, for mkimage (which checks its own output with them), the tests
# and the fuzzers.
MODULES      += bootfmt
bootfmt.kind := lib
bootfmt.inc  := $(d)/include
bootfmt.uses := abi common
