/*
 * console: the userspace driver of the PL011 (DESIGN.md 10), serving
 * idl/console.idl.  It maps the device's page, claims its receive
 * interrupt (INTID 33) and takes it as a notification bound to its
 * endpoint, so one receive loop sees requests, typed bytes and the
 * kernel's log: once the console attaches it (device.klog_attach), the
 * kernel keeps its lines, and what processes write with the console
 * system call (init, the vmms: they never wait for the console), in a
 * ring and signals the same notification; the console takes them whole
 * (klog_drain) between its clients' lines.
 *
 * The port is written polled, a whole line at a time, by this one thread:
 * nothing else writes it while the console lives, but a kernel panic and
 * the kernel's last lines at power-off (which the kernel writes itself).
 *
 * Slots (console.h): the manifest gives 1..7, the console makes 40, 41
 * and its reply capabilities from 48.
 */
#include <stdio.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/notif.h>
#include <akuma/abi/syscall.h>
#include <akuma/ipc.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>

#include "console.h"

#define DEV_VA AK_DEVICE_VA_MIN
#define PL011_IRQ 33u

#define UART_DR    0x000u
#define UART_FR    0x018u
#define UART_LCR_H 0x02Cu
#define UART_CR    0x030u
#define UART_IMSC  0x038u
#define UART_ICR   0x044u
#define FR_RXFE    (1u << 4)
#define FR_TXFF    (1u << 5)
#define LCR_H_FEN  (1u << 4)
#define LCR_H_WLEN8 (3u << 5)
#define CR_UARTEN  (1u << 0)
#define CR_TXE     (1u << 8)
#define CR_RXE     (1u << 9)
#define IMSC_RXIM  (1u << 4)
#define ICR_ALL    0x7ffu

static con_t con;

static volatile uint32_t *uart(uint32_t off)
{
    return (volatile uint32_t *)(uintptr_t)(DEV_VA + off);
}

static void uart_putc(char ch)
{
    while (*uart(UART_FR) & FR_TXFF)
        ;
    *uart(UART_DR) = (uint32_t)(unsigned char)ch;
}

void con_port_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}

void con_kill(uint32_t pid)
{
    (void)proc_kill(CON_SLOT_INIT, pid);
}

/* Maps the PL011's page, supplying page tables from the console's share of RAM. */
static int map_uart(void)
{
    uint64_t base, size, next = 0;
    int rc = physmem_info(CON_SLOT_PHYSMEM, &base, &size);
    if (rc)
        return rc;
    for (unsigned tries = 0; tries < 4; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        rc = aspace_map_device(CON_SLOT_ASPACE, DEV_VA, CON_SLOT_DEVICE, AK_PROT_READ | AK_PROT_WRITE, &level,
                               &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        if (next + AK_PAGE_SIZE > size)
            return -AK_ENOMEM;
        rc = aspace_table(CON_SLOT_ASPACE, table_va, level, base + next);
        if (rc)
            return rc;
        next += AK_PAGE_SIZE;
    }
    return -AK_EIO;
}

static int setup(void)
{
    int rc;
    if ((rc = map_uart()) != 0 || (rc = irqctl_claim(CON_SLOT_IRQCTL, PL011_IRQ, CON_SLOT_IRQ)) != 0 ||
        (rc = procctl_notification(CON_SLOT_PROCCTL, CON_SLOT_NOTIF)) != 0 ||
        (rc = irq_bind(CON_SLOT_IRQ, CON_SLOT_NOTIF)) != 0 ||
        (rc = device_klog_attach(CON_SLOT_DEVICE, CON_SLOT_NOTIF)) != 0)
        return rc;
    int64_t r = ak_bind(CON_SLOT_NOTIF);
    if (r < 0)
        return (int)r;
    /* FIFOs on before reception (QEMU empties the FIFO when FEN changes), then receive. */
    *uart(UART_ICR) = ICR_ALL;
    *uart(UART_LCR_H) = LCR_H_FEN | LCR_H_WLEN8;
    *uart(UART_IMSC) = IMSC_RXIM;
    *uart(UART_CR) = CR_UARTEN | CR_TXE | CR_RXE;
    return 0;
}

/* The interrupt: every byte the FIFO holds, then the line unmasked (it stays up until the FIFO is empty). */
static void uart_drain(void)
{
    while (!(*uart(UART_FR) & FR_RXFE))
        con_input(&con, (uint8_t)(*uart(UART_DR) & 0xff));
    (void)irq_ack(CON_SLOT_IRQ);
}

/* The kernel's log, whole lines at a time, until it is empty. */
static void klog_drain(void)
{
    const char *area = (const char *)(uintptr_t)(AK_IPCBUF_VA + AK_CONSOLE_OFFSET);
    for (;;) {
        uint64_t n = 0, lost = 0;
        if (device_klog_read(CON_SLOT_DEVICE, &n, &lost) != 0)
            return;
        if (lost) {
            char line[80];
            int k = snprintf(line, sizeof line, "[console] %lu bytes of the kernel's log lost (its ring was full)\n",
                             (unsigned long)lost);
            con.klog_lost += lost;
            con_emit(&con, CON_SRC_SELF, line, k > 0 && (size_t)k < sizeof line ? (size_t)k : 0);
        }
        if (n == 0)
            return;
        con_emit(&con, CON_SRC_KLOG, area, n);
    }
}

int main(void)
{
    int rc = setup();
    if (rc) {
        printf("console: setting up the PL011: error %d\n", rc);
        return 1;
    }
    printf("console: serving the PL011, input buffer %u bytes\n", AK_CON_INPUT_MAX);
    ak_msg_t m;
    bool reply = false;
    for (;;) {
        int64_t badge = reply ? ak_ipc_reply_recv(CON_SLOT_EP, &m) : ak_ipc_recv(CON_SLOT_EP, &m);
        reply = false;
        if (badge < 0) {
            printf("console: receiving: error %ld\n", (long)badge);
            continue;
        }
        if ((uint64_t)badge == AK_NOTIFY_BADGE && ak_msginfo_label(m.info) == AK_NOTIFY_LABEL) {
            uart_drain();
            klog_drain();
            con_wake_readers(&con);
            continue;
        }
        reply = con_serve(&con, (uint64_t)badge, &m, ak_ipc_buffer());
    }
}
