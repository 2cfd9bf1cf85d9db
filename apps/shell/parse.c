/*
 * The shell's line parser (parse.h): words, quotes, comments, a trailing
 * '&' and the vmm=, malloc= and quota= assignments before a program.
 * Decodes into the caller's sh_cmd_t and checks every bound before a byte
 * is stored.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"

bool sh_number(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

size_t sh_args_bytes(const sh_cmd_t *cmd)
{
    size_t n = 0;
    for (unsigned i = 1; i < cmd->argc; i++)
        n += strlen(cmd->argv[i]) + 1;
    return n;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits line into NUL-terminated words in cmd->buf; sets background. */
static int split(const char *line, size_t len, sh_cmd_t *cmd, char *err)
{
    size_t out = 0, i = 0;
    cmd->argc = 0;
    cmd->background = false;
    while (i < len) {
        while (i < len && blank(line[i]))
            i++;
        if (i == len || line[i] == '#')
            break;
        if (line[i] == '&') {
            for (i++; i < len && blank(line[i]); i++)
                ;
            if (i < len && line[i] != '#') {
                snprintf(err, SH_ERR_MAX, "sh: '&' must end the line");
                return -1;
            }
            if (cmd->argc == 0) {
                snprintf(err, SH_ERR_MAX, "sh: '&' with no command before it");
                return -1;
            }
            cmd->background = true;
            break;
        }
        if (cmd->argc == SH_WORDS_MAX) {
            snprintf(err, SH_ERR_MAX, "sh: too many words (at most %u)", SH_WORDS_MAX);
            return -1;
        }
        /* A word: out stays below len, which is at most SH_LINE_MAX, so the NUL fits. */
        cmd->argv[cmd->argc++] = &cmd->buf[out];
        bool quoted = false;
        while (i < len && (quoted || (!blank(line[i]) && line[i] != '#' && line[i] != '&'))) {
            if (line[i] == '"')
                quoted = !quoted;
            else
                cmd->buf[out++] = line[i];
            i++;
        }
        if (quoted) {
            snprintf(err, SH_ERR_MAX, "sh: a '\"' is not closed");
            return -1;
        }
        cmd->buf[out++] = '\0';
    }
    cmd->argv[cmd->argc] = NULL;
    return 0;
}

/* Takes the leading assignments off argv; 0, or -1 with err. */
static int assignments(sh_cmd_t *cmd, char *err)
{
    unsigned k = 0;
    for (; k < cmd->argc; k++) {
        const char *w = cmd->argv[k];
        const char *eq = strchr(w, '=');
        if (!eq)
            break;
        const char *v = eq + 1;
        size_t klen = (size_t)(eq - w);
        if (klen == 3 && memcmp(w, "vmm", 3) == 0) {
            if (cmd->has_vmm)
                goto twice;
            size_t n = strlen(v);
            if (n == 0 || n > AK_PM_NAME_MAX) {
                snprintf(err, SH_ERR_MAX, "sh: vmm: '%s' is not a name of 1 to %u bytes", v, AK_PM_NAME_MAX);
                return -1;
            }
            memcpy(cmd->vmm, v, n + 1);
            cmd->has_vmm = true;
        } else if (klen == 6 && memcmp(w, "malloc", 6) == 0) {
            if (cmd->has_malloc)
                goto twice;
            if (strcmp(v, "page") == 0) {
                cmd->malloc_mode = AK_PM_MALLOC_PAGE;
            } else if (strcmp(v, "chunk") == 0) {
                cmd->malloc_mode = AK_PM_MALLOC_CHUNK;
            } else {
                snprintf(err, SH_ERR_MAX, "sh: malloc: '%s' is not page or chunk", v);
                return -1;
            }
            cmd->has_malloc = true;
        } else if (klen == 5 && memcmp(w, "quota", 5) == 0) {
            if (cmd->has_quota)
                goto twice;
            if (!sh_number(v, UINT64_MAX, &cmd->quota)) {
                snprintf(err, SH_ERR_MAX, "sh: quota: '%s' is not a number of pages", v);
                return -1;
            }
            cmd->has_quota = true;
        } else {
            snprintf(err, SH_ERR_MAX, "sh: %.*s=: only vmm=, malloc= and quota= may come before a program",
                     (int)(klen < 32 ? klen : 32), w);
            return -1;
        }
    }
    if (k == cmd->argc && k > 0) {
        snprintf(err, SH_ERR_MAX, "sh: no program after %s", cmd->argv[k - 1]);
        return -1;
    }
    /* Shift the command down over the assignments. */
    for (unsigned j = k; j <= cmd->argc; j++)
        cmd->argv[j - k] = cmd->argv[j];
    cmd->argc -= k;
    return 0;
twice:
    snprintf(err, SH_ERR_MAX, "sh: %s: given twice", cmd->argv[k]);
    return -1;
}

int sh_parse(const char *line, size_t len, sh_cmd_t *cmd, char err[SH_ERR_MAX])
{
    cmd->has_vmm = cmd->has_malloc = cmd->has_quota = false;
    cmd->vmm[0] = '\0';
    cmd->malloc_mode = AK_PM_MALLOC_DEFAULT;
    cmd->quota = 0;
    cmd->argc = 0;
    cmd->argv[0] = NULL;
    cmd->background = false;
    err[0] = '\0';
    if (len > SH_LINE_MAX) {
        snprintf(err, SH_ERR_MAX, "sh: line too long (at most %u bytes)", SH_LINE_MAX);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f) {
            snprintf(err, SH_ERR_MAX, "sh: the line holds a control byte (0x%02x)", c);
            return -1;
        }
    }
    if (split(line, len, cmd, err) != 0 || assignments(cmd, err) != 0)
        return -1;
    if (cmd->argc == 0)
        return 0;
    if (strlen(cmd->argv[0]) > AK_PM_NAME_MAX) {
        snprintf(err, SH_ERR_MAX, "sh: %.20s...: a program name is at most %u bytes", cmd->argv[0], AK_PM_NAME_MAX);
        return -1;
    }
    if (cmd->argv[0][0] == '\0') {
        snprintf(err, SH_ERR_MAX, "sh: an empty program name");
        return -1;
    }
    if (sh_args_bytes(cmd) > AK_PM_ARGS_MAX) {
        snprintf(err, SH_ERR_MAX, "sh: arguments too long (at most %u bytes with a NUL each)", AK_PM_ARGS_MAX);
        return -1;
    }
    return 0;
}
