/*
 * A real AArch64 executable for the elf suite, built by its module.mk with the
 * guest toolchain: text, read-only data, initialised data and a .bss, so
 * the reader sees what the linker really emits.
 */
static const char sample_message[] = "sample";
volatile int sample_counter = 5;
volatile char sample_buffer[8192];

void _start(void);

void _start(void)
{
    for (;;)
        sample_buffer[sample_counter] = sample_message[sample_counter & 3];
}
