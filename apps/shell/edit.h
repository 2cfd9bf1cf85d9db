/*
 * The shell's line editor (apps/shell/edit.c): a state machine fed the
 * bytes read from the console, which does not echo, one at a time.  It
 * keeps the line being typed and says what to echo and when a line, an
 * end of input or an interrupt is complete.  No system call: host-tested.
 *
 *   printable bytes and tab   appended and echoed
 *   CR or LF                  ends the line (echoes a newline)
 *   DEL (0x7f), BS (0x08)     erase the last byte ("\b \b")
 *   Ctrl-U (0x15)             erases the whole line
 *   Ctrl-D (0x04)             at an empty line: end of input; else ignored
 *   Ctrl-C (0x03)             drops the line (the console has written "^C"
 *                             and a newline already)
 *   ESC [ ... final byte      an escape sequence (arrow keys): ignored
 *   other control bytes       ignored
 *
 * A line past SH_LINE_MAX bytes keeps its first SH_LINE_MAX; the rest is
 * not echoed but counted, and the line is reported too long.
 */
#ifndef SHELL_EDIT_H
#define SHELL_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* Where echo goes: n bytes of s. */
typedef void (*sh_echo_fn)(void *ctx, const char *s, size_t n);

typedef enum sh_edit_event {
    SH_EDIT_MORE,  /* nothing complete yet */
    SH_EDIT_LINE,  /* line[0..len) is complete (or too long: dropped > 0) */
    SH_EDIT_EOF,   /* Ctrl-D at an empty line */
    SH_EDIT_INTR,  /* Ctrl-C: the line was dropped */
} sh_edit_event_t;

typedef struct sh_edit {
    char line[SH_LINE_MAX + 1];
    size_t len;        /* bytes in line; it is NUL-terminated when complete */
    size_t dropped;    /* bytes typed past SH_LINE_MAX */
    uint8_t esc;       /* 0 none, 1 after ESC, 2 inside ESC [ */
    bool done;         /* the last event ended the line: the next byte starts anew */
} sh_edit_t;

/* Empties the editor. */
void sh_edit_init(sh_edit_t *e);

/*
 * Feeds one byte; echo (never NULL) receives what to write.  After
 * SH_EDIT_LINE, e->line/e->len/e->dropped hold the line until the next
 * byte is fed.
 */
sh_edit_event_t sh_edit_feed(sh_edit_t *e, uint8_t byte, sh_echo_fn echo, void *ctx);

#endif /* SHELL_EDIT_H */
