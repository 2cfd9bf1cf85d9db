# test_pt: the AArch64 page-table code (ukernel/arch/aarch64/pt.c) over a
# host memory arena.  pt-host: that arena (pt_glue_host.c, "pt_host.h"),
# which the vspace suite uses too.
MODULES      += pt-host test_pt
pt-host.kind  := lib
pt-host.world := host
pt-host.inc   := $(d)
pt-host.srcs  := $(d)/pt_glue_host.c
pt-host.sees  := ukernel
test_pt.kind := test
test_pt.srcs := $(d)/test_pt.c ukernel/arch/aarch64/pt.c
test_pt.uses := pt-host
test_pt.sees := ukernel
