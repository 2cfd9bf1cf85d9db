# test_malloc_threads: chunk mode's heaps per thread, remote frees, ended
# threads and fork, over the Linux glue (real thread-local storage and
# pthread keys), built with ASan and UBSan like every host test, and again
# as test_malloc_threads_tsan with ThreadSanitizer (the tsan kind,
# mk/modules.mk).  Both link the allocator's core, not chunk/malloc.c.
MALLOC_THREADS_SRCS := $(d)/test_threads.c libakuma/malloc/report.c libakuma/malloc/chunk/heap.c \
    libakuma/malloc/chunk/small.c libakuma/malloc/chunk/tlsf.c libakuma/malloc/chunk/thread.c libakuma/malloc/chunk/depot.c \
    libakuma/malloc/linux/glue.c

MODULES                      += test_malloc_threads test_malloc_threads_tsan
test_malloc_threads.kind     := test
test_malloc_threads.srcs     := $(MALLOC_THREADS_SRCS)
test_malloc_threads.sees     := malloc-core
test_malloc_threads.xflags   := -fno-builtin
test_malloc_threads.libs     := -lpthread
test_malloc_threads_tsan.kind   := tsan
test_malloc_threads_tsan.srcs   := $(MALLOC_THREADS_SRCS)
test_malloc_threads_tsan.sees   := malloc-core
test_malloc_threads_tsan.xflags := -fno-builtin
test_malloc_threads_tsan.libs   := -lpthread
