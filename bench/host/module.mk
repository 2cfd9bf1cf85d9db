# Host benchmarks (bench/host/), built with -O2 and no sanitizers into
# build/host/bench/, run by make bench:
#   vmm_regions-NAME     one alloc+free at 10^3..10^6 holes, for each
#                        free-region structure of servers/vmm/region/
#   malloc_window        a sliding window of allocations, on the host's
#   malloc_window_akuma  malloc (and LD_PRELOADed peers), and on chunk mode
#                        linked in (malloc_window.sh runs them)
MODULES                    += malloc_window malloc_window_akuma
malloc_window.kind         := hostbin
malloc_window.srcs         := $(d)/malloc_window.c
malloc_window_akuma.kind   := hostbin
malloc_window_akuma.srcs   := $(d)/malloc_window.c
malloc_window_akuma.uses   := malloc-chunk malloc-linux
malloc_window_akuma.xflags := -fno-builtin -flto
malloc_window_akuma.libs   := -flto -lpthread

# The list's free is O(n) (it searches every entry to refuse a double
# free), so building n holes costs O(n^2): VMM_REGION_MAX_HOLES.<structure> caps
# the hole counts a structure runs (10^6 list holes would take ~10 min).
VMM_REGION_MAX_HOLES.list := 100000
BENCH_HOST_DIR := $(d)
define vmm_regions_modules
MODULES += $(foreach r,$(REGIONS),vmm_regions-$(r))
$(foreach r,$(REGIONS),$(eval vmm_regions-$(r).kind := hostbin)$(eval vmm_regions-$(r).dir := $(BENCH_HOST_DIR))$(eval \
    vmm_regions-$(r).srcs := $(BENCH_HOST_DIR)/vmm_regions.c)$(eval \
    vmm_regions-$(r).uses := region-$(r)))
endef
MODULE_HOOKS += vmm_regions_modules
