/*
 * Contract of the generated process-manager dispatch (idl/proc.idl), the
 * code init answers spawn, wait, kill, list, status, vmms and file with: a
 * well-formed request reaches exactly its handler with the decoded
 * arguments (strings as checked copies), and the handler's result becomes
 * the reply.  Every malformed request runs no handler and gets
 * AK_EBADMSG: a length past its bound or past the message (wrapping
 * lengths included), a message length other than the fixed words plus
 * each string, a NUL inside a name, an argument or environment list not
 * ending in NUL, a nonzero byte after a string in its last word, a word
 * too wide for its type, reserved info bits.  A handler that breaks its
 * side (a name without NUL, too many entries) is replied AK_EIO.
 *
 * Messages are built here byte by byte from the wire format of
 * idl/README.md, not with the generated code, so the test pins the format.
 * Built with only the ABI headers on the include path, as init sees them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <idl/proc_server.h>

#define BADGE UINT64_C(0x17)

/* The wire numbers never change. */
_Static_assert(PROC_LABEL_SPAWN == 1 && PROC_LABEL_WAIT == 2 && PROC_LABEL_KILL == 3 &&
               PROC_LABEL_LIST == 4 && PROC_LABEL_STATUS == 5, "proc labels");
_Static_assert(PROC_SPAWN_REQ_WORDS == 6 && PROC_SPAWN_REQ_MAX_WORDS == AK_MSG_MAX_WORDS, "spawn fills a message");
_Static_assert(PROC_LIST_REP_WORDS == 2 && PROC_ENTRY_SIZE == 64 && PROC_LIST_REP_MAX_WORDS == 58, "list layout");
_Static_assert(PROC_LABEL_VMMS == 6 && PROC_LABEL_FILE == 7, "proc labels");
_Static_assert(PROC_FILE_REQ_WORDS == 2 && PROC_FILE_REP_WORDS == 2 && PROC_FILE_REP_MAX_WORDS == 62, "file layout");

typedef struct server {
    unsigned calls;
} server_t;

static server_t srv;
static ak_ipcbuf_t buf;

/* ---- a message image, built from the wire format ---- */

typedef struct image {
    uint64_t w[AK_MSG_MAX_WORDS];
    uint64_t len;
} image_t;

/* Appends n bytes at word *at, little-endian, from a word boundary, and moves *at past them. */
static void put_bytes(image_t *im, uint64_t *at, const void *src, size_t n)
{
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        im->w[*at + i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
    *at += (n + 7) / 8;
}

static uint8_t get_byte(const uint64_t *w, size_t off)
{
    return (uint8_t)(w[off / 8] >> (8 * (off % 8)));
}

typedef struct spawn_args {
    const char *program, *args, *env, *pager;
    size_t plen, alen, elen, glen;
    uint64_t priority, quota;
} spawn_args_t;

static image_t spawn_image(const spawn_args_t *a)
{
    image_t im;
    memset(&im, 0, sizeof im);
    im.w[0] = a->plen;
    im.w[1] = a->alen;
    im.w[2] = a->elen;
    im.w[3] = a->glen;
    im.w[4] = a->priority;
    im.w[5] = a->quota;
    uint64_t at = 6;
    put_bytes(&im, &at, a->program, a->plen);
    put_bytes(&im, &at, a->args, a->alen);
    put_bytes(&im, &at, a->env, a->elen);
    put_bytes(&im, &at, a->pager, a->glen);
    im.len = at;
    return im;
}

/* The message of an image: words 0..3 in m, the rest in buf; junk in unused registers. */
static ak_msg_t message(uint64_t label, const image_t *im)
{
    ak_msg_t m;
    m.info = ak_msginfo(label, im->len);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        m.w[i] = UINT64_C(0xbad0bad0bad0bad0) + i;
    for (uint64_t i = 0; i < im->len && i < AK_MSG_MAX_WORDS; i++) {
        if (i < AK_MSG_REG_WORDS)
            m.w[i] = im->w[i];
        else
            buf.words[i] = im->w[i];
    }
    return m;
}

/* The reply's words 0..len-1, gathered from m and buf. */
static void reply_words(const ak_msg_t *m, uint64_t *w)
{
    uint64_t len = ak_msginfo_len(m->info);
    memset(w, 0, AK_MSG_MAX_WORDS * sizeof *w);
    for (uint64_t i = 0; i < len; i++)
        w[i] = i < AK_MSG_REG_WORDS ? m->w[i] : buf.words[i];
}

/* ---- mocked handlers ---- */

static int h_spawn(void *ctx, uint64_t badge, const char *program, const char *args, uint64_t args_len,
                   const char *env, uint64_t env_len, const char *pager, uint8_t priority, uint64_t quota,
                   uint32_t *out_pid)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected_ptr(program);
    check_expected(args_len);
    if (args_len)
        check_expected_ptr(args);
    check_expected(env_len);
    if (env_len)
        check_expected_ptr(env);
    check_expected_ptr(pager);
    check_expected(priority);
    check_expected(quota);
    assert_int_equal(*out_pid, 0);
    /* The handler may call other servers: the strings are copies, not the IPC buffer. */
    memset(&buf, 0xff, sizeof buf);
    assert_string_equal(program, mock_ptr_type(const char *));
    *out_pid = mock_type(uint32_t);
    return mock_type(int);
}

static int h_wait(void *ctx, uint64_t badge, uint32_t pid, uint8_t *out_state, int32_t *out_exit_status,
                  uint8_t *out_why)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(pid);
    assert_int_equal(*out_state, 0);
    assert_int_equal(*out_exit_status, 0);
    assert_int_equal(*out_why, 0);
    *out_state = AK_PM_EXITED;
    *out_exit_status = -7;
    *out_why = AK_PM_WHY_NONE;
    return mock_type(int);
}

static int h_kill(void *ctx, uint64_t badge, uint32_t pid)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(pid);
    return mock_type(int);
}

static int h_status(void *ctx, uint64_t badge, uint32_t pid, uint8_t *out_state, int32_t *out_exit_status,
                    uint8_t *out_why)
{
    srv.calls++;
    check_expected(pid);
    (void)ctx;
    (void)badge;
    *out_state = AK_PM_KILLED;
    *out_exit_status = INT32_MIN;
    *out_why = AK_PM_WHY_FAULT;
    return mock_type(int);
}

/* What the list handler does, set by each test. */
static struct {
    uint32_t next;
    uint64_t count;
    proc_entry_t entries[AK_PM_LIST_MAX];
    int rc;
    bool sabotage_name;     /* leave entry 0's name without a NUL */
} list_script;

static int h_list(void *ctx, uint64_t badge, uint32_t from, uint32_t *out_next, proc_entry_t *out_entries,
                  uint64_t *out_entries_count)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(from);
    assert_int_equal(*out_next, 0);
    assert_int_equal(*out_entries_count, 0);
    /* The entries start zeroed, every one of them. */
    const unsigned char *z = (const unsigned char *)out_entries;
    for (size_t i = 0; i < AK_PM_LIST_MAX * sizeof *out_entries; i++)
        assert_int_equal(z[i], 0);
    memcpy(out_entries, list_script.entries, sizeof list_script.entries);
    if (list_script.sabotage_name)
        memset(out_entries[0].name, 'x', sizeof out_entries[0].name);
    *out_next = list_script.next;
    *out_entries_count = list_script.count;
    return list_script.rc;
}

/* What the vmms handler does, set by each test. */
static struct {
    uint32_t next;
    uint64_t count;
    vmm_entry_t entries[AK_PM_VMMS_MAX];
    int rc;
    bool sabotage_name;     /* leave entry 0's name without a NUL */
} vmms_script;

static int h_vmms(void *ctx, uint64_t badge, uint32_t from, uint32_t *out_next, vmm_entry_t *out_entries,
                  uint64_t *out_entries_count)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(from);
    assert_int_equal(*out_next, 0);
    assert_int_equal(*out_entries_count, 0);
    const unsigned char *z = (const unsigned char *)out_entries;
    for (size_t i = 0; i < AK_PM_VMMS_MAX * sizeof *out_entries; i++)
        assert_int_equal(z[i], 0);
    memcpy(out_entries, vmms_script.entries, sizeof vmms_script.entries);
    if (vmms_script.sabotage_name)
        memset(out_entries[0].name, 'v', sizeof out_entries[0].name);
    *out_next = vmms_script.next;
    *out_entries_count = vmms_script.count;
    return vmms_script.rc;
}

/* What the file handler does, set by each test. */
static struct {
    uint64_t size, len;
    uint8_t data[AK_PM_FILE_CHUNK + 8];
    int rc;
} file_script;

static int h_file(void *ctx, uint64_t badge, const char *name, uint64_t offset, uint64_t *out_size,
                  uint8_t *out_data, uint64_t *out_data_len)
{
    srv.calls++;
    check_expected_ptr(ctx);
    check_expected(badge);
    check_expected(name);
    check_expected(offset);
    assert_int_equal(*out_size, 0);
    assert_int_equal(*out_data_len, 0);
    for (size_t i = 0; i < AK_PM_FILE_CHUNK; i++)   /* the buffer starts zeroed */
        assert_int_equal(out_data[i], 0);
    *out_size = file_script.size;
    *out_data_len = file_script.len;
    memcpy(out_data, file_script.data, file_script.len < AK_PM_FILE_CHUNK ? file_script.len : AK_PM_FILE_CHUNK);
    return file_script.rc;
}

static const proc_handlers_t handlers = {
    .spawn = h_spawn, .wait = h_wait, .kill = h_kill, .list = h_list, .status = h_status, .vmms = h_vmms,
    .file = h_file,
};

/* ---- helpers ---- */

static int setup(void **state)
{
    (void)state;
    srv.calls = 0;
    memset(&buf, 0, sizeof buf);
    memset(&list_script, 0, sizeof list_script);
    memset(&file_script, 0, sizeof file_script);
    memset(&vmms_script, 0, sizeof vmms_script);
    return 0;
}

static void assert_error_reply(const ak_msg_t *m, int rc, uint64_t err)
{
    assert_int_equal(rc, -(int)err);
    assert_int_equal(ak_msginfo_label(m->info), err);
    assert_int_equal(ak_msginfo_len(m->info), 0);
    assert_int_equal(m->info & AK_MSGINFO_ZERO_MASK, 0);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);
}

static void assert_rejected(ak_msg_t m, uint64_t err)
{
    int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, err);
    assert_int_equal(srv.calls, 0);
}

static const char args_ok[] = "-n\0" "3\0";          /* two arguments, 5 bytes */
static const char env_ok[] = "MALLOC=chunk\0";        /* one variable, 13 bytes */

static spawn_args_t good_spawn(void)
{
    spawn_args_t a = {
        .program = "hello", .plen = 5, .args = args_ok, .alen = sizeof args_ok - 1,
        .env = env_ok, .elen = sizeof env_ok - 1, .pager = "vmm", .glen = 3,
        .priority = 3, .quota = 1000,
    };
    return a;
}

static void expect_spawn(const spawn_args_t *a, uint32_t pid, int rc)
{
    expect_value(h_spawn, ctx, &srv);
    expect_value(h_spawn, badge, BADGE);
    expect_memory(h_spawn, program, a->program, a->plen + 1);   /* NUL-terminated copy */
    expect_value(h_spawn, args_len, a->alen);
    if (a->alen)
        expect_memory(h_spawn, args, a->args, a->alen);
    expect_value(h_spawn, env_len, a->elen);
    if (a->elen)
        expect_memory(h_spawn, env, a->env, a->elen);
    expect_memory(h_spawn, pager, a->pager, a->glen + 1);
    expect_value(h_spawn, priority, a->priority);
    expect_value(h_spawn, quota, a->quota);
    will_return(h_spawn, a->program);
    will_return(h_spawn, pid);
    will_return(h_spawn, rc);
}

/* ---- well-formed requests ---- */

static void test_spawn(void **state)
{
    (void)state;
    spawn_args_t a = good_spawn();
    image_t im = spawn_image(&a);
    assert_int_equal(im.len, 6 + 1 + 1 + 2 + 1);
    ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
    expect_spawn(&a, 42, 0);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(srv.calls, 1);
    assert_int_equal(m.info, ak_msginfo(0, 1));
    assert_int_equal(m.w[0], 42);
    assert_int_equal(m.w[1], 0);
    assert_int_equal(m.w[2], 0);
    assert_int_equal(m.w[3], 0);
}

/* Every string at its bound: exactly 64 words.  And every string empty but the program. */
static void test_spawn_at_bounds(void **state)
{
    (void)state;
    static char prog[AK_PM_NAME_MAX + 1], pager[AK_PM_NAME_MAX + 1], args[AK_PM_ARGS_MAX], env[AK_PM_ENV_MAX];
    memset(prog, 'p', AK_PM_NAME_MAX);
    memset(pager, 'v', AK_PM_NAME_MAX);
    static const char arg_pattern[] = "abc", env_pattern[] = "EEE=EEE";   /* each with its NUL */
    for (size_t i = 0; i < sizeof args; i++)
        args[i] = arg_pattern[i % sizeof arg_pattern];
    for (size_t i = 0; i < sizeof env; i++)
        env[i] = env_pattern[i % sizeof env_pattern];
    args[sizeof args - 1] = '\0';
    env[sizeof env - 1] = '\0';
    spawn_args_t a = {
        .program = prog, .plen = AK_PM_NAME_MAX, .args = args, .alen = sizeof args,
        .env = env, .elen = sizeof env, .pager = pager, .glen = AK_PM_NAME_MAX,
        .priority = UINT8_MAX, .quota = UINT64_MAX,
    };
    image_t im = spawn_image(&a);
    assert_int_equal(im.len, AK_MSG_MAX_WORDS);
    ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
    expect_spawn(&a, UINT32_MAX, 0);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(m.w[0], UINT32_MAX);

    spawn_args_t e = { .program = "x", .plen = 1, .pager = "", .glen = 0 };
    im = spawn_image(&e);
    assert_int_equal(im.len, 7);
    m = message(PROC_LABEL_SPAWN, &im);
    expect_spawn(&e, 1, 0);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(srv.calls, 2);
}

static void test_spawn_handler_errors(void **state)
{
    (void)state;
    static const int errs[] = { -AK_ENOENT, -AK_EINVAL, -AK_ENOEXEC, -AK_ENOMEM, -AK_ENOSPC, -AK_E2BIG };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        spawn_args_t a = good_spawn();
        image_t im = spawn_image(&a);
        ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
        expect_spawn(&a, 9, errs[i]);       /* the pid of a failed spawn is not sent */
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, (uint64_t)-errs[i]);
    }
}

static void test_wait_kill_status(void **state)
{
    (void)state;
    image_t im = { .w = { 12 }, .len = 1 };
    ak_msg_t m = message(PROC_LABEL_WAIT, &im);
    expect_value(h_wait, ctx, &srv);
    expect_value(h_wait, badge, BADGE);
    expect_value(h_wait, pid, 12);
    will_return(h_wait, 0);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(m.info, ak_msginfo(0, 3));
    assert_int_equal(m.w[0], AK_PM_EXITED);
    assert_int_equal(m.w[1], (uint64_t)(int64_t)-7);       /* sign-extended */
    assert_int_equal(m.w[2], AK_PM_WHY_NONE);
    assert_int_equal(m.w[3], 0);

    m = message(PROC_LABEL_STATUS, &im);
    expect_value(h_status, pid, 12);
    will_return(h_status, 0);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    assert_int_equal(m.w[0], AK_PM_KILLED);
    assert_int_equal(m.w[1], (uint64_t)(int64_t)INT32_MIN);
    assert_int_equal(m.w[2], AK_PM_WHY_FAULT);

    static const int errs[] = { -AK_ESRCH, -AK_EPERM };
    for (size_t i = 0; i < 2; i++) {
        m = message(PROC_LABEL_KILL, &im);
        expect_value(h_kill, ctx, &srv);
        expect_value(h_kill, badge, BADGE);
        expect_value(h_kill, pid, 12);
        will_return(h_kill, errs[i]);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, (uint64_t)-errs[i]);
    }
    m = message(PROC_LABEL_WAIT, &im);
    expect_value(h_wait, ctx, &srv);
    expect_value(h_wait, badge, BADGE);
    expect_value(h_wait, pid, 12);
    will_return(h_wait, -AK_ESRCH);         /* outs of a failed wait are not sent */
    int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_ESRCH);
    assert_int_equal(srv.calls, 5);
}

static proc_entry_t entry(uint32_t pid, const char *name, const char *pager)
{
    proc_entry_t e;
    memset(&e, 0, sizeof e);
    e.pages = UINT64_C(0x1122334455667788) + pid;
    e.quota = 4096;
    e.pid = pid;
    e.parent = 1;
    e.exit_status = -(int32_t)pid;
    e.state = AK_PM_RUNNING;
    e.why = AK_PM_WHY_NONE;
    e.priority = 5;
    e.malloc_mode = AK_PM_MALLOC_CHUNK;
    memcpy(e.name, name, strlen(name) + 1);
    memcpy(e.pager, pager, strlen(pager) + 1);
    return e;
}

/* Entry i of a reply, read back from its bytes as the README lays them out. */
static void check_wire_entry(const uint64_t *w, size_t off, const proc_entry_t *e)
{
    uint64_t v = 0;
    for (unsigned i = 8; i-- > 0;)
        v = v << 8 | get_byte(w, off + i);
    assert_int_equal(v, e->pages);
    uint32_t pid = 0;
    for (unsigned i = 4; i-- > 0;)
        pid = pid << 8 | get_byte(w, off + 16 + i);
    assert_int_equal(pid, e->pid);
    uint32_t st = 0;
    for (unsigned i = 4; i-- > 0;)
        st = st << 8 | get_byte(w, off + 24 + i);
    assert_int_equal(st, (uint32_t)e->exit_status);
    assert_int_equal(get_byte(w, off + 28), e->state);
    assert_int_equal(get_byte(w, off + 31), e->malloc_mode);
    size_t n = strlen(e->name);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(get_byte(w, off + 32 + i), i < n ? (uint8_t)e->name[i] : 0);
    n = strlen(e->pager);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(get_byte(w, off + 48 + i), i < n ? (uint8_t)e->pager[i] : 0);
}

static void expect_list(uint32_t from)
{
    expect_value(h_list, ctx, &srv);
    expect_value(h_list, badge, BADGE);
    expect_value(h_list, from, from);
}

static void test_list(void **state)
{
    (void)state;
    for (unsigned n = 0; n <= AK_PM_LIST_MAX; n++) {
        memset(&list_script, 0, sizeof list_script);
        for (unsigned i = 0; i < AK_PM_LIST_MAX; i++)
            list_script.entries[i] = entry(10 + i, i % 2 ? "allocstress" : "hello", "vmm-bump");
        /* What lies past the count is never sent: leave junk there. */
        for (unsigned i = n; i < AK_PM_LIST_MAX; i++)
            memset(&list_script.entries[i], 0xee, sizeof list_script.entries[i]);
        list_script.next = n == AK_PM_LIST_MAX ? 17 : 0;
        list_script.count = n;
        image_t im = { .w = { 10 }, .len = 1 };
        ak_msg_t m = message(PROC_LABEL_LIST, &im);
        memset(&buf, 0x77, sizeof buf);
        expect_list(10);
        assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
        assert_int_equal(m.info, ak_msginfo(0, 2 + 8 * n));
        uint64_t w[AK_MSG_MAX_WORDS];
        reply_words(&m, w);
        assert_int_equal(w[0], list_script.next);
        assert_int_equal(w[1], n);
        for (unsigned i = 0; i < n; i++)
            check_wire_entry(w, 16 + 64 * i, &list_script.entries[i]);
        for (unsigned i = 2 + 8 * n; i < AK_MSG_REG_WORDS; i++)
            assert_int_equal(m.w[i], 0);
    }
}

/* A handler that breaks its side of the contract gets AK_EIO, and nothing of its entries leaves. */
static void test_list_handler_bugs(void **state)
{
    (void)state;
    image_t im = { .w = { 0 }, .len = 1 };
    static const uint64_t counts[] = { AK_PM_LIST_MAX + 1, UINT32_MAX, UINT64_MAX };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        list_script.count = counts[i];
        ak_msg_t m = message(PROC_LABEL_LIST, &im);
        expect_list(0);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, AK_EIO);
    }
    list_script.count = 1;
    list_script.entries[0] = entry(3, "hello", "vmm");
    list_script.sabotage_name = true;
    ak_msg_t m = message(PROC_LABEL_LIST, &im);
    expect_list(0);
    int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EIO);

    list_script.sabotage_name = false;
    list_script.rc = -AK_EPERM;
    m = message(PROC_LABEL_LIST, &im);
    expect_list(0);
    rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EPERM);
}

/* ---- vmms ---- */

static vmm_entry_t vmm_entry(uint32_t pid, const char *name, uint8_t alive)
{
    vmm_entry_t e;
    memset(&e, 0, sizeof e);
    e.frames_total = UINT64_C(0x0102030405060708) + pid;
    e.frames_free = 4000 + pid;
    e.frames_in_use = 50 + pid;
    e.frames_vmm = 46;
    e.peak = UINT64_MAX - pid;
    e.regions = 3 + pid;
    e.pid = pid;
    e.clients = 7 + pid;
    e.alive = alive;
    memcpy(e.name, name, strlen(name) + 1);
    return e;
}

static uint64_t get_u64(const uint64_t *w, size_t off)
{
    uint64_t v = 0;
    for (unsigned i = 8; i-- > 0;)
        v = v << 8 | get_byte(w, off + i);
    return v;
}

/* An entry of a reply, read back from its bytes: six u64, pid and clients (u32), alive (u8), the name. */
static void check_wire_vmm(const uint64_t *w, size_t off, const vmm_entry_t *e)
{
    assert_int_equal(get_u64(w, off), e->frames_total);
    assert_int_equal(get_u64(w, off + 8), e->frames_free);
    assert_int_equal(get_u64(w, off + 16), e->frames_in_use);
    assert_int_equal(get_u64(w, off + 24), e->frames_vmm);
    assert_int_equal(get_u64(w, off + 32), e->peak);
    assert_int_equal(get_u64(w, off + 40), e->regions);
    assert_int_equal(get_u64(w, off + 48) & 0xffffffffu, e->pid);
    assert_int_equal(get_u64(w, off + 48) >> 32, e->clients);
    assert_int_equal(get_byte(w, off + 56), e->alive);
    size_t n = strlen(e->name);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(get_byte(w, off + 57 + i), i < n ? (uint8_t)e->name[i] : 0);
    for (size_t i = 73; i < 80; i++)        /* the entry's padding */
        assert_int_equal(get_byte(w, off + i), 0);
}

static void expect_vmms(uint32_t from)
{
    expect_value(h_vmms, ctx, &srv);
    expect_value(h_vmms, badge, BADGE);
    expect_value(h_vmms, from, from);
}

static void test_vmms(void **state)
{
    (void)state;
    _Static_assert(VMM_ENTRY_SIZE == 80 && PROC_VMMS_REP_MAX_WORDS == 2 + AK_PM_VMMS_MAX * 10, "vmms layout");
    for (unsigned n = 0; n <= AK_PM_VMMS_MAX; n++) {
        memset(&vmms_script, 0, sizeof vmms_script);
        for (unsigned i = 0; i < AK_PM_VMMS_MAX; i++)
            vmms_script.entries[i] = vmm_entry(2 + i, i % 2 ? "vmm-list" : "fifteen-bytes-x", (uint8_t)(i % 3 != 2));
        for (unsigned i = n; i < AK_PM_VMMS_MAX; i++)   /* past the count: never sent */
            memset(&vmms_script.entries[i], 0xee, sizeof vmms_script.entries[i]);
        vmms_script.next = n == AK_PM_VMMS_MAX ? 6 : 0;
        vmms_script.count = n;
        uint32_t from = n == 3 ? UINT32_MAX : n;
        image_t im = { .w = { from }, .len = 1 };
        ak_msg_t m = message(PROC_LABEL_VMMS, &im);
        memset(&buf, 0x77, sizeof buf);
        expect_vmms(from);
        assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
        assert_int_equal(m.info, ak_msginfo(0, 2 + 10 * n));
        uint64_t w[AK_MSG_MAX_WORDS];
        reply_words(&m, w);
        assert_int_equal(w[0], vmms_script.next);
        assert_int_equal(w[1], n);
        for (unsigned i = 0; i < n; i++)
            check_wire_vmm(w, 16 + 80 * i, &vmms_script.entries[i]);
        for (unsigned i = 2 + 10 * n; i < AK_MSG_REG_WORDS; i++)
            assert_int_equal(m.w[i], 0);
    }
}

/* A handler that breaks its side gets AK_EIO (too many entries, a name without NUL); its error is the reply. */
static void test_vmms_handler_bugs(void **state)
{
    (void)state;
    image_t im = { .w = { 0 }, .len = 1 };
    static const uint64_t counts[] = { AK_PM_VMMS_MAX + 1, UINT32_MAX, UINT64_MAX };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        vmms_script.count = counts[i];
        ak_msg_t m = message(PROC_LABEL_VMMS, &im);
        expect_vmms(0);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, AK_EIO);
    }
    vmms_script.count = 1;
    vmms_script.entries[0] = vmm_entry(3, "vmm", 1);
    vmms_script.sabotage_name = true;
    ak_msg_t m = message(PROC_LABEL_VMMS, &im);
    expect_vmms(0);
    int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EIO);
    vmms_script.sabotage_name = false;
    vmms_script.rc = -AK_EPERM;
    m = message(PROC_LABEL_VMMS, &im);
    expect_vmms(0);
    rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EPERM);
}

/* ---- file ---- */

static image_t file_image(const char *name, size_t nlen, uint64_t offset)
{
    image_t im;
    memset(&im, 0, sizeof im);
    im.w[0] = nlen;
    im.w[1] = offset;
    uint64_t at = 2;
    put_bytes(&im, &at, name, nlen);
    im.len = at;
    return im;
}

static void expect_file(const char *name, uint64_t offset)
{
    expect_value(h_file, ctx, &srv);
    expect_value(h_file, badge, BADGE);
    expect_string(h_file, name, name);
    expect_value(h_file, offset, offset);
}

/* Every chunk length a reply can carry: size, length, the bytes from a word boundary, zero padding. */
static void test_file(void **state)
{
    (void)state;
    static const uint64_t lens[] = { 0, 1, 7, 8, 9, 100, AK_PM_FILE_CHUNK - 1, AK_PM_FILE_CHUNK };
    static const uint64_t offsets[] = { 0, 480, UINT64_MAX };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memset(&file_script, 0, sizeof file_script);
        file_script.size = UINT64_C(0x123456789) + i;
        file_script.len = lens[i];
        for (size_t b = 0; b < sizeof file_script.data; b++)
            file_script.data[b] = (uint8_t)(b * 3u + 1u);
        uint64_t offset = offsets[i % 3];
        image_t im = file_image("script", 6, offset);
        assert_int_equal(im.len, 3);
        ak_msg_t m = message(PROC_LABEL_FILE, &im);
        memset(&buf, 0x77, sizeof buf);
        expect_file("script", offset);
        assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
        assert_int_equal(m.info, ak_msginfo(0, 2 + (lens[i] + 7) / 8));
        uint64_t w[AK_MSG_MAX_WORDS];
        reply_words(&m, w);
        assert_int_equal(w[0], file_script.size);
        assert_int_equal(w[1], lens[i]);
        for (size_t b = 0; b < (lens[i] + 7) / 8 * 8; b++)
            assert_int_equal(get_byte(w, 16 + b), b < lens[i] ? file_script.data[b] : 0);
        for (unsigned r = 2 + (unsigned)((lens[i] + 7) / 8); r < AK_MSG_REG_WORDS; r++)
            assert_int_equal(m.w[r], 0);
    }
    /* The longest name and the empty one reach the handler (init judges the empty one). */
    memset(&file_script, 0, sizeof file_script);
    image_t im = file_image("fifteen-bytes-x", AK_PM_NAME_MAX, 5);
    ak_msg_t m = message(PROC_LABEL_FILE, &im);
    expect_file("fifteen-bytes-x", 5);
    assert_int_equal(proc_dispatch(&handlers, &srv, BADGE, &m, &buf), 0);
    im = file_image("", 0, 0);
    assert_int_equal(im.len, 2);
    m = message(PROC_LABEL_FILE, &im);
    expect_file("", 0);
    file_script.rc = -AK_EINVAL;
    int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
    assert_error_reply(&m, rc, AK_EINVAL);
}

/* A handler's error is the reply, with nothing else; a length past the chunk is AK_EIO. */
static void test_file_handler_errors(void **state)
{
    (void)state;
    static const struct { int rc; uint64_t len; uint64_t err; } cases[] = {
        { -AK_ENOENT, 0, AK_ENOENT },
        { -AK_ENOENT, 8, AK_ENOENT },           /* outs of a failed call are not sent */
        { -AK_EINVAL, 0, AK_EINVAL },
        { 0, AK_PM_FILE_CHUNK + 1, AK_EIO },
        { 0, UINT32_MAX, AK_EIO },
        { 0, UINT64_MAX, AK_EIO },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&file_script, 0, sizeof file_script);
        file_script.rc = cases[i].rc;
        file_script.len = cases[i].len;
        file_script.size = 99;
        image_t im = file_image("notes", 5, 0);
        ak_msg_t m = message(PROC_LABEL_FILE, &im);
        expect_file("notes", 0);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, cases[i].err);
    }
}

typedef struct bad_file {
    const char *what;
    uint64_t nlen;          /* the length word */
    uint64_t len;           /* the message's words (0: as the name needs) */
    uint64_t junk_word, junk;
} bad_file_t;

static void test_file_malformed(void **state)
{
    (void)state;
    static const bad_file_t bad[] = {
        { "name past its bound", AK_PM_NAME_MAX + 1, 4, 0, 0 },
        { "name length 2^64-1", UINT64_MAX, 2, 0, 0 },          /* (2^64-1 + 7) / 8 wraps to 0 */
        { "name length 2^64-7", UINT64_MAX - 6, 3, 0, 0 },
        { "name length 2^63", UINT64_C(1) << 63, 3, 0, 0 },
        { "name length 2^32-1", UINT32_MAX, 4, 0, 0 },
        { "name past the message", 9, 3, 0, 0 },
        { "one word long", 6, 4, 0, 0 },
        { "one word short", 9, 3, 0, 0 },
        { "fixed words only", 1, 2, 0, 0 },
        { "below the fixed words", 0, 1, 0, 0 },
        { "empty", 0, AK_MSG_MAX_WORDS + 1, 0, 0 },
        { "NUL inside the name", 6, 0, 2, 0 },                 /* the name's bytes cleared: "\0\0..." */
        { "junk in the padding", 6, 0, 2, UINT64_C(0x01) << 56 },
        { "junk in the last padding byte", 7, 0, 2, UINT64_C(0x80) << 56 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        image_t im = file_image("notes.txt", 9, 1);
        im.w[0] = bad[i].nlen;
        if (bad[i].len == AK_MSG_MAX_WORDS + 1)
            im.len = 0;
        else if (bad[i].len)
            im.len = bad[i].len;
        else {
            im = file_image("notes-x", bad[i].nlen, 1);
            if (bad[i].junk)
                im.w[bad[i].junk_word] |= bad[i].junk;
            else
                im.w[bad[i].junk_word] = 0;
        }
        ak_msg_t m = message(PROC_LABEL_FILE, &im);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        if (rc != -AK_EBADMSG || srv.calls != 0)
            fail_msg("%s: rc %d, %u handler calls", bad[i].what, rc, srv.calls);
        assert_error_reply(&m, rc, AK_EBADMSG);
    }
    /* A reserved info bit. */
    image_t im = file_image("notes", 5, 0);
    ak_msg_t m = message(PROC_LABEL_FILE, &im);
    m.info |= UINT64_C(1) << 8;
    assert_rejected(m, AK_EBADMSG);
}

/* ---- malformed requests: no handler runs ---- */

/* A spawn request and one change that makes it malformed. */
typedef struct bad_spawn {
    const char *what;
    void (*mutate)(image_t *im);
} bad_spawn_t;

static void set_len(image_t *im, unsigned word, uint64_t v) { im->w[word] = v; }

/* The message length the lengths in im claim (wrapping as C would without the bound checks). */
static uint64_t claimed_words(const image_t *im)
{
    return 6 + (im->w[0] + 7) / 8 + (im->w[1] + 7) / 8 + (im->w[2] + 7) / 8 + (im->w[3] + 7) / 8;
}

static void m_program_past_bound(image_t *im) { set_len(im, 0, AK_PM_NAME_MAX + 1); im->len = claimed_words(im); }
static void m_args_past_bound(image_t *im) { set_len(im, 1, AK_PM_ARGS_MAX + 1); im->len = claimed_words(im); }
static void m_env_past_bound(image_t *im) { set_len(im, 2, AK_PM_ENV_MAX + 8); im->len = claimed_words(im); }
static void m_pager_past_bound(image_t *im) { set_len(im, 3, 16); im->len = claimed_words(im); }
static void m_program_past_message(image_t *im) { set_len(im, 0, 15); }     /* 2 words, 1 sent */
static void m_args_past_message(image_t *im) { set_len(im, 1, 64); }
static void m_pager_past_message(image_t *im) { set_len(im, 3, 9); }
/* (2^64-1 + 7) / 8 wraps to 0 words: the length must be refused before that sum. */
static void m_program_wraps(image_t *im) { set_len(im, 0, UINT64_MAX); im->len = claimed_words(im); }
static void m_args_wraps(image_t *im) { set_len(im, 1, UINT64_MAX - 6); im->len = claimed_words(im); }
static void m_env_u32_max(image_t *im) { set_len(im, 2, UINT32_MAX); }
static void m_pager_2_63(image_t *im) { set_len(im, 3, UINT64_C(1) << 63); }
static void m_one_word_short(image_t *im) { im->len--; }
static void m_one_word_long(image_t *im) { im->len++; }
static void m_fixed_words_only(image_t *im) { im->len = 6; }
static void m_below_fixed(image_t *im) { im->len = 5; }
static void m_empty(image_t *im) { im->len = 0; }
static void m_nul_in_program(image_t *im) { im->w[6] &= ~(UINT64_C(0xff) << 16); }         /* "he\0lo" */
static void m_nul_first_in_pager(image_t *im) { im->w[im->len - 1] &= ~UINT64_C(0xff); }
static void m_args_no_final_nul(image_t *im) { im->w[7] |= UINT64_C(0x21) << 32; }       /* byte 4: '!' */
static void m_env_no_final_nul(image_t *im) { im->w[9] |= UINT64_C(0x3f) << 32; }        /* byte 12 */
static void m_junk_after_program(image_t *im) { im->w[6] |= UINT64_C(0x01) << 56; }      /* byte 7 of its word */
static void m_junk_after_args(image_t *im) { im->w[7] |= UINT64_C(0x80) << 40; }         /* byte 5 */
static void m_junk_after_pager(image_t *im) { im->w[10] |= UINT64_C(1) << 63; }
static void m_priority_wide(image_t *im) { im->w[4] = 0x100; }
static void m_priority_negative(image_t *im) { im->w[4] = UINT64_MAX; }

static const bad_spawn_t bad_spawns[] = {
    { "program past its bound", m_program_past_bound },
    { "args past its bound", m_args_past_bound },
    { "env past its bound", m_env_past_bound },
    { "pager past its bound", m_pager_past_bound },
    { "program past the message", m_program_past_message },
    { "args past the message", m_args_past_message },
    { "pager past the message", m_pager_past_message },
    { "program length 2^64-1", m_program_wraps },
    { "args length 2^64-7", m_args_wraps },
    { "env length 2^32-1", m_env_u32_max },
    { "pager length 2^63", m_pager_2_63 },
    { "one word short", m_one_word_short },
    { "one word long", m_one_word_long },
    { "fixed words only", m_fixed_words_only },
    { "below the fixed words", m_below_fixed },
    { "empty", m_empty },
    { "NUL inside the program", m_nul_in_program },
    { "NUL inside the pager", m_nul_first_in_pager },
    { "args without a final NUL", m_args_no_final_nul },
    { "env without a final NUL", m_env_no_final_nul },
    { "junk after the program", m_junk_after_program },
    { "junk after the args", m_junk_after_args },
    { "junk after the pager", m_junk_after_pager },
    { "priority past u8", m_priority_wide },
    { "priority 2^64-1", m_priority_negative },
};

static void test_spawn_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_spawns / sizeof bad_spawns[0]; i++) {
        spawn_args_t a = good_spawn();
        image_t im = spawn_image(&a);
        bad_spawns[i].mutate(&im);
        if (im.len > AK_MSG_MAX_WORDS)
            im.len = AK_MSG_MAX_WORDS;
        ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
        int rc = proc_dispatch(&handlers, &srv, BADGE, &m, &buf);
        if (rc != -AK_EBADMSG || srv.calls != 0)
            fail_msg("%s: rc %d, %u handler calls", bad_spawns[i].what, rc, srv.calls);
        assert_error_reply(&m, rc, AK_EBADMSG);
    }
}

/* The same lengths in a message long enough for them: still refused by the bound. */
static void test_spawn_bound_not_message(void **state)
{
    (void)state;
    static char big[AK_PM_NAME_MAX + 9];
    memset(big, 'a', sizeof big);
    spawn_args_t a = { .program = big, .plen = AK_PM_NAME_MAX + 1, .pager = "vmm", .glen = 3 };
    image_t im = spawn_image(&a);
    assert_int_equal(im.len, claimed_words(&im));
    assert_rejected(message(PROC_LABEL_SPAWN, &im), AK_EBADMSG);
    a.plen = 1;
    a.pager = big;
    a.glen = sizeof big;
    im = spawn_image(&a);
    assert_rejected(message(PROC_LABEL_SPAWN, &im), AK_EBADMSG);
}

static void test_bad_info_and_labels(void **state)
{
    (void)state;
    spawn_args_t a = good_spawn();
    image_t im = spawn_image(&a);
    for (unsigned bit = 7; bit <= 11; bit++) {
        ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
        m.info |= UINT64_C(1) << bit;
        assert_rejected(m, AK_EBADMSG);
    }
    for (uint64_t len = AK_MSG_MAX_WORDS + 1; len <= AK_MSGINFO_LEN_MASK; len++) {
        ak_msg_t m = message(PROC_LABEL_SPAWN, &im);
        m.info = (PROC_LABEL_SPAWN << AK_MSGINFO_LABEL_SHIFT) | len;
        assert_rejected(m, AK_EBADMSG);
    }
    static const uint64_t labels[] = { 0, 8, 9, 0xA0001, AK_MSGINFO_LABEL_MAX };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        assert_rejected(message(labels[i], &im), AK_ENOSYS);
}

static void test_scalar_methods_malformed(void **state)
{
    (void)state;
    static const uint64_t labels[] = { PROC_LABEL_WAIT, PROC_LABEL_KILL, PROC_LABEL_LIST, PROC_LABEL_STATUS,
                                       PROC_LABEL_VMMS };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        image_t im = { .w = { UINT64_C(1) << 32 }, .len = 1 };     /* a pid or from past u32 */
        assert_rejected(message(labels[i], &im), AK_EBADMSG);
        im.w[0] = UINT64_MAX;
        assert_rejected(message(labels[i], &im), AK_EBADMSG);
        for (uint64_t len = 0; len <= AK_MSG_MAX_WORDS; len++) {
            if (len == 1)
                continue;
            im.w[0] = 1;
            im.len = len;
            assert_rejected(message(labels[i], &im), AK_EBADMSG);
        }
    }
}

static void test_missing_handlers(void **state)
{
    (void)state;
    static const proc_handlers_t none = { 0 };
    spawn_args_t a = good_spawn();
    image_t sp = spawn_image(&a);
    image_t one = { .w = { 1 }, .len = 1 };
    image_t file = file_image("notes", 5, 0);
    const struct { uint64_t label; const image_t *im; } msgs[] = {
        { PROC_LABEL_SPAWN, &sp }, { PROC_LABEL_WAIT, &one }, { PROC_LABEL_KILL, &one },
        { PROC_LABEL_LIST, &one }, { PROC_LABEL_STATUS, &one }, { PROC_LABEL_VMMS, &one },
        { PROC_LABEL_FILE, &file },
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        ak_msg_t m = message(msgs[i].label, msgs[i].im);
        int rc = proc_dispatch(&none, &srv, BADGE, &m, &buf);
        assert_error_reply(&m, rc, AK_ENOSYS);
    }
    assert_int_equal(srv.calls, 0);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_spawn, setup),
        cmocka_unit_test_setup(test_spawn_at_bounds, setup),
        cmocka_unit_test_setup(test_spawn_handler_errors, setup),
        cmocka_unit_test_setup(test_wait_kill_status, setup),
        cmocka_unit_test_setup(test_list, setup),
        cmocka_unit_test_setup(test_list_handler_bugs, setup),
        cmocka_unit_test_setup(test_vmms, setup),
        cmocka_unit_test_setup(test_vmms_handler_bugs, setup),
        cmocka_unit_test_setup(test_file, setup),
        cmocka_unit_test_setup(test_file_handler_errors, setup),
        cmocka_unit_test_setup(test_file_malformed, setup),
        cmocka_unit_test_setup(test_spawn_malformed, setup),
        cmocka_unit_test_setup(test_spawn_bound_not_message, setup),
        cmocka_unit_test_setup(test_bad_info_and_labels, setup),
        cmocka_unit_test_setup(test_scalar_methods_malformed, setup),
        cmocka_unit_test_setup(test_missing_handlers, setup),
    };
    return cmocka_run_group_tests_name("proc_server", tests, NULL, NULL);
}
