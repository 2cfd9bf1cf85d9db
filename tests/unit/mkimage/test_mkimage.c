/*
 * mkimage: every kind of manifest error gives its FILE:LINE:COL message
 * (the parser linked in); a valid manifest round-trips through
 * mkimage_build and bootimage_parse to the declared programs, endpoints,
 * capabilities, arguments and expected outcomes; the built tool, run as a
 * subprocess, exits 0/1/2 as documented and never leaves a partial image.
 * ELF files are written by the test into a temporary BINDIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/syscall.h>
#include <bootfmt/bootimage.h>
#include <mkimage/mkimage.h>

#include "testelf.h"

#define PATH "t.manifest"
#define ERR_MAX 256
#define DIR_MAX 64
#define FILE_MAX 256
#define CMD_MAX 16
#define BIG_TEXT 32768
#define FUZZ_ROUNDS 20000
#define FUZZ_SEED 777u

static char bindir[DIR_MAX];

/* --- helpers ------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const void *data, size_t size)
{
    char path[FILE_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

static void write_elf(const char *name, const testelf_t *t)
{
    size_t size;
    uint8_t *buf = testelf_render(t, &size);
    write_file(bindir, name, buf, size);
    free(buf);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(bindir, sizeof bindir, "/tmp/mkimage-test-XXXXXX");
    if (!mkdtemp(bindir))
        return -1;
    testelf_t t;
    testelf_minimal(&t);
    write_elf("vmm.elf", &t);
    write_elf("pong.elf", &t);
    write_elf("ping.elf", &t);
    write_elf("init.elf", &t);
    t.ph[1].p_flags |= ELF_PF_X;
    write_elf("wx.elf", &t);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    static const char *files[] = { "vmm.elf", "pong.elf", "ping.elf", "wx.elf", "init.elf", "m.manifest",
                                   "out.bin", "out.d", "bad.manifest", "notes.txt", "big.txt", "empty.txt" };
    char path[FILE_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", bindir, files[i]);
        remove(path);
    }
    rmdir(bindir);
    return 0;
}

/* Parses text as PATH; returns the error count and the messages (caller frees). */
static unsigned parse_text(const char *text, mkimage_manifest_t *m, char **diag)
{
    size_t len;
    FILE *f = open_memstream(diag, &len);
    assert_non_null(f);
    unsigned errors = mkimage_manifest_parse(PATH, text, strlen(text), m, f);
    fclose(f);
    return errors;
}

static void refused_(const char *text, const char *want, const char *file, int line)
{
    static mkimage_manifest_t m;
    char *diag;
    unsigned errors = parse_text(text, &m, &diag);
    if (errors == 0)
        fail_msg("%s:%d: manifest accepted, want '%s'", file, line, want);
    if (!strstr(diag, want))
        fail_msg("%s:%d: messages\n%s do not contain '%s'", file, line, diag, want);
    free(diag);
}
#define refused(text, want) refused_(text, want, __FILE__, __LINE__)

static void accepted_(const char *text, mkimage_manifest_t *m, const char *file, int line)
{
    char *diag;
    unsigned errors = parse_text(text, m, &diag);
    if (errors)
        fail_msg("%s:%d: manifest refused:\n%s", file, line, diag);
    free(diag);
}
#define accepted(text, m) accepted_(text, m, __FILE__, __LINE__)

#define VMM_LINE "program vmm vmm priority 200 expect exit:0\n"
#define BASE VMM_LINE "endpoint ep\n"

/* --- syntax errors ----------------------------------------------------------- */

static void test_directive_and_lexical_errors(void **state)
{
    (void)state;
    refused("progrm x\n", PATH ":1:1: error: unknown directive 'progrm' (expected program, endpoint, cap or file)");
    refused(BASE "  \"x\"\n", PATH ":3:3: error: a line cannot start with a string");
    refused("program v\xc3\xa9 vmm\n", PATH ":1:10: error: unexpected character 0xc3");
    refused(VMM_LINE "program p p priority 1 expect exit:0 args \"abc\n",
            PATH ":2:43: error: unterminated string");
    refused("program p p priority 1 expect exit:0 args \"a\\nb\"\n",
            PATH ":1:45: error: unknown escape in string");
    refused("program p p priority 1 expect exit:0 args \"a\tb\"\n",
            PATH ":1:45: error: character 0x09 in string (only printable ASCII is allowed)");
    refused("endpoint ep\n", PATH ": error: no programs declared");
    refused("", PATH ": error: no programs declared");
    refused("# only a comment\n\n   \n", "no programs declared");
}

static void test_program_errors(void **state)
{
    (void)state;
    refused("program\n", PATH ":1:8: error: expected program name before the end of the line");
    refused("program vmm\n", PATH ":1:12: error: expected ELF name before the end of the line");
    refused("program v/m vmm priority 1 expect exit:0\n",
            PATH ":1:10: error: invalid program name 'v/m': use letters, digits, '_', '.' and '-'");
    refused("program vmm ../vmm priority 1 expect exit:0\n", PATH ":1:15: error: invalid ELF name '../vmm'");
    refused("program abcdefghijklmnop vmm priority 1 expect exit:0\n",
            PATH ":1:9: error: program name 'abcdefghijklmnop' is too long (at most 15 characters)");
    refused(VMM_LINE VMM_LINE, PATH ":2:9: error: program 'vmm' is already declared at line 1");
    refused("program vmm vmm priority 256 expect exit:0\n",
            PATH ":1:26: error: priority '256' is not a number from 0 to 255");
    refused("program vmm vmm priority -1 expect exit:0\n", PATH ":1:26: error: priority '-1' is not a number");
    refused("program vmm vmm priority 0x1g expect exit:0\n", PATH ":1:26: error: priority '0x1g'");
    refused("program vmm vmm priority\n", PATH ":1:25: error: expected priority before the end of the line");
    refused("program vmm vmm priority 1 priority 2 expect exit:0\n", PATH ":1:28: error: 'priority' given twice");
    refused("program vmm vmm prio 1\n",
            PATH ":1:17: error: unknown program option 'prio' (expected priority, pager, expect, args or env)");
    refused("program vmm vmm \"x\"\n", PATH ":1:17: error: unexpected string");
    refused("program vmm vmm expect exit:0\n",
            PATH ":1:9: error: program 'vmm' has no priority (add priority 0..255)");
    refused("program vmm vmm priority 1\n", PATH ":1:9: error: program 'vmm' has no expected outcome");
    refused("program vmm vmm priority 1 pager nope expect exit:0\n",
            PATH ":1:34: error: unknown endpoint 'nope'");
    refused("program vmm vmm priority 1 pager\n", PATH ":1:33: error: expected pager endpoint");
    refused("program vmm vmm priority 1 pager ep pager ep expect exit:0\nendpoint ep\n",
            PATH ":1:37: error: 'pager' given twice");
}

static uint8_t *build_and_parse(const mkimage_manifest_t *m, const char *config, bootimage_t *v);

static void test_expect_and_args_errors(void **state)
{
    (void)state;
    refused("program vmm vmm priority 1 expect dead\n",
            PATH ":1:35: error: expected outcome must be exit:<code>, killed or serve, not 'dead'");
    refused("program vmm vmm priority 1 expect exit:\n", PATH ":1:35: error: expected outcome must be");
    refused("program vmm vmm priority 1 expect exit:2147483648\n",
            PATH ":1:40: error: exit code '2147483648' is not an integer from -2147483648 to 2147483647");
    refused("program vmm vmm priority 1 expect exit:-2147483649\n", PATH ":1:40: error: exit code '-2147483649'");
    refused("program vmm vmm priority 1 expect exit:--1\n", PATH ":1:40: error: exit code '--1'");
    refused("program vmm vmm priority 1 expect exit:-\n", PATH ":1:40: error: exit code '-'");
    refused("program vmm vmm priority 1 expect killed expect exit:0\n", PATH ":1:42: error: 'expect' given twice");
    refused("program vmm vmm priority 1 expect exit:0 args hello\n",
            PATH ":1:47: error: args must be a quoted string");
    static char text[BIG_TEXT];
    int n = snprintf(text, sizeof text, "program vmm vmm priority 1 expect exit:0 args \"");
    memset(text + n, 'a', AK_ARGS_MAX);
    snprintf(text + n + AK_ARGS_MAX, sizeof text - (size_t)n - AK_ARGS_MAX, "\"\n");
    refused(text, PATH ":1:47: error: args are 256 bytes long, at most 255");
    text[n + AK_ARGS_MAX - 1] = '"';  /* 255 bytes: the longest allowed */
    text[n + AK_ARGS_MAX] = '\n';
    text[n + AK_ARGS_MAX + 1] = '\0';
    static mkimage_manifest_t m;
    accepted(text, &m);
    assert_int_equal(strlen(m.programs[0].args), AK_ARGS_MAX - 1);

    /* env: KEY=VALUE words for the program's environment. */
#define PROG "program vmm vmm priority 1 expect exit:0 "
    refused(PROG "env A=1\n", PATH ":1:46: error: env must be a quoted string");
    refused(PROG "env \"A=1\" env \"B=2\"\n", PATH ":1:52: error: 'env' given twice");
    refused(PROG "env \"NOEQUALS\"\n", PATH ":1:46: error: env word 'NOEQUALS' is not KEY=VALUE");
    refused(PROG "env \"A=1 =2\"\n", PATH ":1:46: error: env word at byte 4 has an empty KEY");
    refused(PROG "env \"A=\\\"x\\\"\"\n", PATH ":1:46: error: env cannot hold a quote");
    refused(PROG "colour red\n", PATH ":1:42: error: unknown program option 'colour' (expected priority, pager, expect, args or env)");
    accepted(PROG "env \"MALLOC=chunk  X=a=b\" args \"1\"\n", &m);
    assert_string_equal(m.programs[0].env, "MALLOC=chunk  X=a=b");
    assert_string_equal(m.programs[0].args, "1");
    static bootimage_t v;
    uint8_t *blob = build_and_parse(&m, "", &v);
    assert_string_equal(v.programs[0].env, "MALLOC=chunk  X=a=b");
    free(blob);
#undef PROG
}

static void test_endpoint_errors(void **state)
{
    (void)state;
    refused(BASE "endpoint ep\n", PATH ":3:10: error: endpoint 'ep' is already declared at line 2");
    refused(BASE "endpoint e2 extra\n", PATH ":3:13: error: unexpected text after the endpoint name");
    refused(BASE "endpoint none\n", PATH ":3:10: error: 'none' is reserved (it means 'no pager')");
    refused(BASE "endpoint\n", PATH ":3:9: error: expected endpoint name");
    refused(BASE "endpoint e:p\n", PATH ":3:11: error: invalid endpoint name 'e:p'");
}

/* The kinds that name no manifest object: process control, power, interrupts, a device by name. */
static void test_root_task_caps(void **state)
{
    (void)state;
    static mkimage_manifest_t m;
    accepted(BASE "cap vmm 1 procctl rights write\ncap vmm 2 power rights write\n"
                  "cap vmm 3 irqctl rights write\ncap vmm 4 device pl011 rights write\n", &m);
    assert_int_equal(m.ncaps, 4);
    assert_int_equal(m.caps[0].kind, AK_CAP_PROCCTL);
    assert_int_equal(m.caps[1].kind, AK_CAP_POWER);
    assert_int_equal(m.caps[2].kind, AK_CAP_IRQCTL);
    assert_int_equal(m.caps[3].kind, AK_CAP_DEVICE);
    assert_int_equal(m.caps[3].target, 0);
    assert_int_equal(m.caps[3].rights, AK_RIGHT_WRITE);
}

static void test_cap_errors(void **state)
{
    (void)state;
    refused(BASE "cap nobody 1 physmem rights write\n", PATH ":3:5: error: unknown program 'nobody'");
    refused(BASE "cap vmm 32 physmem rights write\n", PATH ":3:9: error: slot '32' is not a number from 0 to 31");
    refused(BASE "cap vmm x physmem rights write\n", PATH ":3:9: error: slot 'x' is not a number");
    refused(BASE "cap vmm 1 pipe ep rights send\n",
            PATH ":3:11: error: unknown capability kind 'pipe' (expected endpoint, aspace, physmem, procctl, power, device or irqctl)");
    refused(BASE "cap vmm 1\n", PATH ":3:10: error: expected a capability kind");
    refused(BASE "cap vmm 1 device uart rights write\n", PATH ":3:18: error: unknown device 'uart' (expected pl011)");
    refused(BASE "cap vmm 1 device pl011 rights send\n", "right 'send' does not apply to device capabilities");
    refused(BASE "cap vmm 1 irqctl rights recv\n", "right 'recv' does not apply to irqctl capabilities");
    refused(BASE "cap vmm 1 endpoint nope rights recv\n", PATH ":3:20: error: unknown endpoint 'nope'");
    refused(BASE "cap vmm 1 aspace nope rights write\n", PATH ":3:18: error: unknown program 'nope'");
    refused(BASE "cap vmm 1 aspace vmm badge 1 rights write\n",
            PATH ":3:22: error: only endpoint capabilities carry a badge");
    refused(BASE "cap vmm 1 endpoint ep badge 0x4000000000000000 rights send\n",
            PATH ":3:29: error: badge '0x4000000000000000' is not a number from 0 to 0x3fffffffffffffff");
    refused(BASE "cap vmm 1 endpoint ep badge 18446744073709551616 rights send\n",
            PATH ":3:29: error: badge '18446744073709551616'");
    refused(BASE "cap vmm 1 endpoint ep badge 12z rights send\n", PATH ":3:29: error: badge '12z'");
    refused(BASE "cap vmm 1 endpoint ep badge 1 badge 2 rights send\n", PATH ":3:31: error: 'badge' given twice");
    refused(BASE "cap vmm 1 endpoint ep\n", PATH ":3:5: error: capability has no rights");
    refused(BASE "cap vmm 1 endpoint ep rights send,read\n",
            PATH ":3:35: error: unknown right 'read' (expected send, recv or write)");
    refused(BASE "cap vmm 1 physmem rights send\n",
            PATH ":3:26: error: right 'send' does not apply to physmem capabilities (use write)");
    refused(BASE "cap vmm 1 endpoint ep rights write\n",
            PATH ":3:30: error: right 'write' does not apply to endpoint capabilities (use send, recv)");
    refused(BASE "cap vmm 1 endpoint ep rights send,send\n", PATH ":3:35: error: right 'send' listed twice");
    refused(BASE "cap vmm 1 endpoint ep rights send,\n", PATH ":3:35: error: empty entry in the rights list");
    refused(BASE "cap vmm 1 endpoint ep rights\n", PATH ":3:29: error: expected a rights list");
    refused(BASE "cap vmm 1 endpoint ep rights send rights recv\n", PATH ":3:35: error: 'rights' given twice");
    refused(BASE "cap vmm 1 endpoint ep rights send extra\n",
            PATH ":3:35: error: unexpected 'extra' (expected badge, size or rights)");
    refused(BASE "cap vmm 1 endpoint ep rights recv\ncap vmm 1 physmem rights write\n",
            PATH ":4:5: error: slot 1 of program 'vmm' is already filled at line 3");
    refused(BASE "cap vmm 31 physmem size 4M rights write\n",
            PATH ":3:5: error: slot 31 of program 'vmm' is the console's (AK_SLOT_CONSOLE): only an endpoint may fill it");
    refused(BASE "cap vmm 31 aspace vmm rights write\n",
            PATH ":3:5: error: slot 31 of program 'vmm' is the console's (AK_SLOT_CONSOLE): only an endpoint may fill it");
    refused(BASE "cap vmm 1 physmem rights write\ncap vmm 2 physmem size 4M rights write\n",
            PATH ":4:5: error: a second physmem capability for 'vmm' (line 3)");
    /* Shares of RAM: one per holder, sized, and one at most for the rest. */
    refused(BASE "program b pong priority 1 expect exit:0\ncap vmm 1 physmem rights write\ncap b 2 physmem rights write\n",
            PATH ":5:5: error: a second physmem capability without a size (the one at line 4 has the rest of RAM)");
    refused(BASE "cap vmm 1 endpoint ep size 4M rights send\n", PATH ":3:23: error: only physmem capabilities have a size");
    refused(BASE "cap vmm 1 physmem size 4M size 4M rights write\n", PATH ":3:27: error: 'size' given twice");
    static const char *const bad_sizes[] = { "0M", "4", "M", "4K", "4m", "-4M", "1025G", "1048577M", "99999999999999999999M" };
    for (size_t k = 0; k < sizeof bad_sizes / sizeof bad_sizes[0]; k++) {
        char text[256], want[256];
        snprintf(text, sizeof text, BASE "cap vmm 1 physmem size %s rights write\n", bad_sizes[k]);
        snprintf(want, sizeof want, PATH ":3:24: error: size '%s' is not <n>M or <n>G from 1M to 1024G", bad_sizes[k]);
        refused(text, want);
    }
    static mkimage_manifest_t m;
    accepted(BASE "program b pong priority 1 expect exit:0\nprogram c pong priority 1 expect exit:0\n"
             "cap vmm 1 physmem size 64M rights write\ncap b 1 physmem size 2G rights write\n"
             "cap c 1 physmem rights write\n", &m);
    assert_int_equal(m.caps[0].target, 64);
    assert_int_equal(m.caps[1].target, 2048);
    assert_int_equal(m.caps[2].target, BI_PHYSMEM_REST);
    accepted(BASE "cap vmm 1 physmem size 1024G rights write\n", &m);
    assert_int_equal(m.caps[0].target, BI_PHYSMEM_MAX_MIB);
}

static void test_limits(void **state)
{
    (void)state;
    static char text[BIG_TEXT];
    size_t n = 0;
    for (unsigned i = 0; i <= BI_MAX_PROGRAMS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "program p%u vmm priority 1 expect exit:0\n", i);
    refused(text, PATH ":17:9: error: too many programs (at most 16)");

    n = (size_t)snprintf(text, sizeof text, VMM_LINE);
    for (unsigned i = 0; i <= BI_MAX_ENDPOINTS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "endpoint e%u\n", i);
    refused(text, PATH ":34:10: error: too many endpoints (at most 32)");

    n = 0;
    for (unsigned i = 0; i < 5; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "program p%u vmm priority 1 expect exit:0\n", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "endpoint ep\n");
    for (unsigned i = 0; i <= BI_MAX_CAPS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "cap p%u %u endpoint ep rights send\n",
                              i / AK_BOOT_CAP_SLOTS, i % AK_BOOT_CAP_SLOTS);
    refused(text, PATH ":135:5: error: too many capabilities (at most 128)");
}

static void test_every_error_reported_then_gives_up(void **state)
{
    (void)state;
    static mkimage_manifest_t m;
    char *diag;
    unsigned errors = parse_text(VMM_LINE "bogus\nprogram x\ncap vmm 99\nendpoint ep ep\n", &m, &diag);
    assert_int_equal(errors, 4);
    assert_non_null(strstr(diag, PATH ":2:1: error: unknown directive 'bogus'"));
    assert_non_null(strstr(diag, PATH ":3:10: error: expected ELF name"));
    assert_non_null(strstr(diag, PATH ":4:9: error: slot '99'"));
    assert_non_null(strstr(diag, PATH ":5:13: error: unexpected text"));
    free(diag);

    /* A broken program line still declares the program: no echo on the cap line. */
    errors = parse_text("program vmm vmm priority 999 expect exit:0\ncap vmm 1 physmem rights write\n",
                        &m, &diag);
    assert_int_equal(errors, 1);
    free(diag);

    static char text[BIG_TEXT];
    size_t n = 0;
    for (unsigned i = 0; i < MKIMAGE_MAX_ERRORS + 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "junk%u\n", i);
    errors = parse_text(text, &m, &diag);
    assert_true(errors > MKIMAGE_MAX_ERRORS);
    assert_non_null(strstr(diag, PATH ": error: too many errors, giving up"));
    unsigned lines = 0;
    for (const char *p = diag; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    assert_int_equal(lines, MKIMAGE_MAX_ERRORS + 1);
    free(diag);
}

/* --- valid manifests ----------------------------------------------------------- */

static const char example[] =
    "# The example of README.md, with forward references.\r\n"
    "program vmm   vmm  priority 200 expect serve\r\n"
    "program pong  pong priority 0x64 pager pager_ep expect exit:7 args \"hello world\"\n"
    "program ping  ping priority 100 pager pager_ep expect killed   # a comment\n"
    "program ping2 ping priority 0 pager none expect exit:-1 args \"say \\\"hi\\\" \\\\ bye\"\n"
    "\n"
    "endpoint vmm_ep\n"
    "endpoint pager_ep\n"
    "\tcap vmm 1 endpoint vmm_ep rights recv\n"
    "cap vmm 2 endpoint pager_ep rights recv\n"
    "cap ping 1 endpoint vmm_ep badge 2 rights send\n"
    "cap pong 1 endpoint vmm_ep rights send badge 0x3fffffffffffffff\n"
    "cap vmm 3 aspace ping rights write\n"
    "cap vmm 4 physmem rights write\n"
    "cap ping2 31 endpoint pager_ep badge 9 rights send,recv\n";

static void test_example_parses(void **state)
{
    (void)state;
    static mkimage_manifest_t m;
    accepted(example, &m);
    assert_int_equal(m.nprograms, 4);
    assert_int_equal(m.nendpoints, 2);
    assert_int_equal(m.ncaps, 7);
    assert_string_equal(m.programs[1].name, "pong");
    assert_string_equal(m.programs[1].elf, "pong");
    assert_int_equal(m.programs[1].priority, 100);
    assert_int_equal(m.programs[1].pager, 1);
    assert_int_equal(m.programs[1].expect, BI_EXPECT_EXIT);
    assert_int_equal(m.programs[1].expect_code, 7);
    assert_string_equal(m.programs[1].args, "hello world");
    assert_int_equal(m.programs[2].expect, BI_EXPECT_KILLED);
    assert_string_equal(m.programs[3].elf, "ping");
    assert_int_equal(m.programs[3].pager, -1);
    assert_int_equal(m.programs[3].expect_code, -1);
    assert_string_equal(m.programs[3].args, "say \"hi\" \\ bye");
    assert_int_equal(m.programs[0].pager, -1);
    assert_int_equal(m.programs[0].expect, BI_EXPECT_SERVE);
    assert_int_equal(m.programs[0].expect_code, 0);
    assert_int_equal(m.programs[0].pos.line, 2);
    assert_int_equal(m.programs[0].pos.col, 9);
    assert_int_equal(m.caps[0].pos.line, 9);
    assert_int_equal(m.caps[0].pos.col, 6);
    assert_int_equal(m.caps[2].holder, 2);
    assert_int_equal(m.caps[2].badge, 2);
    assert_int_equal(m.caps[3].badge, AK_BADGE_MAX);
    assert_int_equal(m.caps[4].kind, AK_CAP_ASPACE);
    assert_int_equal(m.caps[4].target, 2);
    assert_int_equal(m.caps[5].kind, AK_CAP_PHYSMEM);
    assert_int_equal(m.caps[6].rights, AK_RIGHT_SEND | AK_RIGHT_RECV);
    assert_int_equal(m.caps[6].slot, 31);

    accepted("program a b priority 255 expect exit:-2147483648\n", &m);
    assert_int_equal(m.programs[0].expect_code, INT32_MIN);
    accepted("program a b priority 0 expect exit:2147483647 pager none", &m);  /* no final newline */
    assert_int_equal(m.programs[0].expect_code, INT32_MAX);
}

/* Builds m's image with config and reads it back as init would; the blob is the caller's to free. */
static uint8_t *build_and_parse(const mkimage_manifest_t *m, const char *config, bootimage_t *v)
{
    uint8_t *blob;
    size_t size;
    char *diag;
    size_t dlen;
    FILE *f = open_memstream(&diag, &dlen);
    int rc = mkimage_build(m, PATH, bindir, config, f, &blob, &size);
    fclose(f);
    if (rc)
        fail_msg("build failed:\n%s", diag);
    free(diag);
    char err[ERR_MAX] = "";
    if (bootimage_parse(blob, size, v, err, sizeof err))
        fail_msg("bootimage_parse refused mkimage's output: %s", err);
    return blob;
}

static void test_round_trip(void **state)
{
    (void)state;
    static mkimage_manifest_t m;
    accepted(example, &m);
    static bootimage_t v;
    uint8_t *blob = build_and_parse(&m, "image test, config kernel", &v);
    assert_string_equal(v.config, "image test, config kernel");
    assert_int_equal(v.nprograms, m.nprograms);
    assert_int_equal(v.nendpoints, m.nendpoints);
    assert_int_equal(v.ncaps, m.ncaps);
    for (uint32_t i = 0; i < m.nprograms; i++) {
        const bootimage_program_t *p = &v.programs[i];
        assert_string_equal(p->name, m.programs[i].name);
        assert_string_equal(p->args, m.programs[i].args);
        assert_int_equal(p->priority, m.programs[i].priority);
        assert_int_equal(p->pager, m.programs[i].pager);
        assert_int_equal(p->expect.kind, m.programs[i].expect);
        assert_int_equal(p->expect.code, m.programs[i].expect_code);
        assert_int_equal(p->elf_size, TESTELF_SIZE);
        assert_int_equal(p->image.entry, TESTELF_BASE + 0x100);
        assert_int_equal((uintptr_t)p->elf % BI_ALIGN, (uintptr_t)blob % BI_ALIGN);
    }
    assert_ptr_equal(v.programs[2].elf, v.programs[3].elf);  /* ping and ping2 share the ELF */
    assert_ptr_not_equal(v.programs[1].elf, v.programs[2].elf);
    for (uint32_t i = 0; i < m.ncaps; i++) {
        assert_int_equal(v.caps[i].holder, m.caps[i].holder);
        assert_int_equal(v.caps[i].slot, m.caps[i].slot);
        assert_int_equal(v.caps[i].kind, m.caps[i].kind);
        assert_int_equal(v.caps[i].target, m.caps[i].target);
        assert_int_equal(v.caps[i].badge, m.caps[i].badge);
        assert_int_equal(v.caps[i].rights, m.caps[i].rights);
    }
    free(blob);
}

/* The archive's file table: every program's ELF once, then the `file`s; an endpoint to init. */
static void test_files_and_init_endpoint(void **state)
{
    (void)state;
    refused("file pong\nfile pong\n", PATH ":2:6: error: file 'pong' is already declared at line 1");
    refused("file\n", PATH ":1:5: error: expected file name before the end of the line");
    refused("endpoint init\n", PATH ":1:10: error: 'init' is reserved (it names init's process manager)");
    refused(VMM_LINE "cap vmm 1 endpoint init rights send,recv\n",
            PATH ":2:5: error: an endpoint to init is send only, without a badge (init badges it)");
    refused(VMM_LINE "cap vmm 1 endpoint init badge 3 rights send\n",
            PATH ":2:5: error: an endpoint to init is send only, without a badge (init badges it)");
    refused(VMM_LINE "program a pong priority 1 expect exit:0\nendpoint e\n"
            "cap vmm 1 endpoint e rights recv\ncap vmm 2 physmem rights write\ncap a 1 endpoint e rights send\n",
            PATH ":6:5: error: a send right to endpoint 'e', which the vmm 'vmm' receives on, needs a badge "
            "(badge 0 is init's)");

    static mkimage_manifest_t m;
    accepted("program a pong priority 1 expect exit:0\n"
             "program b pong priority 1 expect exit:0\n"
             "program c ping priority 1 expect exit:0\n"
             "file vmm\nfile ping\n"
             "cap a 1 endpoint init rights send\n", &m);
    static bootimage_t v;
    uint8_t *blob = build_and_parse(&m, "", &v);
    assert_int_equal(v.nfiles, 3);   /* pong, ping (a program's, not twice), vmm */
    assert_string_equal(v.files[0].name, "pong");
    assert_string_equal(v.files[1].name, "ping");
    assert_string_equal(v.files[2].name, "vmm");
    assert_ptr_equal(v.files[0].elf, v.programs[0].elf);   /* one copy, shared */
    assert_ptr_equal(v.files[1].elf, v.programs[2].elf);
    for (uint32_t k = 0; k < v.nfiles; k++)
        assert_int_equal(v.files[k].elf_size, TESTELF_SIZE);
    assert_int_equal(v.caps[0].target, BI_ENDPOINT_INIT);
    assert_int_equal(v.caps[0].rights, AK_RIGHT_SEND);
    free(blob);
}

static void build_refused(const char *text, const char *config, const char *want);

/* `file NAME PATH`: a data file, never a program's name or ELF, its path 1 to 255 bytes. */
static void test_data_files(void **state)
{
    (void)state;
    refused("file s a b\n", PATH ":1:10: error: unexpected text after the data file's path");
    refused("file s \"a\" \"b\"\n", PATH ":1:12: error: unexpected text after the data file's path");
    refused("file s \"\"\n", PATH ":1:8: error: a data file's path is 1 to 255 bytes");
    char long_path[400];
    snprintf(long_path, sizeof long_path, "file s \"%0300d\"\n", 0);
    refused(long_path, PATH ":1:8: error: a data file's path is 1 to 255 bytes");
    refused("file pong\nfile pong x.txt\n", PATH ":2:6: error: file 'pong' is already declared at line 1");
    refused("file s x.txt\nfile s y.txt\n", PATH ":2:6: error: file 's' is already declared at line 1");
    refused("program a pong priority 1 expect exit:0\nfile a x.txt\n",
            PATH ":2:6: error: 'a' names both a data file and the name of program 'a' (line 1)");
    refused("program a pong priority 1 expect exit:0\nfile pong x.txt\n",
            PATH ":2:6: error: 'pong' names both a data file and the ELF of program 'a' (line 1)");
    /* A program line naming a data file's name as its ELF is refused the same way. */
    refused("file ping x.txt\nprogram a ping priority 1 expect exit:0\n",
            PATH ":1:6: error: 'ping' names both a data file and the ELF of program 'a' (line 2)");

    /* Built: the bytes as they were, the kind said, beside an ELF file; the largest size allowed. */
    static uint8_t big[BI_DATA_MAX + 1];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13u + 1u);
    write_file(bindir, "notes.txt", "hello, data\n", 12);
    write_file(bindir, "big.txt", big, BI_DATA_MAX);
    write_file(bindir, "empty.txt", "", 0);
    char text[1024];
    snprintf(text, sizeof text,
             "program a pong priority 1 expect exit:0\n"
             "file notes %s/notes.txt\nfile vmm\nfile big \"%s/big.txt\"\nfile empty %s/empty.txt\n",
             bindir, bindir, bindir);
    static mkimage_manifest_t m;
    accepted(text, &m);
    assert_int_equal(m.files[0].kind, BI_FILE_DATA);
    assert_int_equal(m.files[1].kind, BI_FILE_ELF);
    static bootimage_t v;
    uint8_t *blob = build_and_parse(&m, "", &v);
    assert_int_equal(v.nfiles, 5);   /* pong, then notes, vmm, big, empty */
    assert_string_equal(v.files[1].name, "notes");
    assert_int_equal(v.files[0].kind, BI_FILE_ELF);
    assert_int_equal(v.files[1].kind, BI_FILE_DATA);
    assert_int_equal(v.files[2].kind, BI_FILE_ELF);
    assert_int_equal(v.files[1].elf_size, 12);
    assert_memory_equal(v.files[1].elf, "hello, data\n", 12);
    assert_int_equal(v.files[3].kind, BI_FILE_DATA);
    assert_int_equal(v.files[3].elf_size, BI_DATA_MAX);
    assert_memory_equal(v.files[3].elf, big, BI_DATA_MAX);
    assert_int_equal(v.files[4].elf_size, 0);
    free(blob);

    /* Too big by one byte, or missing: refused at the path. */
    write_file(bindir, "big.txt", big, BI_DATA_MAX + 1u);
    char want[FILE_MAX * 2];
    snprintf(text, sizeof text, "program a pong priority 1 expect exit:0\nfile big %s/big.txt\n", bindir);
    snprintf(want, sizeof want, PATH ":2:10: error: data file 'big' ('%s/big.txt') has 65537 bytes, more than 65536",
             bindir);
    build_refused(text, "", want);
    snprintf(text, sizeof text, "program a pong priority 1 expect exit:0\nfile gone %s/gone.txt\n", bindir);
    snprintf(want, sizeof want, PATH ":2:11: error: cannot read '%s/gone.txt': No such file or directory", bindir);
    build_refused(text, "", want);
}

static void build_refused(const char *text, const char *config, const char *want)
{
    static mkimage_manifest_t m;
    accepted(text, &m);
    uint8_t *blob = NULL;
    size_t size;
    char *diag;
    size_t dlen;
    FILE *f = open_memstream(&diag, &dlen);
    int rc = mkimage_build(&m, PATH, bindir, config, f, &blob, &size);
    fclose(f);
    assert_int_equal(rc, -1);
    assert_null(blob);
    if (!strstr(diag, want))
        fail_msg("messages\n%s do not contain '%s'", diag, want);
    free(diag);
}

static void test_build_errors(void **state)
{
    (void)state;
    char want[FILE_MAX];
    snprintf(want, sizeof want, PATH ":2:13: error: cannot read '%s/nope.elf': No such file or directory",
             bindir);
    build_refused(VMM_LINE "program a   nope priority 1 expect exit:0\n", "", want);
    snprintf(want, sizeof want, PATH ":1:11: error: '%s/wx.elf': segment 1: both writable and executable",
             bindir);
    build_refused("program a wx priority 1 expect exit:0\n", "", want);
    build_refused(VMM_LINE, "tab\there", PATH ": error: the config string must be printable ASCII, at most 127 bytes");
    char config[BI_CONFIG_MAX + 1];
    memset(config, 'c', BI_CONFIG_MAX);
    config[BI_CONFIG_MAX] = '\0';
    build_refused(VMM_LINE, config, "the config string must be printable ASCII");
}

/* Random mutations of the example never crash the parser (ASan watches). */
static void test_parser_fuzz(void **state)
{
    (void)state;
    static const char alphabet[] = " \t\n\"\\#,:-0x9azZ_.\x7f\x80\xff";
    static mkimage_manifest_t m;
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    size_t len = sizeof example - 1;
    char *text = malloc(len);
    assert_non_null(text);
    srand(FUZZ_SEED);
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        memcpy(text, example, len);
        int edits = 1 + rand() % 8;
        for (int e = 0; e < edits; e++)
            text[(size_t)rand() % len] = alphabet[(size_t)rand() % (sizeof alphabet - 1)];
        size_t cut = round % 4 == 0 ? (size_t)rand() % len : len;
        unsigned errors = mkimage_manifest_parse(PATH, text, cut, &m, null);
        if (errors == 0) {
            assert_true(m.nprograms >= 1 && m.nprograms <= BI_MAX_PROGRAMS);
            for (uint32_t i = 0; i < m.ncaps; i++)
                assert_true(m.caps[i].holder < m.nprograms && m.caps[i].slot < AK_BOOT_CAP_SLOTS);
        }
    }
    free(text);
    fclose(null);
}

/* --- the tool as a subprocess --------------------------------------------------- */

/* Runs mkimage with argv (argv[0] ignored); returns its exit status and stderr. */
static int run_tool(const char *const *argv, char **err)
{
    char errpath[FILE_MAX];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", bindir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *e = freopen(errpath, "w", stderr);
        if (!e)
            _exit(127);
        char *args[CMD_MAX];
        size_t i = 0;
        args[i++] = (char *)MKIMAGE_PATH;
        for (size_t k = 1; argv[k] && i < CMD_MAX - 1; k++)
            args[i++] = (char *)argv[k];
        args[i] = NULL;
        execv(MKIMAGE_PATH, args);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    size_t len;
    uint8_t *text;
    assert_int_equal(mkimage_read_file(errpath, &text, &len), 0);
    *err = (char *)text;
    remove(errpath);
    return WEXITSTATUS(status);
}

static void path_in(char *out, const char *name)
{
    snprintf(out, FILE_MAX, "%s/%s", bindir, name);
}

static void test_tool_success_and_depfile(void **state)
{
    (void)state;
    char manifest[FILE_MAX], out[FILE_MAX], dep[FILE_MAX];
    path_in(manifest, "m.manifest");
    path_in(out, "out.bin");
    path_in(dep, "out.d");
    static char text[sizeof example + 64];
    snprintf(text, sizeof text, "%sfile notes notes.txt\n", example);
    write_file(bindir, "m.manifest", text, strlen(text));
    write_file(bindir, "notes.txt", "relative\n", 9);
    const char *argv[] = { "mkimage", manifest, "-o", out, "-B", bindir, "--config",
                           "image x, config y", "--depfile", dep, NULL };
    char *err;
    int st = run_tool(argv, &err);
    if (st != 0)
        fail_msg("exit %d: %s", st, err);
    assert_string_equal(err, "");
    free(err);

    uint8_t *blob;
    size_t size;
    assert_int_equal(mkimage_read_file(out, &blob, &size), 0);
    static bootimage_t v;
    char why[ERR_MAX] = "";
    if (bootimage_parse(blob, size, &v, why, sizeof why))
        fail_msg("tool output refused: %s", why);
    assert_string_equal(v.config, "image x, config y");
    assert_int_equal(v.nprograms, 4);
    const bootimage_file_t *notes = &v.files[v.nfiles - 1];   /* read beside the manifest */
    assert_string_equal(notes->name, "notes");
    assert_int_equal(notes->kind, BI_FILE_DATA);
    assert_int_equal(notes->elf_size, 9);
    assert_memory_equal(notes->elf, "relative\n", 9);
    free(blob);

    uint8_t *deps;
    assert_int_equal(mkimage_read_file(dep, &deps, &size), 0);
    char want[FILE_MAX];
    snprintf(want, sizeof want, "%s: %s", out, manifest);
    assert_non_null(strstr((char *)deps, want));
    snprintf(want, sizeof want, "%s/ping.elf:\n", bindir);
    char *first = strstr((char *)deps, want);
    assert_non_null(first);
    assert_null(strstr(first + 1, want));  /* listed once although two programs run it */
    snprintf(want, sizeof want, "%s/notes.txt:\n", bindir);   /* a data file is an input too */
    assert_non_null(strstr((char *)deps, want));
    free(deps);
}

static void test_tool_refuses_without_output(void **state)
{
    (void)state;
    char manifest[FILE_MAX], out[FILE_MAX];
    path_in(manifest, "bad.manifest");
    path_in(out, "out.bin");
    remove(out);
    static const char bad[] = VMM_LINE "cap vmm 1 physmem rights send\n";
    write_file(bindir, "bad.manifest", bad, sizeof bad - 1);
    const char *argv[] = { "mkimage", manifest, "-o", out, "-B", bindir, NULL };
    char *err;
    assert_int_equal(run_tool(argv, &err), 1);
    char want[FILE_MAX];
    snprintf(want, sizeof want, "%s:2:26: error: right 'send' does not apply", manifest);
    if (!strstr(err, want))
        fail_msg("stderr '%s' lacks '%s'", err, want);
    free(err);
    struct stat sb;
    assert_int_equal(stat(out, &sb), -1);

    /* An existing image is left as it was. */
    write_file(bindir, "out.bin", "old", 3);
    assert_int_equal(run_tool(argv, &err), 1);
    free(err);
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_size, 3);

    path_in(manifest, "missing.manifest");
    const char *argv2[] = { "mkimage", manifest, "-o", out, "-B", bindir, NULL };
    assert_int_equal(run_tool(argv2, &err), 1);
    assert_non_null(strstr(err, "missing.manifest: error: cannot read the manifest: No such file"));
    free(err);
}

static void test_tool_usage_errors(void **state)
{
    (void)state;
    char *err;
    const char *none[] = { "mkimage", NULL };
    assert_int_equal(run_tool(none, &err), 2);
    assert_non_null(strstr(err, "mkimage: no manifest given"));
    assert_non_null(strstr(err, "usage: mkimage MANIFEST -o OUT -B BINDIR"));
    free(err);
    const char *no_out[] = { "mkimage", "m", "-B", "d", NULL };
    assert_int_equal(run_tool(no_out, &err), 2);
    assert_non_null(strstr(err, "no output file given"));
    free(err);
    const char *no_bindir[] = { "mkimage", "m", "-o", "x", NULL };
    assert_int_equal(run_tool(no_bindir, &err), 2);
    assert_non_null(strstr(err, "no ELF directory given"));
    free(err);
    const char *unknown[] = { "mkimage", "m", "-o", "x", "-B", "d", "--fast", NULL };
    assert_int_equal(run_tool(unknown, &err), 2);
    assert_non_null(strstr(err, "unknown option '--fast'"));
    free(err);
    const char *dangling[] = { "mkimage", "m", "-B", "d", "-o", NULL };
    assert_int_equal(run_tool(dangling, &err), 2);
    assert_non_null(strstr(err, "option '-o' needs a value"));
    free(err);
    const char *two[] = { "mkimage", "m", "n", "-o", "x", "-B", "d", NULL };
    assert_int_equal(run_tool(two, &err), 2);
    assert_non_null(strstr(err, "more than one manifest given"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directive_and_lexical_errors),
        cmocka_unit_test(test_program_errors),
        cmocka_unit_test(test_expect_and_args_errors),
        cmocka_unit_test(test_endpoint_errors),
        cmocka_unit_test(test_cap_errors),
        cmocka_unit_test(test_root_task_caps),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_every_error_reported_then_gives_up),
        cmocka_unit_test(test_example_parses),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_files_and_init_endpoint),
        cmocka_unit_test(test_data_files),
        cmocka_unit_test(test_parser_fuzz),
        cmocka_unit_test(test_tool_success_and_depfile),
        cmocka_unit_test(test_tool_refuses_without_output),
        cmocka_unit_test(test_tool_usage_errors),
    };
    return cmocka_run_group_tests_name("mkimage", tests, group_setup, group_teardown);
}
