/*
 * The process manager (init, idl/proc.idl): the bounds of its strings and
 * lists, and the codes its replies carry.  proc.idl binds its bounds to
 * these constants, so the build fails if the two disagree.
 *
 * The bounds are chosen so that spawn's request, with every string at its
 * bound, is exactly one message (AK_MSG_MAX_WORDS words: six fixed words,
 * 2 + 32 + 22 + 2 words of text), and list's reply holds AK_PM_LIST_MAX
 * entries of 64 bytes.
 */
#ifndef AKUMA_ABI_PROCMGR_H
#define AKUMA_ABI_PROCMGR_H

/* A program or vmm name: at most this many bytes, printable, no NUL. */
#define AK_PM_NAME_MAX  15u
/* spawn's arguments and environment: NUL-terminated strings end to end,
 * terminators included (argv[1..] and "KEY=VALUE" entries). */
#define AK_PM_ARGS_MAX 256u
#define AK_PM_ENV_MAX  176u
/* Entries in one reply of list(). */
#define AK_PM_LIST_MAX   7u
/* Entries in one reply of vmms(). */
#define AK_PM_VMMS_MAX   6u
/* Bytes of a data file in one reply of file(). */
#define AK_PM_FILE_CHUNK 480u

/* A process's state (status, wait, list). */
#define AK_PM_RUNNING 1u    /* started and not ended */
#define AK_PM_EXITED  2u    /* ended by exit(status) */
#define AK_PM_KILLED  3u    /* ended killed; the kill reason says why */

/* Why a process was killed (AK_PM_WHY_NONE unless AK_PM_KILLED). */
#define AK_PM_WHY_NONE  0u  /* not killed */
#define AK_PM_WHY_KILL  1u  /* proc.kill() */
#define AK_PM_WHY_FAULT 2u  /* a fault its pager would not resolve (bad access, no frame, quota) */
#define AK_PM_WHY_OTHER 3u  /* killed by the kernel or its pager for another reason */

/*
 * The malloc mode of a process: MALLOC= in its environment, else the mode
 * its ELF file was linked with (its pin, else the image's MALLOC), which
 * the program's file carries for init to read in the section
 * AK_MALLOC_SECTION: two bytes, the mode and where it came from
 * (libakuma/malloc/mode/, ak_malloc_mode_t of akuma/malloc.h).
 */
#define AK_PM_MALLOC_DEFAULT 0u  /* not known: no MALLOC= and no section */
#define AK_PM_MALLOC_PAGE    1u  /* page mode */
#define AK_PM_MALLOC_CHUNK   2u  /* chunk mode */
#define AK_MALLOC_SECTION    ".akuma.malloc"

#endif /* AKUMA_ABI_PROCMGR_H */
