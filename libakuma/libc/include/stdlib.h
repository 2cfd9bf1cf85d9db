/*
 * The parts of <stdlib.h> programs have: exit, and the allocator, whose
 * mode (page or chunk) is chosen when the program is linked (MALLOC=, or
 * a `malloc` file in the program's folder).
 */
#ifndef AKUMA_LIBC_STDLIB_H
#define AKUMA_LIBC_STDLIB_H

#include <stddef.h>

/* The environment: "KEY=VALUE" strings, NULL-terminated (from the initial stack). */
extern char **environ;

/* The value of name in the environment, or NULL. */
char *getenv(const char *name);

/* Writes out pending output, then ends the process with status. */
_Noreturn void exit(int status);

void *malloc(size_t size);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
size_t malloc_usable_size(void *p);

#endif /* AKUMA_LIBC_STDLIB_H */
