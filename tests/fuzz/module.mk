# libFuzzer over everything that reads bytes it cannot trust: the ELF,
# boot-image and device-tree readers, mkimage's manifest parser, idlc,
# both allocator modes under any sequence of calls, and the shell's line
# parser, editor and script runner.  Each target is one
# binary built with ASan and UBSan, build/host/fuzz/NAME (tests/fuzz/
# fuzz_NAME.c says what it checks beyond "no crash").
#
#   make test    runs each over its seeds and 3,000 more inputs (smoke)
#   make fuzz    runs each for FUZZ_TIME seconds (default 60), keeping
#                what it finds in build/fuzz/corpus/NAME; FUZZ=NAME runs one
#
# Seeds are real inputs gathered from the build (build/fuzz/seeds/NAME).
MODULES += fuzz-elf fuzz-bootimage fuzz-fdt fuzz-manifest fuzz-idlc fuzz-malloc-page fuzz-malloc-chunk fuzz-shell

fuzz-elf.kind := fuzz
fuzz-elf.srcs := $(d)/fuzz_elf.c
fuzz-elf.uses := bootfmt

fuzz-bootimage.kind := fuzz
fuzz-bootimage.srcs := $(d)/fuzz_bootimage.c
fuzz-bootimage.uses := bootfmt

fuzz-fdt.kind := fuzz
fuzz-fdt.srcs := $(d)/fuzz_fdt.c ukernel/core/fdt.c
fuzz-fdt.sees := ukernel

fuzz-manifest.kind := fuzz
fuzz-manifest.srcs := $(d)/fuzz_manifest.c tools/mkimage/manifest.c
fuzz-manifest.uses := bootfmt
fuzz-manifest.sees := mkimage

fuzz-idlc.kind := fuzz
fuzz-idlc.srcs := $(d)/fuzz_idlc.c $(filter-out %/main.c,$(wildcard idl/idlc/*.c))
fuzz-idlc.sees := idlc

# The allocators run on the test glue, which reports through cmocka.
fuzz-malloc-page.kind   := fuzz
fuzz-malloc-page.srcs   := $(d)/fuzz_malloc.c
fuzz-malloc-page.uses   := malloc-ops-page
fuzz-malloc-page.xflags  = -fno-builtin $(CMOCKA_CFLAGS)
fuzz-malloc-page.libs    = $(CMOCKA_LIBS)
fuzz-malloc-chunk.kind   := fuzz
fuzz-malloc-chunk.srcs   := $(d)/fuzz_malloc.c
fuzz-malloc-chunk.uses   := malloc-ops-chunk
fuzz-malloc-chunk.xflags  = -fno-builtin $(CMOCKA_CFLAGS)
fuzz-malloc-chunk.libs    = $(CMOCKA_LIBS)

fuzz-shell.kind   := fuzz
fuzz-shell.srcs   := $(d)/fuzz_shell.c apps/shell/parse.c apps/shell/edit.c apps/shell/script.c
fuzz-shell.sees   := abi
fuzz-shell.cflags := -iquote apps/shell
