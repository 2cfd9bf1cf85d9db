# test_vspace: address spaces (ukernel/core/vspace.c) over the frame table
# and the page-table code, on the pt suite's host arena.
MODULES          += test_vspace
test_vspace.kind := test
test_vspace.srcs := $(d)/test_vspace.c $(d)/panic_host.c ukernel/core/vspace.c ukernel/core/frame.c \
    ukernel/arch/aarch64/pt.c
test_vspace.uses := pt-host
test_vspace.sees := ukernel
