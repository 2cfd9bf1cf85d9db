/*
 * libFuzzer: idlc (the lexer, parser, checker and generators) on any text.
 * Any input must give either output with no error or exactly one error,
 * never a crash, a leak or undefined behaviour.  See tests/fuzz/module.mk.
 */
#include <stdlib.h>

#include <idlc/idlc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idlc_arena_t arena = { NULL };
    idlc_diag_t diag = { .file = "fuzz.idl" };
    idlc_output_t out;
    if (idlc_compile(&arena, &diag, "fuzz.idl", (const char *)data, size, &out)) {
        if (diag.errors != 0)
            abort();
        idlc_output_free(&out);
    } else if (diag.errors != 1) {
        abort();
    }
    idlc_sbuf_free(&diag.text);
    idlc_arena_free(&arena);
    return 0;
}
