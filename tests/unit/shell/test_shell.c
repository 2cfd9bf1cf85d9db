/*
 * The shell's pure parts on the host (apps/shell/parse.c, edit.c,
 * script.c): the line parser's words, quotes, comments, '&' and
 * assignments, and every refusal with its exact line; the line editor fed
 * byte by byte, its echo checked byte for byte; scripts read in pieces
 * from memory, their commands run against a model, their expectations
 * judged and their lines checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>

#include "edit.h"
#include "parse.h"
#include "script.h"

/* --- the parser ------------------------------------------------------------ */

static sh_cmd_t cmd;
static char err[SH_ERR_MAX];

static int parse(const char *s)
{
    memset(&cmd, 0xa5, sizeof cmd);
    memset(err, 0xa5, sizeof err);
    return sh_parse(s, strlen(s), &cmd, err);
}

/* The line parses to exactly the n words w. */
static void words_n(const char *line, const char *const *w, size_t n)
{
    assert_int_equal(parse(line), 0);
    assert_string_equal(err, "");
    assert_int_equal(cmd.argc, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cmd.argv[i], w[i]);
    assert_null(cmd.argv[n]);
}
#define WORDS(line, ...)                                       \
    do {                                                       \
        const char *const w_[] = { __VA_ARGS__ };              \
        words_n((line), w_, sizeof w_ / sizeof w_[0]);         \
    } while (0)
#define NO_WORDS(line) words_n((line), NULL, 0)

static void refused(const char *line, const char *why)
{
    assert_int_equal(parse(line), -1);
    assert_string_equal(err, why);
}

static void test_words(void **state)
{
    (void)state;
    NO_WORDS("");
    NO_WORDS("   \t ");
    NO_WORDS("# only a comment");
    WORDS("hello", "hello");
    WORDS("  hello   a\tb  ", "hello", "a", "b");
    WORDS("echo \"a  b\" c", "echo", "a  b", "c");
    WORDS("echo x\"y z\"w", "echo", "xy zw");
    WORDS("echo \"\" end", "echo", "", "end");
    WORDS("echo a # b c", "echo", "a");
    WORDS("echo a#b", "echo", "a");
    WORDS("echo \"a # b\"", "echo", "a # b");
    WORDS("echo \"&\"", "echo", "&");
    assert_false(cmd.background);
    assert_false(cmd.has_vmm || cmd.has_malloc || cmd.has_quota);
}

static void test_background(void **state)
{
    (void)state;
    WORDS("allocstress 10 &", "allocstress", "10");
    assert_true(cmd.background);
    WORDS("hello&", "hello");
    assert_true(cmd.background);
    WORDS("hello &  # in the back", "hello");
    assert_true(cmd.background);
    WORDS("hello", "hello");
    assert_false(cmd.background);
    refused("hello & x", "sh: '&' must end the line");
    refused("a&b", "sh: '&' must end the line");
    refused("&", "sh: '&' with no command before it");
    refused("  & # c", "sh: '&' with no command before it");
}

static void test_assignments(void **state)
{
    (void)state;
    WORDS("vmm=vmm-bump allocstress 200000", "allocstress", "200000");
    assert_true(cmd.has_vmm);
    assert_string_equal(cmd.vmm, "vmm-bump");
    assert_false(cmd.has_malloc || cmd.has_quota);
    WORDS("quota=100 malloc=chunk vmm=v hello x=y", "hello", "x=y");
    assert_true(cmd.has_vmm && cmd.has_malloc && cmd.has_quota);
    assert_int_equal(cmd.malloc_mode, AK_PM_MALLOC_CHUNK);
    assert_int_equal(cmd.quota, 100);
    WORDS("malloc=page hello &", "hello");
    assert_int_equal(cmd.malloc_mode, AK_PM_MALLOC_PAGE);
    assert_true(cmd.background);
    WORDS("quota=0 hello", "hello");
    assert_true(cmd.has_quota);
    assert_int_equal(cmd.quota, 0);
    WORDS("quota=18446744073709551615 hello", "hello");
    assert_int_equal(cmd.quota, UINT64_MAX);
    WORDS("vmm=\"a b\" hello", "hello");
    assert_string_equal(cmd.vmm, "a b");
    WORDS("vmm=123456789012345 hello", "hello");

    refused("malloc=fast hello", "sh: malloc: 'fast' is not page or chunk");
    refused("malloc= hello", "sh: malloc: '' is not page or chunk");
    refused("malloc=Page hello", "sh: malloc: 'Page' is not page or chunk");
    refused("quota=x hello", "sh: quota: 'x' is not a number of pages");
    refused("quota=-1 hello", "sh: quota: '-1' is not a number of pages");
    refused("quota= hello", "sh: quota: '' is not a number of pages");
    refused("quota=18446744073709551616 hello", "sh: quota: '18446744073709551616' is not a number of pages");
    refused("vmm= hello", "sh: vmm: '' is not a name of 1 to 15 bytes");
    refused("vmm=1234567890123456 hello", "sh: vmm: '1234567890123456' is not a name of 1 to 15 bytes");
    refused("vmm=a vmm=b hello", "sh: vmm=b: given twice");
    refused("malloc=page quota=1 malloc=page hello", "sh: malloc=page: given twice");
    refused("quota=1 quota=1 hello", "sh: quota=1: given twice");
    refused("vmm=a", "sh: no program after vmm=a");
    refused("vmm=a quota=3 &", "sh: no program after quota=3");
    refused("foo=bar hello", "sh: foo=: only vmm=, malloc= and quota= may come before a program");
    refused("=x hello", "sh: =: only vmm=, malloc= and quota= may come before a program");
}

static void test_bounds(void **state)
{
    (void)state;
    char line[600];
    /* 255 bytes is a line; 256 is not. */
    memset(line, 'a', 255);
    line[0] = 'e';
    line[1] = ' ';
    line[255] = '\0';
    assert_int_equal(parse(line), 0);
    assert_int_equal(cmd.argc, 2);
    assert_int_equal(strlen(cmd.argv[1]), 253);
    line[255] = 'a';
    line[256] = '\0';
    refused(line, "sh: line too long (at most 255 bytes)");
    assert_int_equal(sh_parse(line, 600, &cmd, err), -1);  /* never read: the length is checked first */

    /* 64 words parse, 65 do not. */
    size_t n = 0;
    for (int i = 0; i < 64; i++) {
        line[n++] = 'w';
        line[n++] = ' ';
    }
    line[n] = '\0';
    assert_int_equal(parse(line), 0);
    assert_int_equal(cmd.argc, 64);
    assert_int_equal(sh_args_bytes(&cmd), 63 * 2);
    line[n++] = 'w';
    line[n] = '\0';
    refused(line, "sh: too many words (at most 64)");

    /* Program names: 15 bytes. */
    WORDS("abcdefghijklmno", "abcdefghijklmno");
    refused("abcdefghijklmnop x", "sh: abcdefghijklmnop...: a program name is at most 15 bytes");
    refused("\"\" x", "sh: an empty program name");
    refused("echo \"abc", "sh: a '\"' is not closed");
    refused("echo a\x01", "sh: the line holds a control byte (0x01)");
    refused("echo \x7f", "sh: the line holds a control byte (0x7f)");
    refused("echo \xc3\xa9", "sh: the line holds a control byte (0xc3)");
    /* A NUL inside the length is a control byte too. */
    assert_int_equal(sh_parse("ab\0cd", 5, &cmd, err), -1);
    assert_string_equal(err, "sh: the line holds a control byte (0x00)");
    /* Arguments past spawn's bound: 128 empty words ("" each) cost a NUL each. */
    n = 0;
    line[n++] = 'x';
    for (int i = 0; i < 63; i++) {
        memcpy(&line[n], " \"\"", 3);
        n += 3;
    }
    line[n] = '\0';
    assert_int_equal(parse(line), 0);
    assert_int_equal(sh_args_bytes(&cmd), 63);
}

static void test_number(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_true(sh_number("0", 10, &v));
    assert_int_equal(v, 0);
    assert_true(sh_number("10", 10, &v));
    assert_int_equal(v, 10);
    v = 7;
    assert_false(sh_number("11", 10, &v));
    assert_false(sh_number("", 10, &v));
    assert_false(sh_number("1x", 10, &v));
    assert_false(sh_number("-1", 10, &v));
    assert_false(sh_number(" 1", 10, &v));
    assert_int_equal(v, 7);
    assert_true(sh_number("4294967295", UINT32_MAX, &v));
    assert_int_equal(v, UINT32_MAX);
    assert_false(sh_number("4294967296", UINT32_MAX, &v));
    assert_true(sh_number("18446744073709551615", UINT64_MAX, &v));
    assert_false(sh_number("18446744073709551616", UINT64_MAX, &v));
    assert_false(sh_number("99999999999999999999999", UINT64_MAX, &v));
}

/* --- the editor ------------------------------------------------------------ */

static char echoed[4096];
static size_t echoed_len;

static void echo(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    assert_true(echoed_len + n < sizeof echoed);
    memcpy(echoed + echoed_len, s, n);
    echoed_len += n;
    echoed[echoed_len] = '\0';
}

/* Feeds s; returns the last event; every earlier byte must give SH_EDIT_MORE. */
static sh_edit_event_t type(sh_edit_t *e, const char *s, size_t n)
{
    sh_edit_event_t ev = SH_EDIT_MORE;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ev, SH_EDIT_MORE);
        ev = sh_edit_feed(e, (uint8_t)s[i], echo, NULL);
    }
    return ev;
}
#define TYPE(e, lit) type((e), (lit), sizeof(lit) - 1)

static void test_edit_keys(void **state)
{
    (void)state;
    sh_edit_t e;
    sh_edit_init(&e);
    echoed_len = 0;
    assert_int_equal(TYPE(&e, "echo hi\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "echo hi");
    assert_int_equal(e.len, 7);
    assert_string_equal(echoed, "echo hi\n");

    echoed_len = 0;
    assert_int_equal(TYPE(&e, "ecx\x7fho\x08\x08ho\r"), SH_EDIT_LINE);
    assert_string_equal(e.line, "echo");
    assert_string_equal(echoed, "ecx\b \bho\b \b\b \bho\n");

    /* Erasing past the start echoes nothing. */
    echoed_len = 0;
    assert_int_equal(TYPE(&e, "\x7f\x7f" "a\x7f\x7f\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "");
    assert_string_equal(echoed, "a\b \b\n");

    echoed_len = 0;
    assert_int_equal(TYPE(&e, "abc\x15xy\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "xy");
    assert_string_equal(echoed, "abc\b \b\b \b\b \bxy\n");

    /* Ctrl-C drops the line; the next byte starts a new one. */
    echoed_len = 0;
    assert_int_equal(TYPE(&e, "abc\x03"), SH_EDIT_INTR);
    assert_int_equal(TYPE(&e, "d\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "d");
    assert_string_equal(echoed, "abcd\n");

    /* Ctrl-D: end of input at an empty line only. */
    echoed_len = 0;
    assert_int_equal(TYPE(&e, "ab\x04\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "ab");
    assert_int_equal(TYPE(&e, "x\x7f\x04"), SH_EDIT_EOF);
    assert_string_equal(echoed, "ab\nx\b \b");

    /* Escape sequences and other control bytes are ignored; tabs kept. */
    echoed_len = 0;
    assert_int_equal(TYPE(&e, "a\x1b[A\x1b[1;5Cb\x1bOc\x01\x7f\x02\t\xff\n"), SH_EDIT_LINE);
    assert_string_equal(e.line, "ab\t");
    assert_string_equal(echoed, "abc\b \b\t\n");
}

static void test_edit_long(void **state)
{
    (void)state;
    sh_edit_t e;
    sh_edit_init(&e);
    echoed_len = 0;
    for (int i = 0; i < 300; i++)
        assert_int_equal(sh_edit_feed(&e, 'x', echo, NULL), SH_EDIT_MORE);
    assert_int_equal(e.len, SH_LINE_MAX);
    assert_int_equal(e.dropped, 300 - SH_LINE_MAX);
    assert_int_equal(echoed_len, SH_LINE_MAX);
    /* Erasing takes the unechoed bytes first, silently. */
    for (int i = 0; i < 300 - (int)SH_LINE_MAX; i++)
        assert_int_equal(sh_edit_feed(&e, 0x7f, echo, NULL), SH_EDIT_MORE);
    assert_int_equal(e.dropped, 0);
    assert_int_equal(echoed_len, SH_LINE_MAX);
    assert_int_equal(sh_edit_feed(&e, 'y', echo, NULL), SH_EDIT_MORE);
    assert_int_equal(e.dropped, 1);
    assert_int_equal(sh_edit_feed(&e, '\n', echo, NULL), SH_EDIT_LINE);
    assert_int_equal(e.len, SH_LINE_MAX);
    assert_int_equal(e.dropped, 1);
    /* Ctrl-D is not an end of input while dropped bytes are pending. */
    for (int i = 0; i < 300; i++)
        sh_edit_feed(&e, 'x', echo, NULL);
    assert_int_equal(sh_edit_feed(&e, 0x15, echo, NULL), SH_EDIT_MORE);
    assert_int_equal(e.len, 0);
    assert_int_equal(e.dropped, 0);
    assert_int_equal(sh_edit_feed(&e, 0x04, echo, NULL), SH_EDIT_EOF);
}

/* --- endings and expectations --------------------------------------------- */

static void test_endings(void **state)
{
    (void)state;
    char d[SH_DESC_MAX];
    sh_end_t x = sh_exited(-1);
    sh_end_describe(&x, d);
    assert_string_equal(d, "exited -1");
    sh_end_short(&x, d);
    assert_string_equal(d, "-1");
    sh_end_t k = { AK_PM_KILLED, AK_PM_WHY_KILL, 0 };
    sh_end_describe(&k, d);
    assert_string_equal(d, "killed");
    sh_end_short(&k, d);
    assert_string_equal(d, "killed");
    sh_end_t f = { AK_PM_KILLED, AK_PM_WHY_FAULT, 0 };
    sh_end_describe(&f, d);
    assert_string_equal(d, "killed (fault)");
    sh_end_short(&f, d);
    assert_string_equal(d, "fault");
    sh_end_t o = { AK_PM_KILLED, AK_PM_WHY_OTHER, 0 };
    sh_end_describe(&o, d);
    assert_string_equal(d, "killed (other)");

    sh_expect_t e;
    assert_int_equal(parse("expect exit -1"), 0);
    assert_int_equal(sh_expect_parse(&cmd, &e, err), 0);
    assert_true(sh_expect_met(&e, &x));
    assert_false(sh_expect_met(&e, &k));
    sh_expect_describe(&e, d);
    assert_string_equal(d, "exit -1");
    assert_int_equal(parse("expect killed"), 0);
    assert_int_equal(sh_expect_parse(&cmd, &e, err), 0);
    assert_true(sh_expect_met(&e, &k));
    assert_false(sh_expect_met(&e, &f));
    assert_int_equal(parse("expect fault"), 0);
    assert_int_equal(sh_expect_parse(&cmd, &e, err), 0);
    assert_true(sh_expect_met(&e, &f));
    assert_false(sh_expect_met(&e, &x));
    assert_int_equal(parse("expect exit 2147483647"), 0);
    assert_int_equal(sh_expect_parse(&cmd, &e, err), 0);
    assert_int_equal(parse("expect exit -2147483648"), 0);
    assert_int_equal(sh_expect_parse(&cmd, &e, err), 0);
    assert_int_equal(e.status, INT32_MIN);
    static const char *const bad[] = {
        "expect", "expect exit", "expect exit x", "expect exit 2147483648", "expect exit -2147483649",
        "expect exit 1 2", "expect killed 9", "expect dead", "expect exit --1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i]), 0);
        assert_int_equal(sh_expect_parse(&cmd, &e, err), -1);
        assert_string_equal(err, "sh: expect: say 'expect exit N', 'expect killed' or 'expect fault'");
    }
}

/* --- scripts ---------------------------------------------------------------- */

/* The model: the script in memory, read `piece` bytes at a time. */
static struct {
    const char *text;
    size_t piece;
    int fail_at;           /* a read at this offset fails (-1: never) */
    char said[4096];
    char ran[4096];        /* each command's words joined by spaces, one a line */
    unsigned reads;
} m;

static int model_read(void *ctx, uint64_t offset, char *buf, size_t cap, size_t *got)
{
    (void)ctx;
    m.reads++;
    assert_int_equal(cap, AK_PM_FILE_CHUNK);
    if (m.fail_at >= 0 && offset >= (uint64_t)m.fail_at)
        return -AK_ENOENT;
    size_t len = strlen(m.text);
    size_t n = offset >= len ? 0 : len - (size_t)offset;
    if (n > m.piece)
        n = m.piece;
    memcpy(buf, m.text + offset, n);
    *got = n;
    return 0;
}

/* Commands of the model: "ok" exits 0, "exit N" exits N, "die" is
 * killed, "fault" faults, "poweroff" stops. */
static sh_step_t model_run(void *ctx, const sh_cmd_t *c, sh_end_t *end)
{
    (void)ctx;
    for (unsigned i = 0; i < c->argc; i++) {
        size_t at = strlen(m.ran);
        snprintf(m.ran + at, sizeof m.ran - at, "%s%s", c->argv[i], i + 1 < c->argc ? " " : "\n");
    }
    const char *p = c->argv[0];
    if (strcmp(p, "poweroff") == 0)
        return SH_STEP_STOP;
    if (strcmp(p, "exit") == 0) {
        *end = sh_exited((int32_t)(c->argv[1][0] == '-' ? -(c->argv[1][1] - '0') : c->argv[1][0] - '0'));
    } else if (strcmp(p, "die") == 0) {
        sh_end_t k = { AK_PM_KILLED, AK_PM_WHY_KILL, 0 };
        *end = k;
    } else if (strcmp(p, "fault") == 0) {
        sh_end_t f = { AK_PM_KILLED, AK_PM_WHY_FAULT, 0 };
        *end = f;
    } else {
        *end = sh_exited(0);
    }
    return SH_STEP_GO;
}

static void model_say(void *ctx, const char *line)
{
    (void)ctx;
    assert_non_null(strchr(line, '\n'));
    size_t at = strlen(m.said);
    snprintf(m.said + at, sizeof m.said - at, "%s", line);
}

static int run_script(const char *text, size_t piece, sh_tally_t *t)
{
    memset(&m, 0, sizeof m);
    m.text = text;
    m.piece = piece;
    m.fail_at = -1;
    sh_script_io_t io = { model_read, model_run, model_say, NULL };
    return sh_script_run(&io, "story", t);
}

static const char story[] =
    "# the story\n"
    "\n"
    "ok one  # a comment\n"
    "expect exit 3\n"
    "exit 3\n"
    "expect killed\n"
    "die\n"
    "expect fault\n"
    "fault\n"
    "expect exit -1\n"
    "exit -1\n"
    "echo \"a  b\"\n"
    "expect exit 2   # a line that does not parse ends as a typed one does\n"
    "quota=x y\n";

static void test_script_as_expected(void **state)
{
    (void)state;
    /* Any piece size gives the same run: lines cut across reads. */
    const size_t pieces[] = { 1, 2, 3, 7, 64, AK_PM_FILE_CHUNK };
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        sh_tally_t t;
        assert_int_equal(run_script(story, pieces[i], &t), 0);
        assert_int_equal(t.ok, 7);
        assert_int_equal(t.bad, 0);
        assert_false(t.stopped);
        assert_string_equal(m.ran, "ok one\nexit 3\ndie\nfault\nexit -1\necho a  b\n");
        assert_string_equal(m.said, "sh: story: line 5: exited 3, as expected\n"
                                    "sh: story: line 7: killed, as expected\n"
                                    "sh: story: line 9: killed (fault), as expected\n"
                                    "sh: story: line 11: exited -1, as expected\n"
                                    "sh: quota: 'x' is not a number of pages\n"
                                    "sh: story: line 14: exited 2, as expected\n"
                                    "sh: story: 7 steps as expected, 0 not\n");
    }
}

static void test_script_not_as_expected(void **state)
{
    (void)state;
    sh_tally_t t;
    assert_int_equal(run_script("exit 1\n"
                                "expect exit 1\n"
                                "ok\n"
                                "expect killed\n"
                                "fault\n"
                                "expect fault\n"
                                "die\n"
                                "malloc=fast x\n"
                                "expect nothing\n"
                                "ok\n"
                                "expect killed\n"
                                "expect exit 0\n"
                                "ok\n"
                                "expect exit 0\n",
                                5, &t),
                     1);
    assert_int_equal(t.ok, 2);
    assert_int_equal(t.bad, 8);
    assert_string_equal(m.said, "sh: story: line 1: exited 1, expected exit 0\n"
                                "sh: story: line 3: exited 0, expected exit 1\n"
                                "sh: story: line 5: killed (fault), expected killed\n"
                                "sh: story: line 7: killed, expected fault\n"
                                "sh: malloc: 'fast' is not page or chunk\n"
                                "sh: story: line 8: exited 2, expected exit 0\n"
                                "sh: story: line 9: sh: expect: say 'expect exit N', 'expect killed' or 'expect fault'\n"
                                "sh: story: line 11: an expectation with no command after it\n"
                                "sh: story: line 13: exited 0, as expected\n"
                                "sh: story: line 14: an expectation with no command after it\n"
                                "sh: story: 2 steps as expected, 8 not\n");
    assert_string_equal(m.ran, "exit 1\nok\nfault\ndie\nok\nok\n");
}

static void test_script_lines(void **state)
{
    (void)state;
    sh_tally_t t;
    /* CRLF endings, a last line without a newline, a line of 255 bytes
     * and one of 256 (not run, a step not as expected). */
    static char text[1024];
    char *p = text;
    p += sprintf(p, "ok a\r\nok b\r\n");
    *p++ = 'o';
    *p++ = 'k';
    *p++ = ' ';
    memset(p, 'x', 252);
    p += 252;
    *p++ = '\n';
    memset(p, 'y', 256);
    p += 256;
    sprintf(p, "\nok last");
    assert_int_equal(run_script(text, 100, &t), 1);
    assert_int_equal(t.ok, 4);
    assert_int_equal(t.bad, 1);
    assert_string_equal(m.said, "sh: story: line 4: longer than 255 bytes\n"
                                "sh: story: 4 steps as expected, 1 not\n");
    assert_int_equal(strlen(m.ran), strlen("ok a\nok b\n") + 256 + strlen("ok last\n"));

    /* A poweroff stops the script: nothing after it runs or counts. */
    assert_int_equal(run_script("ok\nexpect exit 1\nexit 1\npoweroff\nexit 5\n", 480, &t), 0);
    assert_true(t.stopped);
    assert_int_equal(t.ok, 2);
    assert_string_equal(m.ran, "ok\nexit 1\npoweroff\n");
    assert_string_equal(m.said, "sh: story: line 3: exited 1, as expected\n"
                                "sh: story: 2 steps as expected, 0 not\n");

    /* An empty script. */
    assert_int_equal(run_script("", 480, &t), 0);
    assert_string_equal(m.said, "sh: story: 0 steps as expected, 0 not\n");
    assert_int_equal(run_script("ok\n", 480, &t), 0);
    assert_string_equal(m.said, "sh: story: 1 step as expected, 0 not\n");
}

static void test_script_read_errors(void **state)
{
    (void)state;
    sh_tally_t t;
    memset(&m, 0, sizeof m);
    m.text = "ok\nok\n";
    m.piece = 3;
    m.fail_at = 0;
    sh_script_io_t io = { model_read, model_run, model_say, NULL };
    assert_int_equal(sh_script_run(&io, "nosuch", &t), 1);
    assert_int_equal(t.read_error, -AK_ENOENT);
    assert_string_equal(m.said, "sh: nosuch: cannot read it (error -2)\n");
    assert_string_equal(m.ran, "");

    memset(&m, 0, sizeof m);
    m.text = "ok\nok\n";
    m.piece = 3;
    m.fail_at = 3;
    assert_int_equal(sh_script_run(&io, "half", &t), 1);
    assert_int_equal(t.ok, 1);
    assert_string_equal(m.said, "sh: half: cut short at byte 3 (error -2)\n"
                                "sh: half: 1 step as expected, 0 not\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_background),
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_edit_keys),
        cmocka_unit_test(test_edit_long),
        cmocka_unit_test(test_endings),
        cmocka_unit_test(test_script_as_expected),
        cmocka_unit_test(test_script_not_as_expected),
        cmocka_unit_test(test_script_lines),
        cmocka_unit_test(test_script_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
