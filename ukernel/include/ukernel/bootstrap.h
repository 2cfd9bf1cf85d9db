/*
 * Bootstrap: builds the initial processes from the boot image embedded in
 * the kernel (section .bootimage, made by tools/mkimage) and starts them.
 */
#ifndef UKERNEL_BOOTSTRAP_H
#define UKERNEL_BOOTSTRAP_H

#include <ukernel/frame.h>
#include <ukernel/types.h>

/* True if the kernel was linked with a boot image. */
bool bootstrap_has_image(void);

/*
 * Validates the boot image (once) and returns the configuration it names,
 * for the banner: "kernel only" without an image, "boot image refused"
 * if it is invalid (bootstrap() then says why and halts).
 */
const char *bootstrap_config(void);

/*
 * Validates the boot image, builds init in RAM [ram_base, ram_end), grants
 * it all authority, writes its boot-info page (with the boot arguments,
 * bootargs_len bytes, not NUL-terminated; dropped with a line if they are
 * not printable or too long) and starts it.  A refused image halts with
 * HALT_BADIMAGE and a message saying why.
 */
void bootstrap(paddr_t ram_base, paddr_t ram_end, const char *bootargs, size_t bootargs_len);

/* The kernel's frame table (valid after bootstrap). */
frame_table_t *bootstrap_frames(void);

#endif /* UKERNEL_BOOTSTRAP_H */
