/*
 * A pingpong client (tests/system/idl/pingpong.idl).  It learns its own
 * badge from its boot-info page, pings the server claiming to be someone
 * else, sends long messages, and checks that the server saw the kernel-
 * stamped badge and nothing else.
 *
 * Usage: ping NAME ROUNDS; slot 1 is the server's endpoint.
 */
#include <stdint.h>
#include <stdio.h>

#include <akuma/abi/caps.h>
#include <akuma/sys.h>
#include <idl/pingpong_client.h>

#define SLOT_EP 1

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* The badge the manifest gave this program's capability in slot. */
static uint64_t my_badge(uint32_t slot)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    for (uint32_t i = 0; i < bi->ncaps; i++)
        if (bi->caps[i].slot == slot)
            return bi->caps[i].badge;
    return UINT64_MAX;
}

static int test_pings(const char *name, uint64_t badge, uint64_t rounds)
{
    for (uint64_t i = 0; i < rounds; i++) {
        uint64_t y = 0, seen = 0;
        /* Claim another identity: the server must not believe it. */
        int r = pingpong_ping(SLOT_EP, i * 7, badge ^ 1, &y, &seen);
        if (r != 0 || y != i * 7 + 1 || seen != badge) {
            printf("AKTEST FAIL ipc-pingpong-%s: ping %lu: result %d, y %lu, badge seen 0x%lx, mine 0x%lx\n",
                   name, (unsigned long)i, r, (unsigned long)y, (unsigned long)seen, (unsigned long)badge);
            return 1;
        }
    }
    printf("AKTEST PASS ipc-pingpong-%s\n", name);
    return 0;
}

static int test_long(const char *name)
{
    uint64_t a[30], d[10], total = 0, want_total = 0;
    for (unsigned i = 0; i < 30; i++) {
        a[i] = (uint64_t)(i + 1) * 0x0101010101ull + (uint64_t)name[0];
        want_total += a[i];
    }
    int r = pingpong_sum(SLOT_EP, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24], a[25], a[26], a[27], a[28], a[29], &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], &d[8], &d[9], &total);
    if (r != 0 || total != want_total) {
        printf("AKTEST FAIL ipc-long-%s: result %d, total 0x%lx, want 0x%lx\n", name, r,
               (unsigned long)total, (unsigned long)want_total);
        return 1;
    }
    for (unsigned i = 0; i < 10; i++) {
        if (d[i] != a[i] + a[29 - i]) {
            printf("AKTEST FAIL ipc-long-%s: reply word %u is 0x%lx, want 0x%lx\n", name, i,
                   (unsigned long)d[i], (unsigned long)(a[i] + a[29 - i]));
            return 1;
        }
    }
    printf("AKTEST PASS ipc-long-%s\n", name);
    return 0;
}

static int test_identity(const char *name, uint64_t rounds)
{
    uint64_t pings = 0;
    int r = pingpong_count(SLOT_EP, &pings);
    if (r != 0 || pings != rounds) {
        printf("AKTEST FAIL ipc-badge-identity-%s: the server counted %lu pings for my badge, I sent %lu (result %d)\n",
               name, (unsigned long)pings, (unsigned long)rounds, r);
        return 1;
    }
    printf("AKTEST PASS ipc-badge-identity-%s\n", name);
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "?";
    uint64_t rounds = argc > 2 ? parse(argv[2]) : 100;
    uint64_t badge = my_badge(SLOT_EP);
    int failures = test_pings(name, badge, rounds);
    failures += test_long(name);
    failures += test_identity(name, rounds);
    return failures;
}
