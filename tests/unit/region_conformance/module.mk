# The region conformance suite: one test source (test_region_conformance.c,
# with its harness) compiled against each free-region structure of
# servers/vmm/region/ (REGIONS), with that structure's own description and
# tests, variant_<name>.c: test_region_tree, test_region_list, ...  A new
# structure joins the suite by itself; its variant_<name>.c is required.
MODULES              += region-harness
region-harness.kind  := lib
region-harness.world := host
region-harness.inc   := $(d)
region-harness.srcs  := $(d)/harness.c $(d)/test_region_conformance.c
region-harness.uses  := vmm-region
REGION_TEST_DIR      := $(d)

define region_conformance_modules
$(foreach r,$(REGIONS),$(if $(wildcard $(REGION_TEST_DIR)/variant_$(r).c),,$(error \
    servers/vmm/region/$(r) has no conformance description: write $(REGION_TEST_DIR)/variant_$(r).c)))
MODULES += $(foreach r,$(REGIONS),test_region_$(r))
$(foreach r,$(REGIONS),$(eval test_region_$(r).kind := test)$(eval test_region_$(r).dir := $(REGION_TEST_DIR))$(eval \
    test_region_$(r).srcs := $(REGION_TEST_DIR)/variant_$(r).c)$(eval \
    test_region_$(r).uses := region-harness region-$(r)))
endef
MODULE_HOOKS += region_conformance_modules
