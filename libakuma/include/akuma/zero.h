/*
 * Zeroing whole pages fast: DC ZVA clears a block (64 bytes on the
 * Cortex-A72) per instruction; the kernel lets EL0 use it (SCTLR_EL1.DZE).
 */
#ifndef AKUMA_ZERO_H
#define AKUMA_ZERO_H

/* Zeroes the 4 KiB page at page (page-aligned, writable). */
void ak_zero_page(void *page);

#endif /* AKUMA_ZERO_H */
