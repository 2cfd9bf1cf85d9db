/*
 * Chunk mode as the malloc of real Linux programs: the LD_PRELOAD library
 * (libakuma_malloc.so, libakuma/malloc/linux/glue.c) replacing glibc's in
 * ls, python3 and preload_prog.c, which checks the POSIX edge, threads
 * with a fork among them, out of memory and a double free.  Each program
 * runs as a child; its output and wait status are checked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define OUTPUT_MAX (64u * 1024u)

static char output[OUTPUT_MAX];

/* Runs `env` + command with the library preloaded; returns the wait status, output in `output`. */
static int run(const char *env, const char *command)
{
    char line[1024];
    snprintf(line, sizeof line, "env %s LD_PRELOAD=%s %s 2>&1", env, PRELOAD_SO, command);
    FILE *f = popen(line, "r");
    assert_non_null(f);
    size_t n = 0, got;
    while ((got = fread(output + n, 1, OUTPUT_MAX - 1 - n, f)) > 0)
        n += got;
    output[n] = '\0';
    return pclose(f);
}

static void expect_exit_0(int status)
{
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("status %#x, output:\n%s", status, output);
}

static void test_ls(void **state)
{
    (void)state;
    expect_exit_0(run("", "sh -c 'ls -lR /usr/include >/dev/null'"));
    assert_string_equal(output, "");  /* ld.so says nothing: the library loaded */
}

static void test_python(void **state)
{
    (void)state;
    if (access("/usr/bin/python3", X_OK) != 0)
        skip();
    expect_exit_0(run("", "/usr/bin/python3 -c 'import json; d = {str(i): [i] * (i % 50) for i in range(100000)}; "
                          "print(len(json.dumps(d)) > 0)'"));
    assert_string_equal(output, "True\n");
}

static void test_prog_basics(void **state)
{
    (void)state;
    expect_exit_0(run("", PRELOAD_PROG " basics"));
    assert_string_equal(output, "preload ok\n");
}

static void test_prog_threads_and_fork(void **state)
{
    (void)state;
    expect_exit_0(run("", PRELOAD_PROG " threads"));
    assert_string_equal(output, "preload ok\n");
}

static void test_prog_out_of_memory(void **state)
{
    (void)state;
    expect_exit_0(run("AKUMA_MALLOC_VERBOSE=1", PRELOAD_PROG " oom"));
    assert_non_null(strstr(output, "OUT OF MEMORY!\n  Net memory: "));
    assert_non_null(strstr(output, "  Failed request: 536870912 bytes, alignment 16\n"));
    assert_non_null(strstr(output, "preload ok\n"));
}

static void test_prog_double_free(void **state)
{
    (void)state;
    int status = run("", PRELOAD_PROG " double-free");
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGABRT);  /* sh reports the abort */
    assert_non_null(strstr(output, "akuma malloc: free(0x"));
    assert_non_null(strstr(output, "double free"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ls),
        cmocka_unit_test(test_python),
        cmocka_unit_test(test_prog_basics),
        cmocka_unit_test(test_prog_threads_and_fork),
        cmocka_unit_test(test_prog_out_of_memory),
        cmocka_unit_test(test_prog_double_free),
    };
    return cmocka_run_group_tests_name("malloc LD_PRELOAD (chunk mode)", tests, NULL, NULL);
}
