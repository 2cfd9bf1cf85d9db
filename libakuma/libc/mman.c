/*
 * mmap, munmap, mprotect over the generated vmm client stubs (see
 * sys/mman.h); the only place that turns the vmm's -AK_E* into errno.
 */
#include <errno.h>
#include <sys/mman.h>

#include <akuma/abi/caps.h>
#include <idl/vmm_client.h>

int errno;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fd != -1 || off != 0) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    uint64_t out = 0;
    int rc = vmm_mmap(AK_SLOT_VMM, (uint64_t)(uintptr_t)addr, len, (uint32_t)prot,
                      (uint32_t)flags, &out);
    if (rc < 0) {
        errno = -rc;
        return MAP_FAILED;
    }
    return (void *)(uintptr_t)out;
}

int munmap(void *addr, size_t len)
{
    int rc = vmm_munmap(AK_SLOT_VMM, (uint64_t)(uintptr_t)addr, len);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
    int rc = vmm_mprotect(AK_SLOT_VMM, (uint64_t)(uintptr_t)addr, len, (uint32_t)prot);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return 0;
}
