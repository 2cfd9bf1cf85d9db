/*
 * Diagnostics in the form compilers and editors understand:
 * "file:line:col: error: message".  They are collected in memory so that
 * the command line prints them and the tests compare them.
 */
#include <idlc/idlc.h>

static void idlc_diag_emit(idlc_diag_t *d, idlc_loc_t at, const char *kind,
                           const char *fmt, va_list ap)
{
    idlc_sbuf_printf(&d->text, "%s:%u:%u: %s: ", d->file ? d->file : "<input>",
                     at.line, at.col, kind);
    idlc_sbuf_vprintf(&d->text, fmt, ap);
    idlc_sbuf_puts(&d->text, "\n");
}

void idlc_error(idlc_diag_t *d, idlc_loc_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    idlc_diag_emit(d, at, "error", fmt, ap);
    va_end(ap);
    d->errors++;
}

void idlc_note(idlc_diag_t *d, idlc_loc_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    idlc_diag_emit(d, at, "note", fmt, ap);
    va_end(ap);
    d->notes++;
}
