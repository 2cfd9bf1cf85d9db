/*
 * The console's logic (see console.h): its clients' lines, typed input,
 * blocked readers and the foreground.  Every request is decoded by the
 * generated dispatch (idl/console.idl) before a handler here runs.
 */
#include "console.h"

#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/ipc.h>
#include <idl/console_server.h>

static bool allowed(const con_t *c, uint64_t badge)
{
    return c->fg_client == 0 || (badge & AK_CON_BADGE_ID_MASK) == c->fg_client;
}

static uint8_t in_at(const con_t *c, size_t i)
{
    return c->in[(c->in_head + i) % AK_CON_INPUT_MAX];
}

/* How many bytes a read of max bytes in mode takes now (0: it must wait). */
static size_t available(const con_t *c, uint32_t max, uint8_t mode)
{
    size_t lim = c->in_count < max ? c->in_count : max;
    if (lim == 0 || mode == AK_CON_READ_BYTES)
        return lim;
    for (size_t i = 0; i < lim; i++)
        if (in_at(c, i) == '\n')
            return i + 1;
    return c->in_count >= max ? max : 0;
}

void con_consume(con_t *c, size_t n)
{
    if (n > c->in_count)
        n = c->in_count;
    c->in_head = (c->in_head + n) % AK_CON_INPUT_MAX;
    c->in_count -= n;
}

static con_client_t *client_of(con_t *c, uint64_t badge, bool make)
{
    con_client_t *free_one = NULL;
    for (unsigned i = 0; i < CON_CLIENTS; i++) {
        if (c->clients[i].used && c->clients[i].badge == badge)
            return &c->clients[i];
        if (!c->clients[i].used && !free_one)
            free_one = &c->clients[i];
    }
    if (!make)
        return NULL;
    if (!free_one) {
        /* Every slot holds someone's unfinished line: the oldest is ended here and its slot reused. */
        free_one = &c->clients[0];
        for (unsigned i = 1; i < CON_CLIENTS; i++)
            if (c->clients[i].since < free_one->since)
                free_one = &c->clients[i];
        con_emit(c, free_one->badge, free_one->line, free_one->len);
        con_emit(c, free_one->badge, "\n", 1);
    }
    free_one->used = true;
    free_one->since = ++c->seq;
    free_one->badge = badge;
    free_one->len = 0;
    return free_one;
}

void con_emit(con_t *c, uint64_t src, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (c->port_mid_line && c->port_src != src)
        con_port_write("\n", 1);
    con_port_write(s, n);
    c->port_mid_line = s[n - 1] != '\n';
    c->port_src = src;
}

/* Writes the client's line and frees its slot: a client holds one only while its line is unfinished. */
static void flush_line(con_t *c, con_client_t *cl)
{
    if (cl) {
        con_emit(c, cl->badge, cl->line, cl->len);
        cl->len = 0;
        cl->used = false;
    }
}

static int h_write(void *ctx, uint64_t badge, const uint8_t *data, uint64_t data_len)
{
    con_t *c = ctx;
    con_client_t *cl = client_of(c, badge, false);
    uint64_t i = 0;
    while (i < data_len) {
        if (!cl) {
            /* Nothing kept for it: whole lines go out from the request itself, without a buffer. */
            const uint8_t *nl = memchr(data + i, '\n', data_len - i);
            uint64_t n = nl ? (uint64_t)(nl - (data + i)) + 1 : 0;
            if (n && n <= AK_CON_LINE_MAX) {
                con_emit(c, badge, (const char *)data + i, n);
                i += n;
                continue;
            }
            cl = client_of(c, badge, true);
        }
        cl->line[cl->len++] = (char)data[i++];
        if (data[i - 1] == '\n' || cl->len == sizeof cl->line) {
            con_emit(c, cl->badge, cl->line, cl->len);
            cl->len = 0;
            cl->used = false;
            cl = NULL;
        }
    }
    return 0;
}

static int h_read(void *ctx, uint64_t badge, uint32_t max, uint8_t mode, uint8_t *out_data, uint64_t *out_data_len)
{
    con_t *c = ctx;
    if (max == 0 || max > AK_CON_READ_MAX || (mode != AK_CON_READ_BYTES && mode != AK_CON_READ_LINE))
        return -AK_EINVAL;
    if (!allowed(c, badge))
        return -AK_EAGAIN;
    flush_line(c, client_of(c, badge, false)); /* the prompt before the answer */
    size_t n = available(c, max, mode);
    if (n) {
        for (size_t i = 0; i < n; i++)
            out_data[i] = in_at(c, i);
        *out_data_len = n;
        c->taken = n;
        c->reads++;
        return 0;
    }
    int free_slot = -1;
    for (unsigned i = 0; i < CON_READERS; i++) {
        if (c->readers[i].used && c->readers[i].badge == badge)
            return -AK_EBUSY;
        if (!c->readers[i].used && free_slot < 0)
            free_slot = (int)i;
    }
    if (free_slot < 0)
        return -AK_ENOSPC;
    if (ak_save_reply(CON_SLOT_REPLY0 + (unsigned)free_slot) != 0)
        return -AK_EIO;
    c->held = free_slot;
    return 0;
}

static int h_foreground(void *ctx, uint64_t badge, uint32_t client, uint32_t pid)
{
    con_t *c = ctx;
    if (!(badge & AK_CON_BADGE_CONTROL))
        return -AK_EPERM;
    c->fg_client = client;
    c->fg_pid = pid;
    c->fg_changed = true;
    return 0;
}

static int h_stats(void *ctx, uint64_t badge, uint64_t *out_buffered, uint64_t *out_overflow,
                   uint64_t *out_interrupts, uint64_t *out_klog_lost, uint64_t *out_reads)
{
    (void)badge;
    const con_t *c = ctx;
    *out_buffered = c->in_count;
    *out_overflow = c->overflow;
    *out_interrupts = c->interrupts;
    *out_klog_lost = c->klog_lost;
    *out_reads = c->reads;
    return 0;
}

static const console_handlers_t handlers = {
    .write = h_write, .read = h_read, .foreground = h_foreground, .stats = h_stats,
};

bool con_serve(con_t *c, uint64_t badge, ak_msg_t *m, ak_ipcbuf_t *buf)
{
    ak_msg_t request = *m;
    c->taken = 0;
    c->held = -1;
    console_dispatch(&handlers, c, badge, m, buf);
    if (c->held >= 0) {
        con_reader_t *r = &c->readers[c->held];
        r->used = true;
        r->badge = badge;
        r->seq = ++c->seq;
        r->msg = request;
        return false;
    }
    con_consume(c, c->taken);
    if (c->fg_changed) {
        /* Its reply has no words in the IPC buffer, which answering a reader overwrites. */
        c->fg_changed = false;
        con_wake_readers(c);
    }
    return true;
}

void con_input(con_t *c, uint8_t byte)
{
    if (byte == AK_CON_INTR) {
        /* The line being typed goes with the interrupted program. */
        while (c->in_count && in_at(c, c->in_count - 1) != '\n')
            c->in_count--;
        c->interrupts++;
        con_emit(c, CON_SRC_SELF, "^C\n", 3);
        if (c->fg_pid) {
            con_kill(c->fg_pid);
            return;
        }
    }
    if (byte == '\r')
        byte = '\n'; /* a terminal's Enter */
    if (c->in_count == AK_CON_INPUT_MAX) {
        c->overflow++;
        return;
    }
    c->in[(c->in_head + c->in_count) % AK_CON_INPUT_MAX] = byte;
    c->in_count++;
}

void con_wake_readers(con_t *c)
{
    for (;;) {
        con_reader_t *best = NULL;
        for (unsigned i = 0; i < CON_READERS; i++) {
            con_reader_t *r = &c->readers[i];
            /* Words 0 and 1 (max, mode) were checked when the read was first dispatched. */
            if (r->used && allowed(c, r->badge) && available(c, (uint32_t)r->msg.w[0], (uint8_t)r->msg.w[1]) &&
                (!best || r->seq < best->seq))
                best = r;
        }
        if (!best)
            return;
        unsigned slot = CON_SLOT_REPLY0 + (unsigned)(best - c->readers);
        best->used = false;
        ak_msg_t m = best->msg;
        c->taken = 0;
        c->held = -1;
        console_dispatch(&handlers, c, best->badge, &m, ak_ipc_buffer());
        /* A reader that is gone (killed while it waited) takes nothing: its input stays. */
        if (ak_reply_to(slot, &m) == 0)
            con_consume(c, c->taken);
        else
            c->reads--;
    }
}
