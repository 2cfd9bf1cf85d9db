UNIT_SUITES += fmt
fmt_SRCS := tests/unit/fmt/test_fmt.c common/fmt.c
fmt_INC  := -Icommon/include
