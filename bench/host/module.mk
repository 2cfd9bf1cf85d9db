# Host benchmarks (bench/host/), built with -O2 and no sanitizers into
# build/host/bench/, run by make bench:
#   vmm_regions-NAME     one alloc+free at 10^3..10^6 holes, for each
#                        free-region structure of servers/vmm/region/
#   malloc_window        a sliding window of allocations,
#   malloc_churn         larson-like random replacement of mixed sizes,
#   malloc_threads       two threads freeing each other's blocks:
#                        each on the host's malloc (and LD_PRELOADed
#                        peers), and as NAME_akuma on chunk mode linked in
#                        with link-time optimisation, as guest programs
#                        are built (malloc_peers.sh runs them)
#   preload_programs.sh  real programs under libakuma_malloc.so
MALLOC_BENCHES := malloc_window malloc_churn malloc_threads
define malloc_bench_modules
MODULES += $(1) $(1)_akuma
$(1).kind         := hostbin
$(1).dir          := $(BENCH_HOST_DIR)
$(1).srcs         := $(BENCH_HOST_DIR)/$(1).c
$(1).libs         := -lpthread
$(1)_akuma.kind   := hostbin
$(1)_akuma.dir    := $(BENCH_HOST_DIR)
$(1)_akuma.srcs   := $(BENCH_HOST_DIR)/$(1).c
$(1)_akuma.uses   := malloc-chunk-alone malloc-linux
$(1)_akuma.xflags := -fno-builtin -flto
$(1)_akuma.libs   := -flto -lpthread
endef
BENCH_HOST_DIR := $(d)
$(foreach b,$(MALLOC_BENCHES),$(eval $(call malloc_bench_modules,$(b))))

# The list's free is O(n) (it searches every entry to refuse a double
# free), so building n holes costs O(n^2): VMM_REGION_MAX_HOLES.<structure> caps
# the hole counts a structure runs (10^6 list holes would take ~10 min).
VMM_REGION_MAX_HOLES.list := 100000
define vmm_regions_modules
MODULES += $(foreach r,$(REGIONS),vmm_regions-$(r))
$(foreach r,$(REGIONS),$(eval vmm_regions-$(r).kind := hostbin)$(eval vmm_regions-$(r).dir := $(BENCH_HOST_DIR))$(eval \
    vmm_regions-$(r).srcs := $(BENCH_HOST_DIR)/vmm_regions.c)$(eval \
    vmm_regions-$(r).uses := region-$(r)))
endef
MODULE_HOOKS += vmm_regions_modules
