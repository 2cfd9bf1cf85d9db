/*
 * The shared formatter against the host C library's snprintf: every
 * conversion, flag, width and length modifier the kernel and libakuma use
 * must print byte for byte what C specifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <common/fmt.h>

/* Formats with both implementations and compares text and length. */
#define SAME(...)                                                          \
    do {                                                                   \
        char ours[256], libc[256];                                         \
        size_t n = fmt_snprintf(ours, sizeof ours, __VA_ARGS__);           \
        int m = snprintf(libc, sizeof libc, __VA_ARGS__);                  \
        assert_string_equal(ours, libc);                                   \
        assert_int_equal(n, (size_t)m);                                    \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    SAME("%d %d %d", 0, -1, 42);
    SAME("%d %d", INT32_MAX, INT32_MIN);
    SAME("%ld %ld", (long)INT64_MAX, (long)INT64_MIN);
    SAME("%lld %llu", -5ll, 18446744073709551615ull);
    SAME("%u %x %X %o", 4000000000u, 0xdeadbeefu, 0xabcdefu, 0755u);
    SAME("%hhd %hhu %hd %hu", (signed char)-100, (unsigned char)200, (short)-30000, (unsigned short)60000);
    SAME("%zu %zx %jd %td", (size_t)12345, (size_t)0xfff, (intmax_t)-7, (ptrdiff_t)-9);
    SAME("%lx %016lx", 0xffffff8040100000ul, 0x1234ul);
}

static void test_flags_and_width(void **state)
{
    (void)state;
    SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME("[%05d] [%+05d]", -42, 42);
    SAME("[%#x] [%#X] [%#o] [%#x] [%#o]", 255u, 255u, 8u, 0u, 0u);
    SAME("[%.3d] [%8.3d] [%-8.3d] [%08.3d]", 7, -7, 7, 7);
    SAME("[%.0d] [%.0x] [%5.0d]", 0, 0u, 0);
    SAME("[%*d] [%-*d] [%*d]", 6, 1, 6, 1, -6, 1);
    SAME("[%.*d]", 4, 3);
    SAME("[%#08x] [%#.4x]", 0x1fu, 0x1fu);
}

static void test_strings_and_chars(void **state)
{
    (void)state;
    SAME("[%s] [%10s] [%-10s] [%.2s] [%5.1s]", "abc", "abc", "abc", "abc", "abc");
    SAME("[%c] [%3c] [%-3c]", 'x', 'y', 'z');
    SAME("100%% [%%]");
    SAME("%s", "");
    SAME("[%p] [%20p]", (void *)0x1234, (void *)0xffffff8040100000ul);
    SAME("[%-20p]", (void *)0x10);
}

static void test_null_string(void **state)
{
    (void)state;
    char buf[32];
    fmt_snprintf(buf, sizeof buf, "%s", (const char *)NULL);
    assert_string_equal(buf, "(null)");
}

static void test_truncation(void **state)
{
    (void)state;
    char buf[8];
    size_t n = fmt_snprintf(buf, sizeof buf, "%s-%d", "abcdef", 12345);
    assert_int_equal(n, 12);
    assert_string_equal(buf, "abcdef-");
    n = fmt_snprintf(buf, 1, "xyz");
    assert_int_equal(n, 3);
    assert_string_equal(buf, "");
    n = fmt_snprintf(NULL, 0, "%d", 123456);
    assert_int_equal(n, 6);
}

/* Calls the formatter without the compiler's format checking, for inputs
 * that are wrong on purpose. */
static size_t (*const unchecked_snprintf)(char *, size_t, const char *, ...) = fmt_snprintf;

static void test_left_flag_beats_zero_flag(void **state)
{
    (void)state;
    char buf[32];
    unchecked_snprintf(buf, sizeof buf, "[%-05d]", -42);
    assert_string_equal(buf, "[-42  ]");
}

static void test_unknown_conversion_printed_verbatim(void **state)
{
    (void)state;
    char buf[64];
    /* An unknown conversion must not consume an argument. */
    unchecked_snprintf(buf, sizeof buf, "a%qb %d", 5);
    assert_string_equal(buf, "a%qb 5");
    unchecked_snprintf(buf, sizeof buf, "end%");
    assert_string_equal(buf, "end%");
}

/* A sink that records how it was called. */
typedef struct {
    char text[128];
    size_t len;
    int calls;
} record_t;

static void record_sink(void *ctx, const char *s, size_t n)
{
    record_t *r = ctx;
    assert_true(r->len + n < sizeof r->text);
    memcpy(r->text + r->len, s, n);
    r->len += n;
    r->calls++;
}

static size_t format_to(record_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vformat(record_sink, r, fmt, ap);
    va_end(ap);
    return n;
}

static void test_sink_gets_whole_literal_runs(void **state)
{
    (void)state;
    record_t r = { 0 };
    size_t n = format_to(&r, "hello %s!", "world");
    assert_int_equal(n, 12);
    assert_int_equal(r.len, 12);
    assert_memory_equal(r.text, "hello world!", 12);
    assert_int_equal(r.calls, 3); /* "hello ", "world", "!" */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_flags_and_width),
        cmocka_unit_test(test_strings_and_chars),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_left_flag_beats_zero_flag),
        cmocka_unit_test(test_unknown_conversion_printed_verbatim),
        cmocka_unit_test(test_sink_gets_whole_literal_runs),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
