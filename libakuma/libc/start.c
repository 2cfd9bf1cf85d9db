/*
 * C start-up: the creator (init) wrote argc, argv and the environment on
 * the initial stack (abi/start.h), and crt0 passes the stack pointer it
 * started with.  The kernel's loader, or init, has zeroed .bss.  The
 * allocator's mode is chosen from the environment before main runs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/layout.h>
#include <akuma/abi/start.h>
#include <akuma/malloc.h>
#include <akuma/sys.h>

int main(int argc, char **argv);
_Noreturn void __ak_start(uint64_t *sp);

char **environ;

/* A pointer the creator wrote: inside the stack, or the argument block is not trusted. */
static bool on_stack(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    return a >= AK_USER_STACK_BOTTOM && a < AK_USER_STACK_TOP;
}

_Noreturn void __ak_start(uint64_t *sp)
{
    static char *no_env[1];
    static char *no_argv[2];
    uint64_t argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc == 0 || argc > AK_START_ARGV_MAX || !on_stack(argv[0])) {
        /* Not started by init (a machine-code child, say): no arguments. */
        argc = 0;
        argv = no_argv;
        environ = no_env;
    } else {
        environ = argv + argc + 1;
    }
    ak_malloc_choose(getenv("MALLOC"));
    exit(main((int)argc, argv));
}

char *getenv(const char *name)
{
    size_t n = strlen(name);
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

_Noreturn void exit(int status)
{
    fflush_stdout_at_exit();
    ak_exit(status);
}
