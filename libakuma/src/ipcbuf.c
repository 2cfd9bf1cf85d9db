/*
 * The IPC buffer of the (single) thread: mapped by the kernel at a fixed
 * address before the program starts.
 */
#include <akuma/abi/layout.h>
#include <akuma/ipc.h>

ak_ipcbuf_t *ak_ipc_buffer(void)
{
    return (ak_ipcbuf_t *)(uintptr_t)AK_IPCBUF_VA;
}
