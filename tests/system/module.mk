# System tests (images of the top-level Makefile, judged by run.sh): the
# in-kernel tests of every image, tests/system/IMAGE/kernel/*.c, each linked
# into its own image only.  They see what the kernel sees.
MODULES      += ktests
ktests.kind  := lib
ktests.world := kernel
ktests.srcs  := $(wildcard $(d)/*/kernel/*.c)
ktests.sees  := ukernel
