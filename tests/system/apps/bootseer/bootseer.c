/*
 * bootseer: prints "[bootseer] NAME: bootargs "TEXT"" with the boot
 * arguments of its boot-info page (abi/bootinfo.h: init copies its own into
 * every program of the manifest; a spawned program gets "").  With the
 * argument `spawn` it holds an endpoint to init in slot 1, spawns itself
 * (the child prints its own line) and exits with the child's status.
 */
#include <stdio.h>
#include <string.h>

#include <akuma/abi/procmgr.h>
#include <akuma/sys.h>
#include <idl/proc_client.h>

#define SLOT_INIT 1u

int main(int argc, char **argv)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    printf("[bootseer] %s: bootargs \"%s\"\n", argc > 1 ? argv[1] : bi->name, bi->bootargs);
    if (argc < 2 || strcmp(argv[1], "spawn") != 0)
        return 0;
    static const char args[] = "child";
    uint32_t pid = 0;
    int rc = proc_spawn(SLOT_INIT, "bootseer", args, sizeof args, "", 0, "none", 100, 0, &pid);
    uint8_t state = 0, why = 0;
    int32_t status = -1;
    if (!rc)
        rc = proc_wait(SLOT_INIT, pid, &state, &status, &why);
    if (rc || state != AK_PM_EXITED) {
        printf("[bootseer] spawning a child: error %d, state %u\n", rc, state);
        return 1;
    }
    return status;
}
