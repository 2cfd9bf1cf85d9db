/*
 * Console output through the kernel's console system call: bytes are
 * copied to the console area of the IPC buffer page and written with one
 * trap per AK_CONSOLE_MAX bytes, each written atomically (akuma/sys.h).
 */
#include <akuma/abi/layout.h>
#include <akuma/abi/syscall.h>
#include <akuma/sys.h>
#include <common/string.h>

static char *console_area(void)
{
    return (char *)(uintptr_t)(AK_IPCBUF_VA + AK_CONSOLE_OFFSET);
}

int ak_console_write(const char *s, size_t n)
{
    while (n) {
        size_t k = n < AK_CONSOLE_MAX ? n : AK_CONSOLE_MAX;
        memcpy(console_area(), s, k);
        int64_t r = ak_sys_console(0, k);
        if (r < 0)
            return (int)r;
        s += k;
        n -= k;
    }
    return 0;
}
