/*
 * The idlc command line:  idlc FILE.idl -o DIR
 *
 * Writes DIR/X_types.h, X_client.h, X_client.c, X_server.h and X_server.c
 * for FILE X.idl.  Diagnostics go to stderr as "file:line:col: kind: msg".
 * Exit status: 0 success, 1 an error in the IDL, 2 a usage or I/O error.
 *
 * Nothing is written unless the whole file compiles; each output goes to
 * a temporary name first and is renamed into place, so a build never sees
 * half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <idlc/idlc.h>

static int idlc_usage(FILE *to, int status)
{
    fputs("usage: idlc FILE.idl -o DIR\n"
          "Generates DIR/X_types.h, X_client.h, X_client.c, X_server.h and X_server.c\n"
          "from FILE X.idl (see idl/README.md).\n", to);
    return status;
}

/* Reads the whole file; returns NULL after printing why. */
static char *idlc_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "idlc: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    idlc_sbuf_t b = { 0 };
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        idlc_sbuf_put(&b, chunk, n);
        if (b.len > IDLC_MAX_INPUT)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "idlc: %s: read error\n", path);
        idlc_sbuf_free(&b);
        return NULL;
    }
    idlc_sbuf_put(&b, "", 0);
    *len = b.len;
    return b.data;
}

static bool idlc_write(const char *dir, const char *name, const idlc_sbuf_t *text)
{
    idlc_sbuf_t path = { 0 }, tmp = { 0 };
    idlc_sbuf_printf(&path, "%s/%s", dir, name);
    idlc_sbuf_printf(&tmp, "%s/.%s.tmp", dir, name);
    bool ok = false;
    FILE *f = fopen(idlc_sbuf_str(&tmp), "wb");
    if (f != NULL) {
        ok = fwrite(idlc_sbuf_str(text), 1, text->len, f) == text->len;
        ok = fclose(f) == 0 && ok;
        ok = ok && rename(idlc_sbuf_str(&tmp), idlc_sbuf_str(&path)) == 0;
    }
    if (!ok) {
        fprintf(stderr, "idlc: cannot write %s: %s\n", idlc_sbuf_str(&path), strerror(errno));
        remove(idlc_sbuf_str(&tmp));
    }
    idlc_sbuf_free(&path);
    idlc_sbuf_free(&tmp);
    return ok;
}

int main(int argc, char **argv)
{
    const char *in = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc && dir == NULL)
            dir = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return idlc_usage(stdout, 0);
        else if (argv[i][0] != '-' && in == NULL)
            in = argv[i];
        else
            return idlc_usage(stderr, 2);
    }
    if (in == NULL || dir == NULL)
        return idlc_usage(stderr, 2);

    size_t len = 0;
    char *src = idlc_read(in, &len);
    if (src == NULL)
        return 2;

    idlc_arena_t arena = { NULL };
    idlc_diag_t diag = { .file = in };
    idlc_output_t out;
    bool ok = idlc_compile(&arena, &diag, in, src, len, &out);
    fputs(idlc_sbuf_str(&diag.text), stderr);
    int status = ok ? 0 : 1;
    if (ok) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "idlc: cannot create %s: %s\n", dir, strerror(errno));
            status = 2;
        }
        for (int i = 0; i < IDLC_OUT_COUNT && status == 0; i++)
            if (!idlc_write(dir, out.name[i], &out.text[i]))
                status = 2;
        idlc_output_free(&out);
    }
    idlc_sbuf_free(&diag.text);
    idlc_arena_free(&arena);
    free(src);
    return status;
}
