/*
 * PL011 UART, transmit only, polled.  QEMU's model needs no baud-rate
 * set-up; we still enable the transmitter so that real PL011 semantics hold.
 */
#include <ukernel/arch/memory.h>
#include <ukernel/plat.h>
#include <ukernel/plat/virt.h>

#define UART_DR   0x000u  /* data */
#define UART_FR   0x018u  /* flags */
#define UART_CR   0x030u  /* control */
#define UART_FR_TXFF (1u << 5)  /* transmit FIFO full */
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE    (1u << 8)

static volatile uint32_t *uart_reg(uint32_t off)
{
    return (volatile uint32_t *)((char *)phys_to_virt(VIRT_UART_PA) + off);
}

void plat_console_init(void)
{
    *uart_reg(UART_CR) = UART_CR_UARTEN | UART_CR_TXE;
}

static void uart_putc(char c)
{
    while (*uart_reg(UART_FR) & UART_FR_TXFF)
        ;
    *uart_reg(UART_DR) = (uint32_t)(unsigned char)c;
}

void plat_console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}
