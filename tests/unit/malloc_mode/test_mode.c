/*
 * How a program's malloc mode is chosen (libakuma/malloc/mode.c):
 * MALLOC=page or MALLOC=chunk exactly wins over what the program was
 * linked with (its pin or the image's default); anything else, the empty
 * value, another case, a prefix or a suffix included, is ignored and
 * reported as bad, and the linked choice stands unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc/akm.h>

static const ak_malloc_mode_t pin_chunk = { AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_PIN };
static const ak_malloc_mode_t default_page = { AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_DEFAULT };

static void expect_mode(const char *value, ak_malloc_mode_t built, unsigned mode, unsigned from, bool bad)
{
    bool was_bad = !bad;
    ak_malloc_mode_t m = akm_mode_resolve(value, built, &was_bad);
    assert_int_equal(m.mode, mode);
    assert_int_equal(m.from, from);
    assert_int_equal(was_bad, bad);
}

static void test_unset_keeps_what_was_linked(void **state)
{
    (void)state;
    expect_mode(NULL, pin_chunk, AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_PIN, false);
    expect_mode(NULL, default_page, AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_DEFAULT, false);
}

static void test_environment_wins(void **state)
{
    (void)state;
    expect_mode("page", pin_chunk, AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_ENV, false);
    expect_mode("chunk", default_page, AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_ENV, false);
    expect_mode("chunk", pin_chunk, AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_ENV, false);
    expect_mode("page", default_page, AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_ENV, false);
}

static void test_bad_values_are_ignored(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "Page", "CHUNK", "pag", "pages", "chunk ", " chunk", "chun",
                                       "chunkpage", "page\n", "p", "c", "default", "=page" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_mode(bad[i], pin_chunk, AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_PIN, true);
        expect_mode(bad[i], default_page, AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_DEFAULT, true);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ak_malloc_mode_name(AK_PM_MALLOC_PAGE), "page");
    assert_string_equal(ak_malloc_mode_name(AK_PM_MALLOC_CHUNK), "chunk");
    assert_string_equal(ak_malloc_mode_name(AK_PM_MALLOC_DEFAULT), "?");
    assert_string_equal(ak_malloc_mode_name(255), "?");
    assert_string_equal(ak_malloc_from_name(AK_MALLOC_FROM_ENV), "environment");
    assert_string_equal(ak_malloc_from_name(AK_MALLOC_FROM_PIN), "pin");
    assert_string_equal(ak_malloc_from_name(AK_MALLOC_FROM_DEFAULT), "default");
    assert_string_equal(ak_malloc_from_name(0), "?");
    assert_string_equal(ak_malloc_from_name(4), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unset_keeps_what_was_linked),
        cmocka_unit_test(test_environment_wins),
        cmocka_unit_test(test_bad_values_are_ignored),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("test_malloc_mode", tests, NULL, NULL);
}
