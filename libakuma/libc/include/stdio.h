/*
 * Console output for programs.  printf and friends format with the shared
 * formatter (common/fmt.h) into a line buffer and write whole lines with
 * one console system call each, so lines of different processes never mix.
 */
#ifndef AKUMA_LIBC_STDIO_H
#define AKUMA_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
/* Writes out a partial line, if any. */
int fflush_stdout(void);

#endif /* AKUMA_LIBC_STDIO_H */
