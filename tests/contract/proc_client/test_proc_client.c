/*
 * Contract of the generated process-manager client stubs (idl/proc.idl):
 * spawn sends exactly its label, its six fixed words and each string from
 * a word boundary with zero padding (checked against an image built here
 * from the wire format of idl/README.md); a string past its bound is
 * -AK_E2BIG and an argument or environment list not ending in NUL is
 * -AK_EINVAL, with nothing sent; every reply maps to the documented
 * result, and a malformed list reply (a count past the bound or the
 * message, wrapping counts, a name without its NUL or with junk after it)
 * is -AK_EBADMSG with no out pointer written; so is a file reply whose
 * data length passes its bound or the message, or whose padding is not zero,
 * and a vmms reply as malformed as a list one.
 *
 * ak_ipc_call and ak_ipc_buffer are replaced by the fakes below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/procmgr.h>
#include <akuma/ipc.h>
#include <idl/proc_client.h>

#define EP 5u
#define UNTOUCHED 0x5a

static ak_ipcbuf_t ipcbuf;

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return &ipcbuf;
}

typedef struct reply {
    int64_t rc;
    ak_msginfo_t info;
    uint64_t w[AK_MSG_MAX_WORDS];
} reply_t;

int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m)
{
    uint64_t label = ak_msginfo_label(m->info);
    uint64_t len = ak_msginfo_len(m->info);
    uint64_t reserved = m->info & AK_MSGINFO_ZERO_MASK;
    uint64_t words[AK_MSG_MAX_WORDS] = { 0 };
    for (uint64_t i = 0; i < len && i < AK_MSG_MAX_WORDS; i++)
        words[i] = i < AK_MSG_REG_WORDS ? m->w[i] : ipcbuf.words[i];
    check_expected(slot);
    check_expected(label);
    check_expected(len);
    check_expected(reserved);
    check_expected_ptr(words);
    for (uint64_t i = len; i < AK_MSG_REG_WORDS; i++)
        assert_int_equal(m->w[i], 0);

    const reply_t *r = mock_ptr_type(const reply_t *);
    if (r->rc < 0)
        return r->rc;
    m->info = r->info;
    for (unsigned i = 0; i < AK_MSG_MAX_WORDS; i++) {
        if (i < AK_MSG_REG_WORDS)
            m->w[i] = r->w[i];
        else
            ipcbuf.words[i] = r->w[i];
    }
    return r->rc;
}

/* ---- images from the wire format ---- */

typedef struct image {
    uint64_t w[AK_MSG_MAX_WORDS];
    uint64_t len;
} image_t;

static void put_bytes(uint64_t *w, uint64_t *at, const void *src, size_t n)
{
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        w[*at + i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
    *at += (n + 7) / 8;
}

static void expect_image(uint64_t label, const image_t *im)
{
    static uint64_t words[16][AK_MSG_MAX_WORDS];    /* expect_memory keeps a copy; room per call */
    static unsigned k;
    uint64_t *w = words[k++ % 16];
    memset(w, 0, AK_MSG_MAX_WORDS * sizeof *w);
    memcpy(w, im->w, im->len * sizeof *w);
    expect_value(ak_ipc_call, slot, EP);
    expect_value(ak_ipc_call, label, label);
    expect_value(ak_ipc_call, len, im->len);
    expect_value(ak_ipc_call, reserved, 0);
    expect_memory(ak_ipc_call, words, w, AK_MSG_MAX_WORDS * sizeof *w);
}

static image_t spawn_image(const char *program, const char *args, size_t alen, const char *env, size_t elen,
                           const char *pager, uint64_t priority, uint64_t quota)
{
    image_t im;
    memset(&im, 0, sizeof im);
    im.w[0] = strlen(program);
    im.w[1] = alen;
    im.w[2] = elen;
    im.w[3] = strlen(pager);
    im.w[4] = priority;
    im.w[5] = quota;
    uint64_t at = 6;
    put_bytes(im.w, &at, program, strlen(program));
    put_bytes(im.w, &at, args, alen);
    put_bytes(im.w, &at, env, elen);
    put_bytes(im.w, &at, pager, strlen(pager));
    im.len = at;
    return im;
}

static reply_t make_reply(uint64_t label, uint64_t len)
{
    reply_t r;
    memset(&r, 0, sizeof r);
    r.info = ak_msginfo(label, len);
    return r;
}

static const char args_ok[] = "-v\0" "input.txt\0";
static const char env_ok[] = "MALLOC=page\0" "HOME=/\0";

/* ---- spawn ---- */

static void test_spawn(void **state)
{
    (void)state;
    image_t im = spawn_image("hello", args_ok, sizeof args_ok - 1, env_ok, sizeof env_ok - 1, "vmm-list", 7, 512);
    assert_int_equal(im.len, 6 + 1 + 2 + 3 + 1);
    expect_image(PROC_LABEL_SPAWN, &im);
    reply_t r = make_reply(0, 1);
    r.w[0] = 33;
    will_return(ak_ipc_call, &r);
    uint32_t pid = 0;
    assert_int_equal(proc_spawn(EP, "hello", args_ok, sizeof args_ok - 1, env_ok, sizeof env_ok - 1, "vmm-list",
                                7, 512, &pid), 0);
    assert_int_equal(pid, 33);

    /* No arguments, no environment (NULL pointers with length 0), an empty pager name. */
    im = spawn_image("a", NULL, 0, NULL, 0, "", 0, 0);
    assert_int_equal(im.len, 7);
    expect_image(PROC_LABEL_SPAWN, &im);
    r.w[0] = UINT32_MAX;
    will_return(ak_ipc_call, &r);
    assert_int_equal(proc_spawn(EP, "a", NULL, 0, NULL, 0, "", 0, 0, &pid), 0);
    assert_int_equal(pid, UINT32_MAX);
}

static void test_spawn_at_bounds(void **state)
{
    (void)state;
    static char prog[AK_PM_NAME_MAX + 1], pager[AK_PM_NAME_MAX + 1], args[AK_PM_ARGS_MAX], env[AK_PM_ENV_MAX];
    memset(prog, 'P', AK_PM_NAME_MAX);
    memset(pager, 'V', AK_PM_NAME_MAX);
    memset(args, 'a', sizeof args);
    memset(env, 'e', sizeof env);
    args[100] = args[sizeof args - 1] = '\0';
    env[5] = '=';
    env[sizeof env - 1] = '\0';
    image_t im = spawn_image(prog, args, sizeof args, env, sizeof env, pager, UINT8_MAX, UINT64_MAX);
    assert_int_equal(im.len, AK_MSG_MAX_WORDS);
    expect_image(PROC_LABEL_SPAWN, &im);
    reply_t r = make_reply(0, 1);
    will_return(ak_ipc_call, &r);
    uint32_t pid = 1;
    assert_int_equal(proc_spawn(EP, prog, args, sizeof args, env, sizeof env, pager, UINT8_MAX, UINT64_MAX, &pid), 0);
    assert_int_equal(pid, 0);
}

/* Past a bound, or a list without its last NUL: refused before anything is sent (no call is expected). */
static void test_spawn_refused_locally(void **state)
{
    (void)state;
    static char long_name[AK_PM_NAME_MAX + 2];
    memset(long_name, 'n', AK_PM_NAME_MAX + 1);       /* 16 characters, then its NUL */
    static char args[AK_PM_ARGS_MAX + 1], env[AK_PM_ENV_MAX + 1];
    memset(args, 0, sizeof args);
    memset(env, 0, sizeof env);
    uint32_t pid = 77;
    assert_int_equal(proc_spawn(EP, long_name, NULL, 0, NULL, 0, "vmm", 0, 0, &pid), -AK_E2BIG);
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, NULL, 0, long_name, 0, 0, &pid), -AK_E2BIG);
    assert_int_equal(proc_spawn(EP, "hello", args, sizeof args, NULL, 0, "vmm", 0, 0, &pid), -AK_E2BIG);
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, env, sizeof env, "vmm", 0, 0, &pid), -AK_E2BIG);
    /* Wrapping lengths: refused by the bound, the pointer never read. */
    assert_int_equal(proc_spawn(EP, "hello", args, UINT64_MAX, NULL, 0, "vmm", 0, 0, &pid), -AK_E2BIG);
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, env, UINT32_MAX, "vmm", 0, 0, &pid), -AK_E2BIG);
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, env, UINT64_MAX - 6, "vmm", 0, 0, &pid), -AK_E2BIG);
    /* The last argument or variable is not terminated. */
    assert_int_equal(proc_spawn(EP, "hello", "a\0b", 3, NULL, 0, "vmm", 0, 0, &pid), -AK_EINVAL);
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, "K=V", 3, "vmm", 0, 0, &pid), -AK_EINVAL);
    assert_int_equal(pid, 77);
}

static void test_spawn_replies(void **state)
{
    (void)state;
    image_t im = spawn_image("hello", NULL, 0, NULL, 0, "vmm", 1, 1);
    static const uint64_t errs[] = { AK_ENOENT, AK_EINVAL, AK_ENOEXEC, AK_ENOMEM, AK_ENOSPC, AK_E2BIG, AK_EBADMSG };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        expect_image(PROC_LABEL_SPAWN, &im);
        reply_t r = make_reply(errs[i], 0);
        will_return(ak_ipc_call, &r);
        uint32_t pid = 77;
        assert_int_equal(proc_spawn(EP, "hello", NULL, 0, NULL, 0, "vmm", 1, 1, &pid), -(int)errs[i]);
        assert_int_equal(pid, 77);
    }
    reply_t bad[] = { make_reply(0, 0), make_reply(0, 2), make_reply(0, 1), make_reply(AK_ERRNO_MAX + 1, 0) };
    bad[2].w[0] = UINT64_C(1) << 32;                /* a pid past u32 */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_image(PROC_LABEL_SPAWN, &im);
        will_return(ak_ipc_call, &bad[i]);
        uint32_t pid = 77;
        assert_int_equal(proc_spawn(EP, "hello", NULL, 0, NULL, 0, "vmm", 1, 1, &pid), -AK_EBADMSG);
        assert_int_equal(pid, 77);
    }
    reply_t kerr = { .rc = -AK_EBADF };
    expect_image(PROC_LABEL_SPAWN, &im);
    will_return(ak_ipc_call, &kerr);
    uint32_t pid = 77;
    assert_int_equal(proc_spawn(EP, "hello", NULL, 0, NULL, 0, "vmm", 1, 1, &pid), -AK_EBADF);
}

/* ---- wait, status, kill ---- */

static void test_wait_status_kill(void **state)
{
    (void)state;
    image_t im = { .w = { 9 }, .len = 1 };
    reply_t r = make_reply(0, 3);
    r.w[0] = AK_PM_KILLED;
    r.w[1] = (uint64_t)(int64_t)-11;
    r.w[2] = AK_PM_WHY_KILL;
    uint8_t st = 0, why = 0;
    int32_t code = 0;
    expect_image(PROC_LABEL_WAIT, &im);
    will_return(ak_ipc_call, &r);
    assert_int_equal(proc_wait(EP, 9, &st, &code, &why), 0);
    assert_int_equal(st, AK_PM_KILLED);
    assert_int_equal(code, -11);
    assert_int_equal(why, AK_PM_WHY_KILL);

    /* An exit status that is no sign-extended i32, a state past u8: malformed. */
    reply_t bad = r;
    bad.w[1] = UINT64_C(0x80000000);
    expect_image(PROC_LABEL_STATUS, &im);
    will_return(ak_ipc_call, &bad);
    assert_int_equal(proc_status(EP, 9, &st, &code, &why), -AK_EBADMSG);
    bad = r;
    bad.w[0] = 0x100;
    expect_image(PROC_LABEL_STATUS, &im);
    will_return(ak_ipc_call, &bad);
    assert_int_equal(proc_status(EP, 9, &st, &code, &why), -AK_EBADMSG);
    assert_int_equal(code, -11);

    reply_t srch = make_reply(AK_ESRCH, 0);
    expect_image(PROC_LABEL_KILL, &im);
    will_return(ak_ipc_call, &srch);
    assert_int_equal(proc_kill(EP, 9), -AK_ESRCH);
    reply_t ok = make_reply(0, 0);
    expect_image(PROC_LABEL_KILL, &im);
    will_return(ak_ipc_call, &ok);
    assert_int_equal(proc_kill(EP, 9), 0);
}

/* ---- list ---- */

/* Entry bytes as the wire lays them out (64 bytes, see proc_types.h). */
static void put_entry(uint64_t *w, size_t off, uint32_t pid, const char *name, const char *pager)
{
    uint64_t at = 0;
    uint64_t e[8] = { 0 };
    e[0] = 100 + pid;                           /* pages */
    e[1] = 200 + pid;                           /* quota */
    e[2] = pid | (uint64_t)1 << 32;             /* pid, parent 1 */
    e[3] = (uint64_t)(uint32_t)-3 | (uint64_t)AK_PM_EXITED << 32 | (uint64_t)4 << 48 |
           (uint64_t)AK_PM_MALLOC_PAGE << 56;   /* exit_status -3, state, why 0, priority 4, malloc */
    at = 4;
    put_bytes(e, &at, name, strlen(name));
    at = 6;
    put_bytes(e, &at, pager, strlen(pager));
    for (unsigned i = 0; i < 8; i++)
        w[off / 8 + i] = e[i];
}

static reply_t list_reply(uint64_t next, unsigned n)
{
    reply_t r = make_reply(0, 2 + 8 * n);
    r.w[0] = next;
    r.w[1] = n;
    for (unsigned i = 0; i < n; i++)
        put_entry(r.w, 16 + 64 * i, 20 + i, i ? "allocstress" : "hello", "vmm-bump");
    return r;
}

static int call_list(uint32_t from, uint32_t *next, proc_entry_t *entries, uint64_t *count)
{
    image_t im = { .w = { from }, .len = 1 };
    expect_image(PROC_LABEL_LIST, &im);
    return proc_list(EP, from, next, entries, count);
}

static void test_list(void **state)
{
    (void)state;
    for (unsigned n = 0; n <= AK_PM_LIST_MAX; n++) {
        reply_t r = list_reply(n == AK_PM_LIST_MAX ? 27 : 0, n);
        will_return(ak_ipc_call, &r);
        proc_entry_t e[AK_PM_LIST_MAX];
        memset(e, UNTOUCHED, sizeof e);
        uint32_t next = 1;
        uint64_t count = 99;
        assert_int_equal(call_list(20, &next, e, &count), 0);
        assert_int_equal(next, n == AK_PM_LIST_MAX ? 27 : 0);
        assert_int_equal(count, n);
        for (unsigned i = 0; i < n; i++) {
            assert_int_equal(e[i].pid, 20 + i);
            assert_int_equal(e[i].parent, 1);
            assert_int_equal(e[i].pages, 120 + i);
            assert_int_equal(e[i].quota, 220 + i);
            assert_int_equal(e[i].exit_status, -3);
            assert_int_equal(e[i].state, AK_PM_EXITED);
            assert_int_equal(e[i].why, 0);
            assert_int_equal(e[i].priority, 4);
            assert_int_equal(e[i].malloc_mode, AK_PM_MALLOC_PAGE);
            assert_string_equal(e[i].name, i ? "allocstress" : "hello");
            assert_string_equal(e[i].pager, "vmm-bump");
        }
        /* Entries past the count are not written. */
        const unsigned char *rest = (const unsigned char *)&e[n];
        for (size_t b = 0; b < (AK_PM_LIST_MAX - n) * sizeof e[0]; b++)
            assert_int_equal(rest[b], UNTOUCHED);
    }
}

static void test_list_bad_replies(void **state)
{
    (void)state;
    reply_t bad[16];
    unsigned k = 0;
    bad[k++] = list_reply(0, AK_PM_LIST_MAX);
    bad[k - 1].w[1] = AK_PM_LIST_MAX + 1;               /* a count past the bound */
    bad[k++] = list_reply(0, 2);
    bad[k - 1].w[1] = 3;                                /* past the message */
    bad[k++] = list_reply(0, 2);
    bad[k - 1].w[1] = 1;                                /* short of the message */
    bad[k++] = list_reply(0, 1);
    bad[k - 1].w[1] = UINT64_MAX;                       /* wrapping counts */
    bad[k++] = list_reply(0, 1);
    bad[k - 1].w[1] = UINT32_MAX;
    bad[k++] = list_reply(0, 1);
    bad[k - 1].w[1] = UINT64_C(1) << 58;                /* * 64 wraps to 0 */
    bad[k - 1].info = ak_msginfo(0, 2);
    bad[k++] = list_reply(UINT64_C(1) << 32, 1);        /* next past u32 */
    bad[k++] = list_reply(0, 1);
    bad[k - 1].info = ak_msginfo(0, 1);                 /* below the fixed words */
    bad[k++] = list_reply(0, 3);
    bad[k - 1].w[2 + 8 + 4] |= UINT64_C(0xff) << 56;    /* entry 1's name fills its 16 bytes: */
    bad[k - 1].w[2 + 8 + 5] = UINT64_C(0x4141414141414141);   /* no NUL */
    bad[k++] = list_reply(0, 3);
    bad[k - 1].w[2 + 16 + 5] |= UINT64_C(0x7a) << 40;   /* entry 2's name: junk after its NUL */
    bad[k++] = list_reply(0, 2);
    bad[k - 1].w[2 + 8 + 7] |= UINT64_C(1) << 63;       /* entry 1's pager: last byte not NUL */
    bad[k++] = list_reply(0, 1);
    bad[k - 1].info |= UINT64_C(1) << 9;                /* a reserved info bit */
    for (unsigned i = 0; i < k; i++) {
        will_return(ak_ipc_call, &bad[i]);
        proc_entry_t e[AK_PM_LIST_MAX];
        memset(e, UNTOUCHED, sizeof e);
        uint32_t next = 0x5a5a5a5a;
        uint64_t count = 0x5a5a;
        int rc = call_list(0, &next, e, &count);
        if (rc != -AK_EBADMSG)
            fail_msg("bad list reply %u: %d", i, rc);
        assert_int_equal(next, 0x5a5a5a5a);
        assert_int_equal(count, 0x5a5a);
        const unsigned char *b = (const unsigned char *)e;
        for (size_t j = 0; j < sizeof e; j++)
            assert_int_equal(b[j], UNTOUCHED);
    }
}

/* ---- vmms ---- */

/* Entry bytes at byte off of w (word-aligned), as the wire lays a vmm_entry out (80 bytes). */
static void put_vmm(uint64_t *w, size_t off, uint32_t pid, const char *name)
{
    uint64_t e[10] = { 0 };
    for (unsigned i = 0; i < 6; i++)
        e[i] = 1000 * (i + 1) + pid;            /* total, free, in use, vmm, peak, regions */
    e[6] = pid | (uint64_t)(pid + 5) << 32;     /* pid, clients */
    e[7] = 1;                                   /* alive; the name starts at byte 57 */
    uint8_t *b = (uint8_t *)e;
    for (size_t i = 0; name[i] != '\0'; i++)   /* its NUL and the rest are the zeros already there */
        b[57 + i] = (uint8_t)name[i];
    for (unsigned i = 0; i < 10; i++)
        w[off / 8 + i] = e[i];
}

static reply_t vmms_reply(uint64_t next, unsigned n)
{
    reply_t r = make_reply(0, 2 + 10 * n);
    r.w[0] = next;
    r.w[1] = n;
    for (unsigned i = 0; i < n; i++)
        put_vmm(r.w, 16 + 80 * i, 30 + i, i % 2 ? "vmm-list" : "fifteen-bytes-x");
    return r;
}

static int call_vmms(uint32_t from, uint32_t *next, vmm_entry_t *entries, uint64_t *count)
{
    image_t im = { .w = { from }, .len = 1 };
    expect_image(PROC_LABEL_VMMS, &im);
    return proc_vmms(EP, from, next, entries, count);
}

static void test_vmms(void **state)
{
    (void)state;
    for (unsigned n = 0; n <= AK_PM_VMMS_MAX; n++) {
        reply_t r = vmms_reply(n == AK_PM_VMMS_MAX ? 6 : 0, n);
        will_return(ak_ipc_call, &r);
        vmm_entry_t e[AK_PM_VMMS_MAX];
        memset(e, UNTOUCHED, sizeof e);
        uint32_t next = 1;
        uint64_t count = 99;
        uint32_t from = n == 2 ? UINT32_MAX : n;
        assert_int_equal(call_vmms(from, &next, e, &count), 0);
        assert_int_equal(next, n == AK_PM_VMMS_MAX ? 6 : 0);
        assert_int_equal(count, n);
        for (unsigned i = 0; i < n; i++) {
            uint32_t pid = 30 + i;
            assert_int_equal(e[i].frames_total, 1000 + pid);
            assert_int_equal(e[i].frames_free, 2000 + pid);
            assert_int_equal(e[i].frames_in_use, 3000 + pid);
            assert_int_equal(e[i].frames_vmm, 4000 + pid);
            assert_int_equal(e[i].peak, 5000 + pid);
            assert_int_equal(e[i].regions, 6000 + pid);
            assert_int_equal(e[i].pid, pid);
            assert_int_equal(e[i].clients, pid + 5);
            assert_int_equal(e[i].alive, 1);
            assert_string_equal(e[i].name, i % 2 ? "vmm-list" : "fifteen-bytes-x");
        }
        const unsigned char *rest = (const unsigned char *)&e[n];
        for (size_t b = 0; b < (AK_PM_VMMS_MAX - n) * sizeof e[0]; b++)
            assert_int_equal(rest[b], UNTOUCHED);
    }
}

static void test_vmms_bad_replies(void **state)
{
    (void)state;
    reply_t bad[16];
    unsigned k = 0;
    bad[k++] = vmms_reply(0, AK_PM_VMMS_MAX);
    bad[k - 1].w[1] = AK_PM_VMMS_MAX + 1;               /* a count past the bound */
    bad[k++] = vmms_reply(0, 2);
    bad[k - 1].w[1] = 3;                                /* past the message */
    bad[k++] = vmms_reply(0, 2);
    bad[k - 1].w[1] = 1;                                /* short of the message */
    bad[k++] = vmms_reply(0, 1);
    bad[k - 1].w[1] = UINT64_MAX;                       /* wrapping counts */
    bad[k++] = vmms_reply(0, 1);
    bad[k - 1].w[1] = UINT64_C(1) << 61;                /* * 80 wraps */
    bad[k - 1].info = ak_msginfo(0, 2);
    bad[k++] = vmms_reply(UINT64_C(1) << 32, 1);        /* next past u32 */
    bad[k++] = vmms_reply(0, 1);
    bad[k - 1].info = ak_msginfo(0, 1);                 /* below the fixed words */
    bad[k++] = vmms_reply(0, 2);
    bad[k - 1].w[2 + 10 + 7] |= UINT64_C(0x41) << 56;   /* entry 1's name: all 16 bytes, no NUL */
    bad[k - 1].w[2 + 10 + 8] = UINT64_C(0x4141414141414141);
    bad[k - 1].w[2 + 10 + 9] |= UINT64_C(0x41);
    bad[k++] = vmms_reply(0, 1);
    bad[k - 1].w[2 + 9] |= UINT64_C(0x7a) << 48;        /* entry 0: junk in its padding (byte 78) */
    bad[k++] = vmms_reply(0, 2);
    bad[k - 1].w[2 + 10 + 8] |= UINT64_C(0x7a) << 48;   /* entry 1 ("vmm-list"): junk after its NUL (byte 70) */
    bad[k++] = vmms_reply(0, 1);
    bad[k - 1].info |= UINT64_C(1) << 9;                /* a reserved info bit */
    for (unsigned i = 0; i < k; i++) {
        will_return(ak_ipc_call, &bad[i]);
        vmm_entry_t e[AK_PM_VMMS_MAX];
        memset(e, UNTOUCHED, sizeof e);
        uint32_t next = 0x5a5a5a5a;
        uint64_t count = 0x5a5a;
        int rc = call_vmms(0, &next, e, &count);
        if (rc != -AK_EBADMSG)
            fail_msg("bad vmms reply %u: %d", i, rc);
        assert_int_equal(next, 0x5a5a5a5a);
        assert_int_equal(count, 0x5a5a);
        const unsigned char *b = (const unsigned char *)e;
        for (size_t j = 0; j < sizeof e; j++)
            assert_int_equal(b[j], UNTOUCHED);
    }
}

/* ---- file ---- */

static image_t file_image(const char *name, uint64_t offset)
{
    image_t im;
    memset(&im, 0, sizeof im);
    im.w[0] = strlen(name);
    im.w[1] = offset;
    uint64_t at = 2;
    put_bytes(im.w, &at, name, strlen(name));
    im.len = at;
    return im;
}

static reply_t file_reply(uint64_t size, uint64_t len)
{
    reply_t r = make_reply(0, 2 + (len + 7) / 8);
    r.w[0] = size;
    r.w[1] = len;
    uint64_t at = 2;
    uint8_t data[AK_PM_FILE_CHUNK];
    for (size_t b = 0; b < sizeof data; b++)
        data[b] = (uint8_t)(b * 5u + 2u);
    put_bytes(r.w, &at, data, len);
    return r;
}

static void test_file(void **state)
{
    (void)state;
    static const uint64_t lens[] = { 0, 1, 7, 8, 9, 100, AK_PM_FILE_CHUNK - 1, AK_PM_FILE_CHUNK };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint64_t offset = i % 2 ? UINT64_MAX - i : 480 * i;
        image_t im = file_image("script", offset);
        assert_int_equal(im.len, 3);
        expect_image(PROC_LABEL_FILE, &im);
        reply_t r = file_reply(4000 + i, lens[i]);
        will_return(ak_ipc_call, &r);
        uint8_t data[AK_PM_FILE_CHUNK + 8];
        memset(data, UNTOUCHED, sizeof data);
        uint64_t size = 1, len = 1;
        assert_int_equal(proc_file(EP, "script", offset, &size, data, &len), 0);
        assert_int_equal(size, 4000 + i);
        assert_int_equal(len, lens[i]);
        for (size_t b = 0; b < sizeof data; b++)
            assert_int_equal(data[b], b < lens[i] ? (uint8_t)(b * 5u + 2u) : UNTOUCHED);
    }
    /* The longest name travels; a longer one never leaves (nothing sent, nothing written). */
    image_t im = file_image("fifteen-bytes-x", 0);
    expect_image(PROC_LABEL_FILE, &im);
    reply_t r = file_reply(0, 0);
    will_return(ak_ipc_call, &r);
    uint8_t data[AK_PM_FILE_CHUNK];
    uint64_t size = 1, len = 1;
    assert_int_equal(proc_file(EP, "fifteen-bytes-x", 0, &size, data, &len), 0);
    size = 7;
    len = 7;
    assert_int_equal(proc_file(EP, "sixteen-bytes-xx", 0, &size, data, &len), -AK_E2BIG);
    assert_int_equal(size, 7);
    assert_int_equal(len, 7);
    /* The empty name is sent: init answers it. */
    im = file_image("", 0);
    assert_int_equal(im.len, 2);
    expect_image(PROC_LABEL_FILE, &im);
    reply_t einval = make_reply(AK_EINVAL, 0);
    will_return(ak_ipc_call, &einval);
    assert_int_equal(proc_file(EP, "", 0, &size, data, &len), -AK_EINVAL);
    assert_int_equal(size, 7);
}

static void test_file_bad_replies(void **state)
{
    (void)state;
    reply_t bad[16];
    unsigned k = 0;
    bad[k++] = file_reply(10, AK_PM_FILE_CHUNK);
    bad[k - 1].w[1] = AK_PM_FILE_CHUNK + 1;             /* a length past the bound */
    bad[k++] = file_reply(10, 9);
    bad[k - 1].w[1] = 17;                               /* past the message */
    bad[k++] = file_reply(10, 16);
    bad[k - 1].w[1] = 8;                                /* short of the message */
    bad[k++] = file_reply(10, 8);
    bad[k - 1].w[1] = UINT64_MAX;                       /* wrapping lengths */
    bad[k++] = file_reply(10, 8);
    bad[k - 1].w[1] = UINT64_MAX - 6;
    bad[k - 1].info = ak_msginfo(0, 2);
    bad[k++] = file_reply(10, 5);
    bad[k - 1].w[2] |= UINT64_C(0x01) << 40;            /* byte 5: nonzero padding */
    bad[k++] = file_reply(10, 1);
    bad[k - 1].w[2] |= UINT64_C(0x80) << 56;            /* the last padding byte */
    bad[k++] = file_reply(10, 0);
    bad[k - 1].info = ak_msginfo(0, 1);                 /* below the fixed words */
    bad[k++] = file_reply(10, 0);
    bad[k - 1].info |= UINT64_C(1) << 10;               /* a reserved info bit */
    bad[k++] = make_reply(AK_ERRNO_MAX + 1, 0);         /* no such error */
    for (unsigned i = 0; i < k; i++) {
        image_t im = file_image("notes", 3);
        expect_image(PROC_LABEL_FILE, &im);
        will_return(ak_ipc_call, &bad[i]);
        uint8_t data[AK_PM_FILE_CHUNK];
        memset(data, UNTOUCHED, sizeof data);
        uint64_t size = 0x5a5a, len = 0x5a5a;
        int rc = proc_file(EP, "notes", 3, &size, data, &len);
        if (rc != -AK_EBADMSG)
            fail_msg("bad file reply %u: %d", i, rc);
        assert_int_equal(size, 0x5a5a);
        assert_int_equal(len, 0x5a5a);
        for (size_t j = 0; j < sizeof data; j++)
            assert_int_equal(data[j], UNTOUCHED);
    }
    /* The documented errors come back as they are, nothing written. */
    static const uint64_t errs[] = { AK_ENOENT, AK_EINVAL, AK_ENOSYS };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        image_t im = file_image("notes", 0);
        expect_image(PROC_LABEL_FILE, &im);
        reply_t r = make_reply(errs[i], 0);
        will_return(ak_ipc_call, &r);
        uint8_t data[8];
        uint64_t size = 0x5a5a, len = 0x5a5a;
        assert_int_equal(proc_file(EP, "notes", 0, &size, data, &len), -(int)errs[i]);
        assert_int_equal(size, 0x5a5a);
    }
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spawn),
        cmocka_unit_test(test_spawn_at_bounds),
        cmocka_unit_test(test_spawn_refused_locally),
        cmocka_unit_test(test_spawn_replies),
        cmocka_unit_test(test_wait_status_kill),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_list_bad_replies),
        cmocka_unit_test(test_vmms),
        cmocka_unit_test(test_vmms_bad_replies),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_file_bad_replies),
    };
    return cmocka_run_group_tests_name("proc_client", tests, NULL, NULL);
}
