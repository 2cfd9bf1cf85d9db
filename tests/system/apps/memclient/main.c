/*
 * memclient: runs the role its first argument names.  Each role is one
 * program of a mem-* image (its manifest in tests/system says which slots
 * it gets); the file that implements it describes what it checks.
 *
 *   faults    pages appear and disappear; faults reach the pager (faults.c)
 *   readonly  writes to a read-only page and is killed by its pager (lifecycle.c)
 *   nopager   faults without a pager and is killed by the kernel (lifecycle.c)
 *   tmp       holds pages and tables, then exits (lifecycle.c)
 *   reuse     receives the frames tmp held, after its exit (lifecycle.c)
 *   secret    keeps a secret in a page (isolation.c)
 *   spy       looks for that secret at the same address (isolation.c)
 *   forge     forges the kernel's pager messages (authority.c)
 *   nocap     invokes address spaces without the authority (authority.c)
 *   refuse    holds real authority and asks for what it must not get (refuse.c)
 */
#include <stdio.h>
#include <string.h>

#include "memclient.h"

static const struct role {
    const char *name;
    int (*run)(void);
} roles[] = {
    { "faults", role_faults }, { "readonly", role_readonly }, { "nopager", role_nopager },
    { "tmp", role_tmp },       { "reuse", role_reuse },       { "secret", role_secret },
    { "spy", role_spy },       { "forge", role_forge },       { "nocap", role_nocap },
    { "refuse", role_refuse },     { "range", role_range },
};

int main(int argc, char **argv)
{
    for (unsigned i = 0; argc > 1 && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(argv[1], roles[i].name) == 0)
            return roles[i].run();
    printf("%s: unknown role '%s'\n", argv[0], argc > 1 ? argv[1] : "");
    return 2;
}
