/*
 * The console's state and its handlers (con.c), apart from the hardware
 * (main.c), which reaches them only through this header.
 *
 * Invariants: a client's unfinished line is in clients[i].line and never
 * on the port; the port receives whole lines (or AK_CON_LINE_MAX-byte
 * pieces of a longer one) and, between them, the kernel's log.  The one
 * exception is a reader's prompt, written unfinished when it reads: the
 * port then belongs to that source (port_src) until it ends the line, and
 * any other source's output starts on a new line (con_emit).  Input is
 * a ring of AK_CON_INPUT_MAX bytes: a byte that finds it full is dropped
 * and counted in overflow, never stored.  A blocked reader is a held
 * request and a reply capability in slot CON_SLOT_REPLY0 + i; input is
 * taken from the ring only once its reply has been delivered.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/console.h>
#include <akuma/abi/msginfo.h>

#define CON_CLIENTS 16u
#define CON_READERS 8u

/* The console's capability slots: the manifest's, then its own. */
#define CON_SLOT_EP       1u   /* endpoint: requests (recv) */
#define CON_SLOT_PHYSMEM  2u   /* a small share of RAM: page tables for the device window */
#define CON_SLOT_ASPACE   3u   /* its own address space */
#define CON_SLOT_DEVICE   4u   /* the PL011 */
#define CON_SLOT_IRQCTL   5u
#define CON_SLOT_PROCCTL  6u   /* only to make its notification */
#define CON_SLOT_INIT     7u   /* init's process manager, for Ctrl-C (may be empty) */
#define CON_SLOT_IRQ      40u
#define CON_SLOT_NOTIF    41u
#define CON_SLOT_REPLY0   48u

typedef struct con_client {
    bool used;
    uint64_t badge;                  /* whose line this is */
    uint64_t since;                  /* when the line began (c->seq), to end the oldest first */
    size_t len;
    char line[AK_CON_LINE_MAX];
} con_client_t;

typedef struct con_reader {
    bool used;
    uint64_t badge;
    uint64_t seq;                    /* arrival order */
    ak_msg_t msg;                    /* the request, replayed when input comes */
} con_reader_t;

typedef struct con {
    con_client_t clients[CON_CLIENTS];
    con_reader_t readers[CON_READERS];
    uint8_t in[AK_CON_INPUT_MAX];
    size_t in_head, in_count;
    uint64_t port_src;               /* the source of the port's unfinished line */
    bool port_mid_line;              /* the port's last byte was not a newline */
    uint64_t fg_client;              /* 0: anyone may read */
    uint32_t fg_pid;                 /* 0: Ctrl-C kills nobody */
    uint64_t overflow, interrupts, klog_lost, reads, seq;
    /* Set by a handler for the loop: */
    size_t taken;                    /* input bytes the answered read used */
    int held;                        /* the reader slot a read was held in, or -1 */
    bool fg_changed;                 /* held readers may be allowed now */
} con_t;

/* Writes n bytes to the port, whole (main.c). */
void con_port_write(const char *s, size_t n);

/* Sources of output besides clients (whose badges are below 2^62). */
#define CON_SRC_KLOG UINT64_MAX
#define CON_SRC_SELF (UINT64_MAX - 1)

/* Writes s for source src: on a new line if another source left the port mid-line. */
void con_emit(con_t *c, uint64_t src, const char *s, size_t n);
/* Asks init to kill pid (main.c); errors are ignored by the caller. */
void con_kill(uint32_t pid);

/* Serves one request in m (its reply in m and buf).  Returns false when the
 * request was held (a blocked read): nothing is to be replied now. */
bool con_serve(con_t *c, uint64_t badge, ak_msg_t *m, ak_ipcbuf_t *buf);
/* A typed byte (after the interrupt): kept, or counted; Ctrl-C handled. */
void con_input(con_t *c, uint8_t byte);
/* Answers every held reader that input now satisfies. */
void con_wake_readers(con_t *c);
/* Removes n bytes from the front of the input. */
void con_consume(con_t *c, size_t n);

#endif /* CONSOLE_CONSOLE_H */
