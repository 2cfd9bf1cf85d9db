# test_mkimage: mkimage's parser and image builder linked in, and the built
# tool run as a subprocess (so the suite needs it built first).
MODULES           += test_mkimage
test_mkimage.kind := test
test_mkimage.srcs := $(d)/test_mkimage.c tools/mkimage/manifest.c tools/mkimage/build.c
test_mkimage.uses := bootfmt testelf
test_mkimage.sees := mkimage
test_mkimage.xflags := -DMKIMAGE_PATH=\"$(abspath $(BUILD)/host/mkimage)\"
$(BUILD)/host/tests/test_mkimage: | $(BUILD)/host/mkimage
