# Host benchmarks (bench/host/): built for the host with -O2 and no
# sanitizers, run by `make bench-host`, which writes
# $(BUILD)/bench/vmm-regions.csv: rows of build/bench/results.csv
# (benchmark,variant,metric,value,unit; no header).
#
# vmm_regions (vmm/region.h) is built once per region variant, each binary
# linking exactly that variant's folder (its region structure and name).
# The list's free is O(n) (it searches every entry to refuse a double
# free), so building n holes costs O(n^2): VMM_REGION_MAX_HOLES_<variant>
# caps the hole counts a variant runs (10^6 list holes would take ~10 min).
BENCH_HOST_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 $(WARN)
# $(BUILD)/kernel/include holds akuma/abi alone (libakuma/include would
# hide the host's stdio.h); the Makefile's rule makes that link.  Spelled
# out here so that this file can be included before KERNEL_ABI_DIR is set.
BENCH_HOST_INC    := -Iservers/include -I$(BUILD)/kernel/include
BENCH_HOST_ABI    := $(BUILD)/kernel/include/akuma/abi
BENCH_HOST_OUT    := $(BUILD)/host/bench
VMM_REGIONS_CSV   := $(BUILD)/bench/vmm-regions.csv

# Every vmm folder: servers/vmm/ and servers/vmm-*/.
VMM_REGION_VARIANTS := $(notdir $(patsubst %/,%,$(wildcard servers/vmm/ servers/vmm-*/)))
VMM_REGION_MAX_HOLES_vmm-list := 100000

define vmm_regions_rules
$(BENCH_HOST_OUT)/vmm_regions-$(1): bench/host/vmm_regions.c $(wildcard servers/$(1)/*.c) \
        servers/include/vmm/region.h servers/include/vmm/region_args.h | $(BENCH_HOST_ABI)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	@$(HOST_CC) $(BENCH_HOST_CFLAGS) $(BENCH_HOST_INC) -o $$@ bench/host/vmm_regions.c \
	    $(wildcard servers/$(1)/*.c)
endef
$(foreach v,$(VMM_REGION_VARIANTS),$(eval $(call vmm_regions_rules,$(v))))
VMM_REGIONS_BINS := $(foreach v,$(VMM_REGION_VARIANTS),$(BENCH_HOST_OUT)/vmm_regions-$(v))

.PHONY: bench-host
bench-host: $(VMM_REGIONS_BINS)
	@mkdir -p $(dir $(VMM_REGIONS_CSV))
	@{ $(foreach v,$(VMM_REGION_VARIANTS),$(BENCH_HOST_OUT)/vmm_regions-$(v) $(VMM_REGION_MAX_HOLES_$(v)) &&) true; } \
	    >$(VMM_REGIONS_CSV).tmp
	@mv $(VMM_REGIONS_CSV).tmp $(VMM_REGIONS_CSV)
	@cat $(VMM_REGIONS_CSV)
