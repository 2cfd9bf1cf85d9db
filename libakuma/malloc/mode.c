/*
 * Which mode a program runs (akuma/malloc.h): the rule that picks it from
 * MALLOC= of the environment and from what the program was linked with
 * (its pin, or the image's default), and the names of modes and sources.
 * Pure functions: run/malloc.c applies the rule once at start, the host
 * tests call it directly.
 */
#include <malloc/akm.h>

/* a and b are the same NUL-terminated string. */
static bool same(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

ak_malloc_mode_t akm_mode_resolve(const char *value, ak_malloc_mode_t built, bool *bad)
{
    *bad = false;
    if (value == NULL)
        return built;
    if (same(value, "page"))
        return (ak_malloc_mode_t){ AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_ENV };
    if (same(value, "chunk"))
        return (ak_malloc_mode_t){ AK_PM_MALLOC_CHUNK, AK_MALLOC_FROM_ENV };
    *bad = true;
    return built;
}

const char *ak_malloc_mode_name(unsigned mode)
{
    switch (mode) {
    case AK_PM_MALLOC_PAGE:
        return "page";
    case AK_PM_MALLOC_CHUNK:
        return "chunk";
    default:
        return "?";
    }
}

const char *ak_malloc_from_name(unsigned from)
{
    switch (from) {
    case AK_MALLOC_FROM_ENV:
        return "environment";
    case AK_MALLOC_FROM_PIN:
        return "pin";
    case AK_MALLOC_FROM_DEFAULT:
        return "default";
    default:
        return "?";
    }
}
