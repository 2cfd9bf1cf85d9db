/*
 * Console input and output for programs.  printf and friends format with
 * the shared formatter (common/fmt.h) into a line buffer and write whole
 * lines, so lines of different processes never mix: to the console
 * (servers/console, idl/console.idl) when the program holds an endpoint
 * to it in slot AK_SLOT_CONSOLE, else with the kernel's console system
 * call (which the console, once it owns the port, drains whole).
 * getchar and fgets read what is typed, through the console only: without
 * one they find the end of input at once.
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
/* The same, for exit(): through the console, an unfinished line is ended
 * with a newline (the console writes only finished lines). */
int fflush_stdout_at_exit(void);

#define EOF (-1)
typedef struct ak_stream FILE;
extern FILE *const stdin;
/* The next typed byte (a whole line is read from the console at a time,
 * after the pending output is written), or EOF: no console, or an error. */
int getchar(void);
/* Reads up to a newline (kept) or size-1 bytes into s, NUL-terminated;
 * NULL if nothing could be read (EOF at once) or stream is not stdin. */
char *fgets(char *s, int size, FILE *stream);

#endif /* AKUMA_LIBC_STDIO_H */
