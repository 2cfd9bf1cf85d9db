/*
 * The pingpong server (tests/system/idl/pingpong.idl): counts pings per
 * badge, the only identity it trusts, and serves until the system ends.
 * Slot 1: the endpoint it receives on.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <akuma/abi/errno.h>
#include <akuma/ipc.h>
#include <idl/pingpong_server.h>

#define SLOT_EP   1
#define MAX_PEERS 8

static struct {
    bool used;
    uint64_t badge;
    uint64_t pings;
} peers[MAX_PEERS];

/* The counter of the caller with this badge; NULL if the table is full. */
static uint64_t *pings_of(uint64_t badge)
{
    for (unsigned i = 0; i < MAX_PEERS; i++) {
        if (peers[i].used && peers[i].badge == badge)
            return &peers[i].pings;
        if (!peers[i].used) {
            peers[i].used = true;
            peers[i].badge = badge;
            return &peers[i].pings;
        }
    }
    return NULL;
}

static int on_ping(void *ctx, uint64_t badge, uint64_t x, uint64_t claimed, uint64_t *y,
                   uint64_t *seen)
{
    (void)ctx;
    (void)claimed; /* never trusted: the badge says who is calling */
    uint64_t *n = pings_of(badge);
    if (!n)
        return -AK_ENOSPC;
    ++*n;
    *y = x + 1;
    *seen = badge;
    return 0;
}

static int on_sum(void *ctx, uint64_t badge, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8, uint64_t a9, uint64_t a10, uint64_t a11, uint64_t a12, uint64_t a13, uint64_t a14, uint64_t a15, uint64_t a16, uint64_t a17, uint64_t a18, uint64_t a19, uint64_t a20, uint64_t a21, uint64_t a22, uint64_t a23, uint64_t a24, uint64_t a25, uint64_t a26, uint64_t a27, uint64_t a28, uint64_t a29, uint64_t *d0, uint64_t *d1, uint64_t *d2, uint64_t *d3, uint64_t *d4, uint64_t *d5, uint64_t *d6, uint64_t *d7, uint64_t *d8, uint64_t *d9, uint64_t *total)
{
    (void)ctx;
    (void)badge;
    const uint64_t a[30] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29 };
    uint64_t *d[10] = { d0, d1, d2, d3, d4, d5, d6, d7, d8, d9 };
    uint64_t t = 0;
    for (unsigned i = 0; i < 30; i++)
        t += a[i];
    for (unsigned i = 0; i < 10; i++)
        *d[i] = a[i] + a[29 - i];
    *total = t;
    return 0;
}

static int on_count(void *ctx, uint64_t badge, uint64_t *pings)
{
    (void)ctx;
    uint64_t *n = pings_of(badge);
    *pings = n ? *n : 0;
    return 0;
}

static const pingpong_handlers_t handlers = {
    .ping = on_ping,
    .sum = on_sum,
    .count = on_count,
};

int main(void)
{
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_EP, &m);
    while (badge >= 0) {
        pingpong_dispatch(&handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_EP, &m);
    }
    printf("pong: receive failed: %ld\n", (long)badge);
    return 1;
}
