/*
 * A client of the console (idl/console.idl) for the console-* images.
 * Its endpoint to the console is in AK_SLOT_CONSOLE; the mode is argv[1]:
 *
 *   read TAG N MS    sleeps MS ms, then reads N lines and prints each as
 *                    "TAG: line I: TEXT" through the console
 *   write C N        prints N lines "LC:" + 190 times C + ":END"
 *   kwrite C N       the same through the kernel's console call (as init
 *                    and the vmms print), not through the console
 *   bench            BENCH console,write-line,instructions: one 80-byte
 *                    line through the console, in guest instructions
 *   block            reads one line (to be killed while it waits)
 *   ctrlc NAME       (a control client, slot 1: init) makes process NAME
 *                    the foreground, waits until it is killed by a typed
 *                    Ctrl-C, then reads a line as the new foreground
 *   overflow         sleeps while more than the input buffer is typed,
 *                    checks the counts, drains the buffer, reads a line
 *   garbage          sends malformed requests and checks each refusal
 *   klogbad          (slot 2: the PL011, 3: procctl, 4: an endpoint) the
 *                    kernel-log invocations refused to all but the console
 *   partials N       (slots 10..10+N-1: endpoints to the console, each
 *                    badged as a client of its own) begins a line
 *                    "part-K" on each client K, then ends each with "-end"
 *   spawn            (slot 1: init) spawns `contest write 7 2` unpaged and
 *                    waits for it: a child of a console's client prints
 *                    through the console too, as a client of its own
 *   stdio            libakuma's printf, fgets and getchar, which go through
 *                    the console when slot AK_SLOT_CONSOLE holds it (and
 *                    find the end of input at once when it does not)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <akuma/counter.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/console_client.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>

#define CON AK_SLOT_CONSOLE
#define SLOT_INIT 1u
#define UNTOUCHED_WORD UINT64_C(0x5a5a5a5a5a5a5a5a)

static int failures;

static int num(const char *s)
{
    int n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (*s++ - '0');
    return n;
}

/* A line through the console. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[AK_CON_WRITE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    int rc = console_write(CON, line, len);
    if (rc)
        printf("contest: console write: error %d\n", rc);
}

static void expect_eq(const char *test, const char *what, int64_t got, int64_t want)
{
    if (got != want) {
        say("AKTEST FAIL %s: %s: got %ld, want %ld\n", test, what, (long)got, (long)want);
        failures++;
    }
}

/* Reads one line (NUL-terminated, newline kept) into buf of AK_CON_READ_MAX + 1 bytes. */
static int read_line(char *buf)
{
    uint64_t n = 0;
    int rc = console_read(CON, AK_CON_READ_MAX, AK_CON_READ_LINE, (uint8_t *)buf, &n);
    buf[rc ? 0 : n] = '\0';
    return rc;
}

static int do_read(const char *tag, int lines, int ms)
{
    if (ms)
        ak_sleep((uint64_t)ms);
    char buf[AK_CON_READ_MAX + 1];
    for (int i = 1; i <= lines; i++) {
        int rc = read_line(buf);
        if (rc) {
            say("contest: read: error %d\n", rc);
            return 1;
        }
        say("%s: line %d: %s", tag, i, buf);
    }
    return 0;
}

static int do_write(char c, int lines, bool kernel)
{
    char line[200];
    memcpy(line, "L?:", 3);
    line[1] = c;
    memset(line + 3, c, 190);
    memcpy(line + 193, ":END\n", 5);
    for (int i = 0; i < lines; i++) {
        if (kernel ? ak_console_write(line, 198) != 0 : console_write(CON, line, 198) != 0)
            return 1;
        if (i % 10 == 9)
            ak_sleep(10); /* so that the writing lasts while input is typed */
    }
    return 0;
}

static uint32_t pid_of(const char *name)
{
    proc_entry_t e[AK_PM_LIST_MAX];
    uint32_t from = 1, next;
    do {
        uint64_t n = 0;
        if (proc_list(SLOT_INIT, from, &next, e, &n) != 0)
            return 0;
        for (uint64_t i = 0; i < n; i++)
            if (strcmp(e[i].name, name) == 0 && e[i].state == AK_PM_RUNNING)
                return e[i].pid;
        from = next;
    } while (next);
    return 0;
}

static int do_ctrlc(const char *victim)
{
    const char *t = "console-ctrl-c";
    uint32_t pid = 0;
    for (int i = 0; i < 100 && !pid; i++) {
        pid = pid_of(victim);
        if (!pid)
            ak_sleep(10);
    }
    expect_eq(t, "the victim runs", pid != 0, 1);
    /* The victim (badge 3) reads; ours (0x100000004) has the control bit. */
    expect_eq(t, "foreground", console_foreground(CON, 3, pid), 0);
    say("contest: foreground is pid %u\n", pid);
    uint8_t state = 0, why = 0;
    int32_t status = 0;
    for (int i = 0; i < 3000; i++) {
        if (proc_status(SLOT_INIT, pid, &state, &status, &why) != 0 || state != AK_PM_RUNNING)
            break;
        ak_sleep(10);
    }
    expect_eq(t, "the victim was killed", state, AK_PM_KILLED);
    expect_eq(t, "by proc.kill", why, AK_PM_WHY_KILL);
    uint64_t buffered, overflow, intr, lost, reads;
    expect_eq(t, "stats", console_stats(CON, &buffered, &overflow, &intr, &lost, &reads), 0);
    expect_eq(t, "one Ctrl-C", (int64_t)intr, 1);
    /* The killed reader, still held by the console and first in line, takes no input: the next line is ours. */
    char buf[AK_CON_READ_MAX + 1];
    expect_eq(t, "read while another is the foreground", read_line(buf), -AK_EAGAIN);
    expect_eq(t, "foreground: anyone", console_foreground(CON, 0, 0), 0);
    expect_eq(t, "read", read_line(buf), 0);
    say("contest: after the kill: %s", buf);
    if (!failures)
        say("AKTEST PASS %s\n", t);
    return 0;
}

static int do_overflow(void)
{
    const char *t = "console-overflow";
    ak_sleep(6000); /* the expect file types 5,000 bytes and a newline meanwhile */
    uint64_t buffered, overflow, intr, lost, reads;
    expect_eq(t, "stats", console_stats(CON, &buffered, &overflow, &intr, &lost, &reads), 0);
    expect_eq(t, "the buffer is full", (int64_t)buffered, AK_CON_INPUT_MAX);
    expect_eq(t, "the rest counted", (int64_t)overflow, 5001 - (int64_t)AK_CON_INPUT_MAX);
    uint8_t buf[AK_CON_READ_MAX + 1];
    uint64_t total = 0, n;
    while (total < AK_CON_INPUT_MAX) {
        n = 0;
        int rc = console_read(CON, AK_CON_READ_MAX, AK_CON_READ_BYTES, buf, &n);
        if (rc || n == 0) {
            expect_eq(t, "draining", rc, 0);
            break;
        }
        for (uint64_t i = 0; i < n; i++)
            if (buf[i] != 'x') {
                expect_eq(t, "a kept byte", buf[i], 'x');
                break;
            }
        total += n;
    }
    expect_eq(t, "bytes kept", (int64_t)total, AK_CON_INPUT_MAX);
    char line[AK_CON_READ_MAX + 1];
    expect_eq(t, "a line typed after", read_line(line), 0);
    expect_eq(t, "it is whole", strcmp(line, "still here\n"), 0);
    if (!failures)
        say("AKTEST PASS %s\n", t);
    return 0;
}

/* 80-byte lines (79 characters and a newline) through the console: from the
 * call to its return, the console's work on the line and the port included. */
static int do_bench(void)
{
    enum { ROUNDS = 1000 };
    char line[80];
    memset(line, '=', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    if (console_write(CON, line, sizeof line) != 0) /* warm: the console knows this client */
        return 1;
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    for (int i = 0; i < ROUNDS; i++)
        if (console_write(CON, line, sizeof line) != 0)
            return 1;
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    say("BENCH console,write-line,instructions,%lu,guest instructions\n",
        (unsigned long)((i1 - i0 + ROUNDS / 2) / ROUNDS));
    say("BENCH console,write-line,ns,%lu,host ns\n",
        (unsigned long)((t1 - t0) * 1000000000u / ak_counter_freq() / ROUNDS));
    return 0;
}

/* A raw request on the console's endpoint: its reply's label (0 or an error code), negated. */
static int64_t raw(uint64_t label, const uint64_t *w, uint64_t len)
{
    ak_msg_t m = { .info = ak_msginfo(label, len) };
    for (uint64_t i = 0; i < len; i++) {
        if (i < 4)
            m.w[i] = w[i];
        else
            ak_ipc_buffer()->words[i] = w[i];
    }
    int64_t rc = ak_ipc_call(CON, &m);
    if (rc < 0)
        return rc;
    return -(int64_t)ak_msginfo_label(m.info);
}

static int do_garbage(void)
{
    const char *t = "console-malformed";
    uint64_t w[40] = { 0 };
    /* write: a length past the message, past the bound, wrapping; words after the bytes. */
    w[0] = 16; w[1] = 0x4141414141414141ull;
    expect_eq(t, "write: 16 bytes in one word", raw(CONSOLE_LABEL_WRITE, w, 2), -AK_EBADMSG);
    w[0] = 257;
    expect_eq(t, "write: past the bound", raw(CONSOLE_LABEL_WRITE, w, 34), -AK_EBADMSG);
    w[0] = UINT64_MAX;
    expect_eq(t, "write: a wrapping length", raw(CONSOLE_LABEL_WRITE, w, 2), -AK_EBADMSG);
    w[0] = 8;
    expect_eq(t, "write: a string without its bytes", raw(CONSOLE_LABEL_WRITE, w, 1), -AK_EBADMSG);
    w[0] = 3; w[1] = 0x0a4141ull | (0x42ull << 32);
    expect_eq(t, "write: a nonzero byte after the data", raw(CONSOLE_LABEL_WRITE, w, 2), -AK_EBADMSG);
    w[0] = 0;
    expect_eq(t, "write: no message at all", raw(CONSOLE_LABEL_WRITE, w, 0), -AK_EBADMSG);
    /* read: words too wide for their types, bad arguments. */
    w[0] = UINT64_C(1) << 32; w[1] = 1;
    expect_eq(t, "read: max wider than u32", raw(CONSOLE_LABEL_READ, w, 2), -AK_EBADMSG);
    w[0] = 16; w[1] = 0x100;
    expect_eq(t, "read: mode wider than u8", raw(CONSOLE_LABEL_READ, w, 2), -AK_EBADMSG);
    w[1] = 7;
    expect_eq(t, "read: an unknown mode", raw(CONSOLE_LABEL_READ, w, 2), -AK_EINVAL);
    w[0] = 0; w[1] = 1;
    expect_eq(t, "read: max 0", raw(CONSOLE_LABEL_READ, w, 2), -AK_EINVAL);
    w[0] = AK_CON_READ_MAX + 1;
    expect_eq(t, "read: max past the bound", raw(CONSOLE_LABEL_READ, w, 2), -AK_EINVAL);
    w[0] = 16;
    expect_eq(t, "read: a word too many", raw(CONSOLE_LABEL_READ, w, 3), -AK_EBADMSG);
    /* foreground without the control bit; an unknown label. */
    w[0] = 1; w[1] = 0;
    expect_eq(t, "foreground without control", raw(CONSOLE_LABEL_FOREGROUND, w, 2), -AK_EPERM);
    expect_eq(t, "an unknown label", raw(99, w, 0), -AK_ENOSYS);
    uint64_t b, o, i, l, r;
    expect_eq(t, "stats: no input was taken", console_stats(CON, &b, &o, &i, &l, &r), 0);
    expect_eq(t, "no read answered", (int64_t)r, 0);
    /* Still serving: a whole line. */
    say("contest: still served after garbage\n");
    if (!failures)
        say("AKTEST PASS %s\n", t);
    return 0;
}

static int do_klogbad(void)
{
    const char *t = "console-klog-refused";
    enum { DEV = 2, PROCCTL = 3, EP = 4, NOTIF = 40, EMPTY = 41 };
    uint64_t n = UNTOUCHED_WORD, lost = UNTOUCHED_WORD;
    expect_eq(t, "read a log the caller did not attach", device_klog_read(DEV, &n, &lost), -AK_EPERM);
    expect_eq(t, "nothing written", n == UNTOUCHED_WORD && lost == UNTOUCHED_WORD, 1);
    expect_eq(t, "notification", procctl_notification(PROCCTL, NOTIF), 0);
    expect_eq(t, "attach: an empty slot", device_klog_attach(DEV, EMPTY), -AK_EBADF);
    expect_eq(t, "attach: a slot out of range", device_klog_attach(DEV, 100000), -AK_EBADF);
    expect_eq(t, "attach: an endpoint", device_klog_attach(DEV, EP), -AK_ENOTSUP);
    expect_eq(t, "attach: the console has it", device_klog_attach(DEV, NOTIF), -AK_EBUSY);
    expect_eq(t, "attach through an endpoint", device_klog_attach(EP, NOTIF) != 0, 1);
    /* Malformed invocations: a word too many, a slot wider than u32, reserved info bits, unknown label. */
    ak_msg_t m = { .info = ak_msginfo(DEVICE_LABEL_KLOG_ATTACH, 2), .w = { NOTIF, 0 } };
    expect_eq(t, "attach: a word too many", ak_ipc_call(DEV, &m) == 0 ? -(int64_t)ak_msginfo_label(m.info) : -1,
              -AK_EBADMSG);
    m = (ak_msg_t){ .info = ak_msginfo(DEVICE_LABEL_KLOG_ATTACH, 1), .w = { UINT64_C(1) << 32 } };
    expect_eq(t, "attach: a slot wider than u32",
              ak_ipc_call(DEV, &m) == 0 ? -(int64_t)ak_msginfo_label(m.info) : -1, -AK_EBADMSG);
    m = (ak_msg_t){ .info = ak_msginfo(DEVICE_LABEL_KLOG_READ, 1), .w = { 0 } };
    expect_eq(t, "read: a word", ak_ipc_call(DEV, &m) == 0 ? -(int64_t)ak_msginfo_label(m.info) : -1, -AK_EBADMSG);
    m = (ak_msg_t){ .info = ak_msginfo(3, 0) };
    expect_eq(t, "an unknown label", ak_ipc_call(DEV, &m) == 0 ? -(int64_t)ak_msginfo_label(m.info) : -1,
              -AK_ENOSYS);
    /* The console still owns the log: this line reaches the port through it. */
    printf("contest: the kernel's log is still the console's\n");
    if (!failures)
        say("AKTEST PASS %s\n", t);
    return 0;
}

static int do_partials(int n)
{
    for (int k = 0; k < n; k++) {
        char part[16];
        int len = snprintf(part, sizeof part, "part-%d", k);
        if (console_write(10u + (uint32_t)k, part, (uint64_t)len) != 0)
            return 1;
    }
    for (int k = 0; k < n; k++)
        if (console_write(10u + (uint32_t)k, "-end\n", 5) != 0)
            return 1;
    return 0;
}

static int do_spawn(void)
{
    static const char args[] = "write\0" "7\0" "2";
    uint32_t pid = 0;
    uint8_t state = 0, why = 0;
    int32_t status = -1;
    expect_eq("console-spawned-child", "spawn", proc_spawn(SLOT_INIT, "contest", args, sizeof args, "", 0, "none",
                                                              50, 0, &pid), 0);
    expect_eq("console-spawned-child", "wait", proc_wait(SLOT_INIT, pid, &state, &status, &why), 0);
    expect_eq("console-spawned-child", "state", state, AK_PM_EXITED);
    expect_eq("console-spawned-child", "status", status, 0);
    if (!failures)
        say("AKTEST PASS console-spawned-child\n");
    return failures != 0;
}

static int do_stdio(void)
{
    char name[32];
    printf("name? ");
    if (!fgets(name, sizeof name, stdin)) {
        printf("stdio: no input\n");
        return 0;   /* no console: the image expects exactly this line */
    }
    size_t len = strlen(name);
    if (len && name[len - 1] == '\n')
        name[len - 1] = '\0';
    printf("hello, %s\n", name);
    printf("getchar:");
    for (int c = getchar(); c != EOF; c = getchar()) {
        if (c == '\n') {
            printf(" NL\n");
            break;
        }
        printf(" %c", c);
    }
    /* A short buffer: fgets stops at size-1, the rest stays for the next call. */
    char small[4];
    if (!fgets(small, sizeof small, stdin) || strcmp(small, "abc") != 0 || !fgets(small, sizeof small, stdin) ||
        strcmp(small, "de\n") != 0)
        printf("AKTEST FAIL console-stdio-fgets-short: got '%s'\n", small);
    else
        printf("AKTEST PASS console-stdio-fgets-short\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "read") == 0 && argc > 4)
        return do_read(argv[2], num(argv[3]), num(argv[4]));
    if (strcmp(mode, "write") == 0 && argc > 3)
        return do_write(argv[2][0], num(argv[3]), false);
    if (strcmp(mode, "kwrite") == 0 && argc > 3)
        return do_write(argv[2][0], num(argv[3]), true);
    if (strcmp(mode, "bench") == 0)
        return do_bench();
    if (strcmp(mode, "block") == 0) {
        char buf[AK_CON_READ_MAX + 1];
        read_line(buf);
        say("contest: the blocked reader read: %s", buf);
        return 0;
    }
    if (strcmp(mode, "ctrlc") == 0 && argc > 2)
        return do_ctrlc(argv[2]);
    if (strcmp(mode, "overflow") == 0)
        return do_overflow();
    if (strcmp(mode, "garbage") == 0)
        return do_garbage();
    if (strcmp(mode, "klogbad") == 0)
        return do_klogbad();
    if (strcmp(mode, "stdio") == 0)
        return do_stdio();
    if (strcmp(mode, "partials") == 0 && argc > 2)
        return do_partials(num(argv[2]));
    if (strcmp(mode, "spawn") == 0)
        return do_spawn();
    printf("contest: unknown mode '%s'\n", mode);
    return 2;
}
