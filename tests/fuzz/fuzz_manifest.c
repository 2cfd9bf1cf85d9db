/*
 * libFuzzer: mkimage's manifest parser (tools/mkimage/manifest.c) on any
 * text.  A manifest it accepts must be what mkimage.h promises: every name
 * resolved to an index in range, within the limits of the boot image.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mkimage/mkimage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool terminated(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mkimage_manifest_t m;
    static FILE *diag;
    if (diag == NULL && (diag = fopen("/dev/null", "w")) == NULL)
        abort();
    if (mkimage_manifest_parse("fuzz.manifest", (const char *)data, size, &m, diag) != 0)
        return 0;
    if (m.nprograms == 0 || m.nprograms > BI_MAX_PROGRAMS || m.nendpoints > BI_MAX_ENDPOINTS ||
        m.ncaps > BI_MAX_CAPS || m.nfiles > BI_MAX_FILES)
        abort();
    for (uint32_t k = 0; k < m.nfiles; k++)
        if (!terminated(m.files[k].name, sizeof m.files[k].name) || m.files[k].name[0] == '\0')
            abort();
    for (uint32_t i = 0; i < m.nprograms; i++) {
        const mkimage_program_t *p = &m.programs[i];
        if (!terminated(p->name, sizeof p->name) || p->name[0] == '\0' ||
            !terminated(p->elf, sizeof p->elf) || !terminated(p->args, sizeof p->args) ||
            p->priority > BI_PRIORITY_MAX || p->pager < -1 || p->pager >= (int32_t)m.nendpoints)
            abort();
    }
    for (uint32_t i = 0; i < m.ncaps; i++) {
        const mkimage_cap_t *c = &m.caps[i];
        if (c->holder >= m.nprograms || c->slot >= AK_CAP_SLOTS ||
            (c->kind == AK_CAP_ENDPOINT && c->target >= m.nendpoints &&
             !(c->target == BI_ENDPOINT_INIT && c->rights == AK_RIGHT_SEND && c->badge == 0)) ||
            (c->kind == AK_CAP_ASPACE && c->target >= m.nprograms))
            abort();
    }
    return 0;
}
