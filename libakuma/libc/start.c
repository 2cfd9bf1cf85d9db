/*
 * C start-up (the kernel's loader has zeroed .bss): split the arguments from the boot-info page into
 * argv (words separated by spaces; double quotes group words), call main
 * and exit with its result.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/sys.h>

#define ARGV_MAX 32

int main(int argc, char **argv);
_Noreturn void __ak_start(void);

static char args_copy[AK_ARGS_MAX];
static char *argv_store[ARGV_MAX + 2];

/* Splits s in place; returns argc.  argv[0] is the program's name. */
static int split_args(char *s, char **argv, int max)
{
    int argc = 0;
    while (*s && argc < max) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        char *out = s;
        argv[argc++] = out;
        int quoted = 0;
        for (; *s && (quoted || *s != ' '); s++) {
            if (*s == '"')
                quoted = !quoted;
            else
                *out++ = *s;
        }
        if (*s)
            s++;
        *out = '\0';
    }
    return argc;
}

_Noreturn void __ak_start(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    static char name[AK_NAME_MAX];
    memcpy(name, bi->name, sizeof name);
    name[sizeof name - 1] = '\0';
    argv_store[0] = name;

    size_t n = bi->args_len < AK_ARGS_MAX - 1 ? bi->args_len : AK_ARGS_MAX - 1;
    memcpy(args_copy, bi->args, n);
    args_copy[n] = '\0';
    int argc = 1 + split_args(args_copy, argv_store + 1, ARGV_MAX);
    argv_store[argc] = NULL;
    exit(main(argc, argv_store));
}

_Noreturn void exit(int status)
{
    fflush_stdout();
    ak_exit(status);
}
