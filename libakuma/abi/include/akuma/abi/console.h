/*
 * The console (servers/console, idl/console.idl): the bounds of its
 * messages and buffers and the meaning of its clients' badges.
 * console.idl binds its bounds to these constants, so the build fails if
 * the two disagree.
 *
 * A client is known by the badge of its endpoint capability: the low
 * AK_CON_BADGE_ID_BITS bits name it (nonzero), and AK_CON_BADGE_CONTROL
 * lets it choose the foreground.  The manifest gives its programs ids
 * below AK_CON_ID_SPAWNED; init gives a program it spawns, when its parent
 * has a console, the id AK_CON_SPAWNED_ID(pid), without control.
 */
#ifndef AKUMA_ABI_CONSOLE_H
#define AKUMA_ABI_CONSOLE_H

/* The slot of a program's endpoint to the console, if it has one: libakuma's
 * printf, puts, getchar and fgets go through it (an empty slot: the kernel's
 * console call).  The last slot a manifest can fill. */
#define AK_SLOT_CONSOLE 31u

/* Bytes in one write request and in one read reply. */
#define AK_CON_WRITE_MAX 256u
#define AK_CON_READ_MAX  256u

/* The console's per-client line: a line longer than this is written in pieces. */
#define AK_CON_LINE_MAX 256u
/* Typed input kept while nobody reads: past it, bytes are dropped and counted. */
#define AK_CON_INPUT_MAX 4096u

/* Clients' badges. */
#define AK_CON_BADGE_ID_BITS 32u
#define AK_CON_BADGE_ID_MASK ((1ull << AK_CON_BADGE_ID_BITS) - 1)
#define AK_CON_ID_SPAWNED    (1u << 31)
#define AK_CON_SPAWNED_ID(pid) (AK_CON_ID_SPAWNED | (pid))
#define AK_CON_BADGE_CONTROL (1ull << 32)

/* read()'s modes. */
#define AK_CON_READ_BYTES 0u  /* whatever is buffered (at least one byte) */
#define AK_CON_READ_LINE  1u  /* up to and with a newline, or max bytes */

/* The byte that interrupts the foreground process (Ctrl-C). */
#define AK_CON_INTR 0x03u

#endif /* AKUMA_ABI_CONSOLE_H */
