# mkimage: the boot-image compiler (tools/mkimage/README.md), a host tool:
# the manifest's text to the boot image, checked with the same reader the
# kernel uses (bootfmt).
MODULES      += mkimage
mkimage.kind := tool
mkimage.inc  := $(d)/include
mkimage.uses := bootfmt abi common
