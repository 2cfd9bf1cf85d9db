# test_bootimage: the boot-image reader (common/bootfmt/bootimage.c), with
# the ELF reader it calls and the elf suite's writer of test ELF files.
MODULES             += test_bootimage
test_bootimage.kind := test
test_bootimage.srcs := $(d)/test_bootimage.c
test_bootimage.uses := bootfmt testelf
