# The region conformance suite (tests/unit/region_conformance/): one test
# source compiled against each vmm's region variant (vmm/region.h), plus
# that variant's own tests (variant_<name>.c).
REGION_TEST_SRCS := tests/unit/region_conformance/test_region_conformance.c \
    tests/unit/region_conformance/harness.c
REGION_TEST_INC  := -Iservers/include -I$(BUILD)/kernel/include -Itests/unit/region_conformance

UNIT_SUITES += region_tree
region_tree_SRCS := $(REGION_TEST_SRCS) tests/unit/region_conformance/variant_tree.c \
    servers/vmm/region_tree.c servers/vmm/variant.c
region_tree_INC  := $(REGION_TEST_INC)

UNIT_SUITES += region_list
region_list_SRCS := $(REGION_TEST_SRCS) tests/unit/region_conformance/variant_list.c \
    servers/vmm-list/region_list.c servers/vmm-list/variant.c
region_list_INC  := $(REGION_TEST_INC)

UNIT_SUITES += region_bump
region_bump_SRCS := $(REGION_TEST_SRCS) tests/unit/region_conformance/variant_bump.c \
    servers/vmm-bump/region_bump.c servers/vmm-bump/variant.c
region_bump_INC  := $(REGION_TEST_INC)
