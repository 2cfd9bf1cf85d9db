/*
 * The shell's line editor (edit.h).  Invariant: len <= SH_LINE_MAX, and
 * what has been echoed since the line began is exactly line[0..len).
 */
#include <akuma/abi/console.h>

#include "edit.h"

#define BYTE_EOT 0x04u  /* Ctrl-D */
#define BYTE_BS  0x08u
#define BYTE_NAK 0x15u  /* Ctrl-U */
#define BYTE_ESC 0x1bu
#define BYTE_DEL 0x7fu

void sh_edit_init(sh_edit_t *e)
{
    e->len = 0;
    e->dropped = 0;
    e->esc = 0;
    e->done = false;
    e->line[0] = '\0';
}

static void erase_one(sh_edit_t *e, sh_echo_fn echo, void *ctx)
{
    if (e->dropped) {
        e->dropped--;   /* never echoed, so nothing to erase on the screen */
        return;
    }
    if (e->len) {
        e->len--;
        echo(ctx, "\b \b", 3);
    }
}

sh_edit_event_t sh_edit_feed(sh_edit_t *e, uint8_t c, sh_echo_fn echo, void *ctx)
{
    if (e->done)
        sh_edit_init(e);
    if (e->esc == 1) {
        e->esc = c == '[' ? 2 : 0;
        return SH_EDIT_MORE;
    }
    if (e->esc == 2) {
        if (c >= 0x40 && c <= 0x7e)
            e->esc = 0;
        return SH_EDIT_MORE;
    }
    switch (c) {
    case '\r':
    case '\n':
        echo(ctx, "\n", 1);
        e->line[e->len] = '\0';
        e->done = true;
        return SH_EDIT_LINE;
    case BYTE_DEL:
    case BYTE_BS:
        erase_one(e, echo, ctx);
        return SH_EDIT_MORE;
    case BYTE_NAK:
        e->dropped = 0;
        while (e->len)
            erase_one(e, echo, ctx);
        return SH_EDIT_MORE;
    case BYTE_EOT:
        if (e->len || e->dropped)
            return SH_EDIT_MORE;
        e->done = true;
        return SH_EDIT_EOF;
    case AK_CON_INTR:
        e->done = true;
        return SH_EDIT_INTR;
    case BYTE_ESC:
        e->esc = 1;
        return SH_EDIT_MORE;
    default:
        break;
    }
    if ((c < 0x20 && c != '\t') || c > 0x7e)
        return SH_EDIT_MORE;
    if (e->len == SH_LINE_MAX) {
        e->dropped++;
        return SH_EDIT_MORE;
    }
    e->line[e->len++] = (char)c;
    echo(ctx, (const char *)&c, 1);
    return SH_EDIT_MORE;
}
