/*
 * The initial stack of a program (abi/start.h), written into a page that
 * will be the top page of its stack, and the splitting of a manifest's
 * argument string into words.
 */
#include "init.h"

#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/start.h>

int split_words(char *s, const char *words[], unsigned max)
{
    unsigned n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (n == max)
            return -AK_E2BIG;
        char *out = s;
        words[n++] = out;
        bool quoted = false;
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
    return (int)n;
}

int initial_stack(uint8_t page[AK_PAGE_SIZE], uint64_t page_va, const char *const argv[], unsigned argc,
                  const char *const envp[], unsigned envc, uint64_t *sp)
{
    if (argc == 0 || argc > AK_START_ARGV_MAX || envc > AK_START_ENV_MAX)
        return -AK_E2BIG;
    memset(page, 0, AK_PAGE_SIZE);
    /* Strings from the top down; then the words: argc, argv, NULL, envp, NULL, auxv. */
    size_t top = AK_PAGE_SIZE;
    uint64_t addr[AK_START_ARGV_MAX + AK_START_ENV_MAX] = { 0 };
    for (unsigned i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        size_t n = strlen(s) + 1;
        if (n > top)
            return -AK_E2BIG;
        top -= n;
        memcpy(page + top, s, n);
        addr[i] = page_va + top;
    }
    size_t nwords = 1 + (argc + 1) + (envc + 1) + 4;
    size_t bytes = nwords * sizeof(uint64_t);
    top &= ~(size_t)15;
    if (bytes > top)
        return -AK_E2BIG;
    size_t at = (top - bytes) & ~(size_t)15;
    uint64_t words[1 + AK_START_ARGV_MAX + 1 + AK_START_ENV_MAX + 1 + 4];
    unsigned w = 0;
    words[w++] = argc;
    for (unsigned i = 0; i < argc; i++)
        words[w++] = addr[i];
    words[w++] = 0;
    for (unsigned i = 0; i < envc; i++)
        words[w++] = addr[argc + i];
    words[w++] = 0;
    words[w++] = AK_AT_PAGESZ;
    words[w++] = AK_PAGE_SIZE;
    words[w++] = AK_AT_NULL;
    words[w++] = 0;
    memcpy(page + at, words, bytes);
    *sp = page_va + at;
    return 0;
}
