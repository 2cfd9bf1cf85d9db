/*
 * idlc: every malformed input gets its own "file:line:col: error:" message
 * and a failure; valid inputs compile; the output is deterministic and
 * carries its banner; server code includes only ABI headers; the static
 * assertions bind kernel messages to abi/pager.h and fire when the IDL
 * disagrees; a mutation fuzz over the real IDL files never crashes (the
 * suite runs under ASan and UBSan).  The stages are linked in; the built
 * tool (IDLC_BIN) is also run as a subprocess for its exit status and files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <idlc/idlc.h>

extern char **environ;

/* ---- helpers ----------------------------------------------------------------- */

/* One in-process compile: diagnostics and, on success, the output. */
typedef struct compiled {
    bool ok;
    char *diag;                 /* malloc'd */
    unsigned errors, notes;
    idlc_arena_t arena;
    idlc_output_t out;
} compiled_t;

static void compile_n(compiled_t *c, const char *path, const char *src, size_t len)
{
    memset(c, 0, sizeof *c);
    idlc_diag_t d = { .file = path };
    c->ok = idlc_compile(&c->arena, &d, path, src, len, &c->out);
    c->diag = strdup(idlc_sbuf_str(&d.text));
    c->errors = d.errors;
    c->notes = d.notes;
    idlc_sbuf_free(&d.text);
}

static void compile(compiled_t *c, const char *src)
{
    compile_n(c, "t.idl", src, strlen(src));
}

static void compiled_free(compiled_t *c)
{
    if (c->ok)
        idlc_output_free(&c->out);
    idlc_arena_free(&c->arena);
    free(c->diag);
}

/* Reads a file of the source tree (relative to IDLC_TOP). */
static char *read_file(const char *path, size_t *len)
{
    char full[4096];
    snprintf(full, sizeof full, "%s%s%s", path[0] == '/' ? "" : IDLC_TOP, path[0] == '/' ? "" : "/", path);
    FILE *f = fopen(full, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs argv (argv[0] searched in PATH) with stdout+stderr captured; returns the exit status. */
static int run(const char *const argv[], char **output)
{
    char tmp[] = "/tmp/test_idlc_out.XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    pid_t pid;
    assert_int_equal(posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    size_t len;
    *output = read_file(tmp, &len);
    unlink(tmp);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/test_idlc.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

/* Removes dir and the files in it (the tests create no subdirectories). */
static void remove_tmpdir(char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
    free(dir);
}

static unsigned count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static const char *out_text(const compiled_t *c, const char *name)
{
    for (int i = 0; i < IDLC_OUT_COUNT; i++)
        if (strcmp(c->out.name[i], name) == 0)
            return idlc_sbuf_str(&c->out.text[i]);
    fail_msg("no output %s", name);
    return NULL;
}

/* ---- malformed inputs ---------------------------------------------------------- */

typedef struct bad_case {
    const char *name;
    const char *src;
    const char *want;   /* the whole diagnostic output */
} bad_case_t;

#define IFACE(body) "interface t {\n" body "}\n"

static const bad_case_t bad_cases[] = {
    { "unknown type", IFACE("  a(in u65 x) = 1;\n"),
      "t.idl:2:8: error: unknown type 'u65' (types: u8 u16 u32 u64 i8 i16 i32 i64 vaddr paddr size, str<N> strs<N> bytes<N> array<S, N>)\n" },
    { "missing semicolon", IFACE("  a() = 1\n  b() = 2;\n"),
      "t.idl:2:10: error: expected ';' after the method declaration, found 'b'\n" },
    { "missing semicolon at end of file", "interface t {\n  a() = 1",
      "t.idl:2:10: error: unexpected end of file, expected ';'\n" },
    { "missing semicolon after include", "include \"a.h\"\ninterface t { }\n",
      "t.idl:1:14: error: expected ';' after the include, found 'interface'\n" },
    { "duplicate label", IFACE("  a() = 1;\n  b() = 0x1;\n"),
      "t.idl:3:9: error: label 1 of 'b' is already used by 'a' at 2:9\n" },
    { "duplicate method", IFACE("  a() = 1;\n  a() = 2;\n"),
      "t.idl:3:3: error: duplicate method 'a' (first at 2:3)\n" },
    { "duplicate in parameter", IFACE("  a(in u8 x, in u8 x) = 1;\n"),
      "t.idl:2:20: error: duplicate parameter 'x' (first at 2:11)\n" },
    { "duplicate out parameter", IFACE("  a(out u8 x, out u8 x) = 1;\n"),
      "t.idl:2:22: error: duplicate parameter 'x' (first at 2:12)\n" },
    { "out and error word share a name", IFACE("  a(out u8 x) = 1 error AK_EIO(u8 x);\n"),
      "t.idl:2:35: error: 'x' is already a reply word at 2:12 (outs and error words share one namespace)\n" },
    { "two error clauses share a word name", IFACE("  a() = 1 error AK_EIO(u8 x) error AK_EPERM(u8 x);\n"),
      "t.idl:2:48: error: 'x' is already a reply word at 2:27 (outs and error words share one namespace)\n" },
    { "in parameter clashes with an out pointer", IFACE("  a(in u8 out_x, out u8 x) = 1;\n"),
      "t.idl:2:11: error: in parameter 'out_x' clashes with the pointer for reply word 'x' at 2:25\n" },
    { "duplicate error clause", IFACE("  a() = 1 error AK_EIO() error AK_EIO();\n"),
      "t.idl:2:32: error: duplicate error clause 'AK_EIO' (first at 2:17)\n" },
    { "fastpath request too long", IFACE("  [fastpath]\n  a(in u8 a1, in u8 a2, in u8 a3, in u8 a4, in u8 a5) = 1;\n"),
      "t.idl:3:3: error: request of fastpath method 'a' has 5 words; a fastpath message has at most 4\n" },
    { "fastpath reply too long", IFACE("  [fastpath] a(out u8 a1, out u8 a2, out u8 a3, out u8 a4, out u8 a5) = 1;\n"),
      "t.idl:2:14: error: reply of fastpath method 'a' has 5 words; a fastpath message has at most 4\n" },
    { "fastpath error reply too long",
      IFACE("  [fastpath] a() = 1 error AK_EIO(u8 a1, u8 a2, u8 a3, u8 a4, u8 a5);\n"),
      "t.idl:2:14: error: error reply AK_EIO of fastpath method 'a' has 5 words; a fastpath message has at most 4\n" },
    { "unterminated comment", "interface t {\n  /* never closed\n  a() = 1;\n}\n",
      "t.idl:2:3: error: unterminated comment\n" },
    { "unterminated comment at the end", "interface t { }\n/*",
      "t.idl:2:1: error: unterminated comment\n" },
    { "unexpected end of file in an interface", "interface t {\n  a() = 1;\n",
      "t.idl:3:1: error: unexpected end of file, expected a method or '}'\n" },
    { "unexpected end of file in parameters", "interface t {\n  a(in u8",
      "t.idl:2:10: error: unexpected end of file, expected a parameter name\n" },
    { "unexpected end of file after interface", "interface",
      "t.idl:1:10: error: unexpected end of file, expected an interface name\n" },
    { "bad number: letters", IFACE("  a() = 12ab;\n"),
      "t.idl:2:9: error: bad number '12ab': not a decimal digit in it\n" },
    { "bad number: bare 0x", IFACE("  a() = 0x;\n"),
      "t.idl:2:9: error: bad number '0x': no digits after 0x\n" },
    { "bad number: hex digit", IFACE("  a() = 0x1g;\n"),
      "t.idl:2:9: error: bad number '0x1g': not a hexadecimal digit in it\n" },
    { "bad number: too large", IFACE("  a() = 18446744073709551616;\n"),
      "t.idl:2:9: error: bad number '18446744073709551616': does not fit in 64 bits\n" },
    { "bad number: hex too large", IFACE("  a() = 0x10000000000000000;\n"),
      "t.idl:2:9: error: bad number '0x10000000000000000': does not fit in 64 bits\n" },
    { "bad number: octal", IFACE("  a() = 012;\n"),
      "t.idl:2:9: error: bad number '012': leading zero (octal is not supported)\n" },
    { "negative label", IFACE("  a() = -1;\n"),
      "t.idl:2:9: error: unexpected character '-'\n" },
    { "label 0", IFACE("  a() = 0;\n"),
      "t.idl:2:9: error: label 0 is reserved; labels are 1..4503599627370495\n" },
    { "label out of range", IFACE("  a() = 0x10000000000000;\n"),
      "t.idl:2:9: error: label 4503599627370496 is out of range 1..4503599627370495 (52 bits)\n" },
    { "missing label", IFACE("  a();\n"),
      "t.idl:2:6: error: expected '= LABEL' after the parameters (every method has an explicit label), found ';'\n" },
    { "label is not a number", IFACE("  a() = b;\n"),
      "t.idl:2:9: error: expected a label number, found 'b'\n" },
    { "unknown attribute", IFACE("  [fast] a() = 1;\n"),
      "t.idl:2:4: error: unknown attribute 'fast' (attributes: fastpath, kernel, abi)\n" },
    { "duplicate attribute", IFACE("  [fastpath, fastpath] a() = 1;\n"),
      "t.idl:2:14: error: duplicate attribute 'fastpath'\n" },
    { "method attribute on a parameter", IFACE("  a([fastpath] in u8 x) = 1;\n"),
      "t.idl:2:6: error: attribute 'fastpath' applies to methods, not parameters\n" },
    { "abi on a method needs two constants", IFACE("  [abi(X)] a() = 1;\n"),
      "t.idl:2:4: error: abi(...) on a method takes 2 constants (label, word count), not 1\n" },
    { "abi on a parameter needs one constant", IFACE("  a([abi(X, Y)] in u8 x) = 1;\n"),
      "t.idl:2:6: error: abi(...) on a parameter takes 1 constant (word index), not 2\n" },
    { "abi needs a constant", IFACE("  [abi()] a() = 1;\n"),
      "t.idl:2:8: error: expected the name of a C constant, found ')'\n" },
    { "abi constant is a C keyword", IFACE("  [kernel, abi(return, int)] a() = 1;\n"),
      "t.idl:2:16: error: 'return' is a word of C, not the name of a constant\n" },
    { "error constant is a C keyword", IFACE("  a(in u32 x) = 1 error while(u8 q);\n"),
      "t.idl:2:25: error: 'while' is a word of C, not the name of a constant\n" },
    { "unclosed attribute list", IFACE("  [fastpath a() = 1;\n"),
      "t.idl:2:13: error: expected ',' or ']', found 'a'\n" },
    { "kernel message with outs", IFACE("  [kernel] a(in u8 x, out u8 y) = 1;\n"),
      "t.idl:2:30: error: kernel message 'a' cannot have out parameters (its reply only resumes or kills)\n" },
    { "kernel message with an error clause", IFACE("  [kernel] a() = 1 error AK_EIO();\n"),
      "t.idl:2:26: error: kernel message 'a' cannot have error clauses\n" },
    { "upper-case interface name", "interface Vmm { }\n",
      "t.idl:1:11: error: interface name 'Vmm' must be lower case: [a-z][a-z0-9_]*\n" },
    { "name starting with an underscore", IFACE("  _a() = 1;\n"),
      "t.idl:2:3: error: method name '_a' must be lower case: [a-z][a-z0-9_]*\n" },
    { "C keyword as a name", IFACE("  a(in u8 int) = 1;\n"),
      "t.idl:2:11: error: parameter name 'int' is reserved\n" },
    { "stub parameter name as a name", IFACE("  a(in u64 ep) = 1;\n"),
      "t.idl:2:12: error: parameter name 'ep' is reserved\n" },
    { "IDL keyword as a name", IFACE("  interface() = 1;\n"),
      "t.idl:2:3: error: method name 'interface' is reserved\n" },
    { "error as a method name", "interface t { error() = 1; }",
      "t.idl:1:15: error: method name 'error' is reserved\n" },
    { "type suffix", IFACE("  a(in u8 size_t) = 1;\n"),
      "t.idl:2:11: error: parameter name 'size_t' ends in _t, which is reserved for types\n" },
    { "reserved prefix", IFACE("  ak_call() = 1;\n"),
      "t.idl:2:3: error: method name 'ak_call' starts with a reserved prefix (ak_, idlc_)\n" },
    { "reserved interface name", "interface ak { }\n",
      "t.idl:1:11: error: interface name 'ak' is reserved\n" },
    { "duplicate interface", "interface a { }\ninterface a { }\n",
      "t.idl:2:11: error: duplicate interface 'a' (first at 1:11)\n" },
    { "generated names collide", "interface a {\n  b_c() = 1;\n}\ninterface a_b {\n  c() = 1;\n}\n",
      "t.idl:5:3: error: generated C name 'a_b_c' is also generated by the declaration at 2:3; rename one\n" },
    { "duplicate include", "include \"x.h\";\ninclude \"x.h\";\ninterface t { }\n",
      "t.idl:2:9: error: \"x.h\" is already included at 1:9\n" },
    { "empty include", "include \"\";\n",
      "t.idl:1:9: error: empty header path\n" },
    { "include without a string", "include x;\n",
      "t.idl:1:9: error: expected a header path in quotes, found 'x'\n" },
    { "unterminated string", "include \"abc\ninterface t { }\n",
      "t.idl:1:9: error: unterminated string\n" },
    { "escape in a string", "include \"a\\b\";\n",
      "t.idl:1:11: error: escape sequences are not supported in strings\n" },
    { "no interface", "// nothing here\n",
      "t.idl:1:1: error: the file declares no interface\n" },
    { "empty file", "",
      "t.idl:1:1: error: the file declares no interface\n" },
    { "stray semicolon", "interface t { };\n",
      "t.idl:1:16: error: expected 'interface', 'struct' or 'include', found ';'\n" },
    { "stray slash", "interface t { / }\n",
      "t.idl:1:15: error: unexpected character '/'\n" },
    { "unexpected character", IFACE("  a() = 1; @\n"),
      "t.idl:2:12: error: unexpected character '@'\n" },
    { "non-ASCII byte", "interface t {\n  \xc3\xa9() = 1;\n}\n",
      "t.idl:2:3: error: unexpected character 0xc3\n" },
    { "missing direction", IFACE("  a(u8 x) = 1;\n"),
      "t.idl:2:5: error: expected 'in' or 'out', found 'u8'\n" },
    { "missing parameter name", IFACE("  a(in u8) = 1;\n"),
      "t.idl:2:10: error: expected a parameter name, found ')'\n" },
    { "trailing comma", IFACE("  a(in u8 x,) = 1;\n"),
      "t.idl:2:13: error: expected 'in' or 'out', found ')'\n" },
    { "missing comma", IFACE("  a(in u8 x in u8 y) = 1;\n"),
      "t.idl:2:13: error: expected ',' or ')', found 'in'\n" },
    { "missing brace", "interface t\n  a() = 1;\n}\n",
      "t.idl:2:3: error: expected '{', found 'a'\n" },
    { "method outside an interface", "a() = 1;\n",
      "t.idl:1:1: error: expected 'interface', 'struct' or 'include', found 'a'\n" },
    { "error clause without a constant", IFACE("  a() = 1 error (u8 x);\n"),
      "t.idl:2:17: error: expected the name of an error constant after 'error', found '('\n" },
    { "error word with a direction", IFACE("  a() = 1 error AK_EIO(out u8 x);\n"),
      "t.idl:2:24: error: unknown type 'out' (types: u8 u16 u32 u64 i8 i16 i32 i64 vaddr paddr size, str<N> strs<N> bytes<N> array<S, N>)\n" },
    /* Strings, arrays and structs. */
    { "str without a bound", IFACE("  a(in str x) = 1;\n"),
      "t.idl:2:12: error: expected '<' and a bound after 'str', found 'x'\n" },
    { "bound 0", IFACE("  a(in str<0> x) = 1;\n"),
      "t.idl:2:12: error: a bound is at least 1\n" },
    { "bound larger than a message", IFACE("  a(in bytes<513> x) = 1;\n"),
      "t.idl:2:14: error: bound 513 is larger than a message (512 bytes)\n" },
    { "bound that does not fit 64 bits", IFACE("  a(in bytes<18446744073709551616> x) = 1;\n"),
      "t.idl:2:14: error: bad number '18446744073709551616': does not fit in 64 bits\n" },
    { "bound is a name without its number", IFACE("  a(in strs<AK_X> y) = 1;\n"),
      "t.idl:2:17: error: expected '=' and the number the constant stands for (a bound is written N or CONSTANT = N), found '>'\n" },
    { "bound constant without a number", IFACE("  a(in strs<AK_X => y) = 1;\n"),
      "t.idl:2:19: error: expected a bound (a number, or CONSTANT = number), found '>'\n" },
    { "bound constant is a C keyword", IFACE("  a(in str<int = 4> y) = 1;\n"),
      "t.idl:2:12: error: 'int' is a word of C, not the name of a constant\n" },
    { "unclosed bound", IFACE("  a(in str<4 x) = 1;\n"),
      "t.idl:2:14: error: expected '>' after the bound, found 'x'\n" },
    { "negative bound", IFACE("  a(in str<-1> x) = 1;\n"),
      "t.idl:2:12: error: unexpected character '-'\n" },
    { "array without a struct", IFACE("  a(in array<4> x) = 1;\n"),
      "t.idl:2:14: error: expected the name of a struct, found '4'\n" },
    { "array without a bound", IFACE("  a(in array<s> x) = 1;\n"),
      "t.idl:2:15: error: expected ',' and a bound after the element type, found '>'\n" },
    { "array of an unknown struct", IFACE("  a(in array<nope, 2> x) = 1;\n"),
      "t.idl:2:14: error: unknown struct 'nope' (declare it with `struct nope { ... }`)\n" },
    { "array of a scalar", IFACE("  a(in array<u8, 2> x) = 1;\n"),
      "t.idl:2:14: error: array elements are structs, not 'u8' (bytes<N> carries bytes)\n" },
    { "string in an error reply", IFACE("  a() = 1 error AK_EIO(str<4> x);\n"),
      "t.idl:2:24: error: error words are scalars; 'str' travels only in ins and outs\n" },
    { "bytes in a struct", "struct s {\n  bytes<4> b;\n}\ninterface t { }\n",
      "t.idl:2:3: error: a struct field is a scalar or str<N>, not 'bytes'\n" },
    { "array in a struct", "struct s {\n  array<s, 1> b;\n}\ninterface t { }\n",
      "t.idl:2:3: error: a struct field is a scalar or str<N>, not 'array'\n" },
    { "struct without fields", "struct s { }\ninterface t { }\n",
      "t.idl:1:8: error: struct 's' has no fields\n" },
    { "duplicate struct", "struct s { u8 a; }\nstruct s { u8 b; }\ninterface t { }\n",
      "t.idl:2:8: error: duplicate struct 's' (first at 1:8)\n" },
    { "duplicate field", "struct s {\n  u8 a;\n  u16 a;\n}\ninterface t { }\n",
      "t.idl:3:7: error: duplicate field 'a' (first at 2:6)\n" },
    { "field without a semicolon", "struct s {\n  u8 a\n  u8 b;\n}\ninterface t { }\n",
      "t.idl:2:7: error: expected ';' after the field, found 'u8'\n" },
    { "field with a direction", "struct s {\n  in u8 a;\n}\ninterface t { }\n",
      "t.idl:2:3: error: unknown type 'in' (types: u8 u16 u32 u64 i8 i16 i32 i64 vaddr paddr size, str<N> strs<N> bytes<N> array<S, N>)\n" },
    { "upper-case struct name", "struct S { u8 a; }\ninterface t { }\n",
      "t.idl:1:8: error: struct name 'S' must be lower case: [a-z][a-z0-9_]*\n" },
    { "struct larger than a message", "struct s {\n  str<300> a;\n  str<300> b;\n}\ninterface t { }\n",
      "t.idl:3:12: error: struct 's' is larger than a message (512 bytes) at field 'b'\n" },
    { "strings past a message", IFACE("  a(in u64 n, in bytes<512> x) = 1;\n"),
      "t.idl:2:3: error: request of 'a' has more than 64 words with every string and array at its bound; a message has at most 64\n" },
    { "array past a message", "struct s { u64 a; u32 b; }\n" IFACE("  a(out array<s, 32> x) = 1;\n"),
      "t.idl:3:3: error: reply of 'a' has more than 64 words with every string and array at its bound; a message has at most 64\n" },
    { "fastpath string too long", IFACE("  [fastpath] a(in str<25> x) = 1;\n"),
      "t.idl:2:14: error: request of fastpath method 'a' has up to 5 words with every string and array at its bound; a fastpath message has at most 4\n" },
    { "kernel message with a string", IFACE("  [kernel] a(in str<4> x) = 1;\n"),
      "t.idl:2:24: error: kernel message 'a' cannot carry a str\n" },
    { "abi binding on a string", IFACE("  a([abi(W)] in str<4> x) = 1;\n"),
      "t.idl:2:17: error: abi(...) binds a scalar word, not a str\n" },
    { "length word clashes with a later parameter", IFACE("  a(in str<4> x, in u64 x_len) = 1;\n"),
      "t.idl:2:25: error: 'x_len' is already the length word of the string or array at 2:15\n" },
    { "length word clashes with an earlier parameter", IFACE("  a(in u64 x_len, in bytes<4> x) = 1;\n"),
      "t.idl:2:31: error: the length word of 'x' is called 'x_len', which is already declared at 2:12\n" },
    { "array count clashes with an out", "struct s { u8 a; }\n" IFACE("  a(out u8 v_count, out array<s, 2> v) = 1;\n"),
      "t.idl:3:37: error: the length word of 'v' is called 'v_count', which is already declared at 3:12\n" },
    { "length word clashes with an error word", IFACE("  a(out strs<8> v) = 1 error AK_EIO(u8 v_len);\n"),
      "t.idl:2:40: error: 'v_len' is already the length word of the string or array at 2:17\n" },
    { "in parameter clashes with an out length pointer", IFACE("  a(in u8 out_x_len, out bytes<4> x) = 1;\n"),
      "t.idl:2:11: error: in parameter 'out_x_len' clashes with the pointer for reply word 'x_len' at 2:35\n" },
    { "struct name collides with generated names", "struct t_a_req { u8 x; }\n" IFACE("  a(in u8 y) = 1;\n"),
      "t.idl:3:3: error: generated C name 't_a_req_t' is also generated by the declaration at 1:8; rename one\n" },
    { "long token is shortened", IFACE("  a() = 1 abcdefghijabcdefghijabcdefghijabcdefghij;\n"),
      "t.idl:2:10: error: expected ';' after the method declaration, found 'abcdefghijabcdefghijabcdefghijab...'\n" },
};

static void test_bad_case(void **state)
{
    const bad_case_t *bc = *state;
    compiled_t c;
    compile(&c, bc->src);
    assert_false(c.ok);
    assert_int_equal(c.errors, 1);
    assert_string_equal(c.diag, bc->want);
    compiled_free(&c);
}

/* A message of 65 words, and one of 64 (fine). */
static void test_too_many_words(void **state)
{
    (void)state;
    for (int n = 64; n <= 65; n++) {
        char src[8192];
        size_t k = (size_t)snprintf(src, sizeof src, "interface t {\n  a(");
        for (int i = 0; i < n; i++)
            k += (size_t)snprintf(src + k, sizeof src - k, "%sout u64 w%d", i ? ", " : "", i);
        snprintf(src + k, sizeof src - k, ") = 1;\n}\n");
        compiled_t c;
        compile(&c, src);
        if (n == 64) {
            assert_true(c.ok);
            assert_string_equal(c.diag, "t.idl:2:3: note: reply of 'a' has 64 words: words 4..63 travel in the IPC buffer\n");
        } else {
            assert_false(c.ok);
            assert_string_equal(c.diag, "t.idl:2:3: error: reply of 'a' has 65 words; a message has at most 64\n");
        }
        compiled_free(&c);
    }
}

/* NUL bytes are input like any other, not an end. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char src[] = "interface t {\n  a() = 1;\0\n}\n";
    compiled_t c;
    compile_n(&c, "t.idl", src, sizeof src - 1);
    assert_false(c.ok);
    assert_string_equal(c.diag, "t.idl:2:11: error: unexpected character 0x00\n");
    compiled_free(&c);
}

static void test_bad_file_name(void **state)
{
    (void)state;
    compiled_t c;
    const char *src = "interface t { }\n";
    compile_n(&c, "dir/a b.idl", src, strlen(src));
    assert_false(c.ok);
    assert_string_equal(c.diag, "dir/a b.idl:1:1: error: file name 'a b.idl' cannot name the output files: use [A-Za-z0-9_.-]\n");
    compiled_free(&c);
}

static void test_input_too_large(void **state)
{
    (void)state;
    size_t n = IDLC_MAX_INPUT + 1;
    char *src = malloc(n);
    assert_non_null(src);
    memset(src, ' ', n);
    compiled_t c;
    compile_n(&c, "t.idl", src, n);
    assert_false(c.ok);
    assert_string_equal(c.diag, "t.idl:1:1: error: input is larger than 16777216 bytes\n");
    compiled_free(&c);
    free(src);
}

/* ---- valid inputs ------------------------------------------------------------------ */

static void test_valid_syntax(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "interface t { }",
        "interface t{a()=1;}",
        "\t// tabs, CRLF and comments everywhere\r\ninterface /* x */ t /* y */ {\r\n  a(/*none*/) = 1; // c\r\n}\r\n",
        "interface t {\n  [fastpath, kernel, abi(A, B)] a([abi(C)] in u8 x) = 0XFFFFFFFFFFFFF;\n}\n",
        "interface t {\n  a(out size size, in size vaddr) = 1 error E_ONE() error E_TWO(i64 y);\n}\n",
        "include \"a/b.h\"; include \"c.h\";\ninterface one { x() = 1; }\ninterface two { x() = 1; }\n",
        /* Strings and arrays: a struct used before its declaration, type words as names, spacing. */
        ("interface t {\n  a(in str<1> str, in strs<C_MAX=8> bytes,\n"
         "    out array< e ,1 > e) = 1;\n}\nstruct e { str<3> s; i8 b; u64 c; }\n"),
        "struct one { u8 a; }\nstruct two { u8 a; }\ninterface t { [fastpath] a(in str<24> x) = 1; }\n",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        compiled_t c;
        compile(&c, ok[i]);
        if (!c.ok)
            fail_msg("case %zu: %s", i, c.diag);
        assert_int_equal(c.errors, 0);
        assert_string_equal(c.diag, "");
        compiled_free(&c);
    }
}

/* The line of src where the method `name(` is declared (at the indentation of vmm.idl). */
static unsigned method_line(const char *src, const char *name)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\n    %s(", name);
    const char *p = strstr(src, needle);
    assert_non_null(p);
    unsigned line = 2; /* the method starts on the line after the newline found */
    for (const char *q = src; q < p; q++)
        line += *q == '\n';
    return line;
}

/* The product IDL files compile; the notes name every message that uses the IPC buffer. */
static void test_product_idl(void **state)
{
    (void)state;
    static const char *const files[] = { "idl/vmm.idl", "idl/kernel.idl", "tests/contract/golden/golden.idl",
                                         "idl/proc.idl" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *src = read_file(files[i], &len);
        compiled_t c;
        compile_n(&c, files[i], src, len);
        if (!c.ok)
            fail_msg("%s: %s", files[i], c.diag);
        if (i == 0) {
            char want[512];
            snprintf(want, sizeof want, "idl/vmm.idl:%u:5: note: reply of 'stats' has 18 words: "
                     "words 4..17 travel in the IPC buffer\n"
                     "idl/vmm.idl:%u:5: note: request of 'adopt' has up to 7 words: "
                     "words 4..6 travel in the IPC buffer\n"
                     "idl/vmm.idl:%u:5: note: reply of 'totals' has 7 words: "
                     "words 4..6 travel in the IPC buffer\n",
                     method_line(src, "stats"), method_line(src, "adopt"), method_line(src, "totals"));
            assert_string_equal(c.diag, want);
        }
        if (i == 3) {
            /* spawn's strings fill exactly one message at their bounds; vmms' and file's replies nearly. */
            char want[1024];
            snprintf(want, sizeof want,
                     "idl/proc.idl:%u:5: note: request of 'spawn' has up to 64 words: words 4..63 travel in the IPC buffer\n"
                     "idl/proc.idl:%u:5: note: reply of 'list' has up to 58 words: words 4..57 travel in the IPC buffer\n"
                     "idl/proc.idl:%u:5: note: reply of 'vmms' has up to 62 words: words 4..61 travel in the IPC buffer\n"
                     "idl/proc.idl:%u:5: note: reply of 'file' has up to 62 words: words 4..61 travel in the IPC buffer\n",
                     method_line(src, "spawn"), method_line(src, "list"), method_line(src, "vmms"),
                     method_line(src, "file"));
            assert_string_equal(c.diag, want);
        }
        if (i == 1) {
            /* Only the range methods of aspace use the IPC buffer, each filling at most one message. */
            char want[512];
            snprintf(want, sizeof want,
                     "idl/kernel.idl:%u:5: note: request of 'map_range' has up to 63 words: words 4..62 travel in the IPC buffer\n"
                     "idl/kernel.idl:%u:5: note: reply of 'take_range' has up to 61 words: words 4..60 travel in the IPC buffer\n",
                     method_line(src, "map_range"), method_line(src, "take_range"));
            assert_string_equal(c.diag, want);
        }
        compiled_free(&c);
        free(src);
    }
}

/* ---- generated text ------------------------------------------------------------------ */

static void test_banner_and_names(void **state)
{
    (void)state;
    size_t len;
    char *src = read_file("idl/vmm.idl", &len);
    compiled_t c;
    compile_n(&c, "some/dir/vmm.idl", src, len);
    assert_true(c.ok);
    static const char *const names[IDLC_OUT_COUNT] = {
        "vmm_types.h", "vmm_client.h", "vmm_client.c", "vmm_server.h", "vmm_server.c",
    };
    for (int i = 0; i < IDLC_OUT_COUNT; i++) {
        assert_string_equal(c.out.name[i], names[i]);
        const char *t = idlc_sbuf_str(&c.out.text[i]);
        assert_true(strncmp(t, "/*\n * generated by idlc from vmm.idl - do not edit\n", 51) == 0);
        assert_null(strstr(t, "some/dir"));
        assert_true(c.out.text[i].len > 0 && t[c.out.text[i].len - 1] == '\n');
    }
    compiled_free(&c);
    free(src);
}

/* Same input, same bytes, wherever the file is. */
static void test_deterministic(void **state)
{
    (void)state;
    size_t len;
    char *src = read_file("idl/vmm.idl", &len);
    compiled_t a, b;
    compile_n(&a, "vmm.idl", src, len);
    compile_n(&b, "/elsewhere/vmm.idl", src, len);
    assert_true(a.ok && b.ok);
    for (int i = 0; i < IDLC_OUT_COUNT; i++) {
        assert_int_equal(a.out.text[i].len, b.out.text[i].len);
        assert_memory_equal(a.out.text[i].data, b.out.text[i].data, a.out.text[i].len);
    }
    compiled_free(&a);
    compiled_free(&b);
    free(src);
}

/* Server-side files include only <stddef.h>, <stdint.h>, ABI headers and each other. */
static void test_server_includes_only_abi(void **state)
{
    (void)state;
    static const char *const files[] = { "idl/vmm.idl", "idl/kernel.idl" };
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *src = read_file(files[f], &len);
        compiled_t c;
        compile_n(&c, files[f], src, len);
        assert_true(c.ok);
        const int which[] = { IDLC_OUT_TYPES_H, IDLC_OUT_SERVER_H, IDLC_OUT_SERVER_C };
        int abi = 0;
        for (int k = 0; k < 3; k++) {
            const char *t = idlc_sbuf_str(&c.out.text[which[k]]);
            for (const char *p = strstr(t, "#include "); p; p = strstr(p + 1, "#include ")) {
                const char *arg = p + 9;
                bool good = strncmp(arg, "<stddef.h>", 10) == 0 || strncmp(arg, "<stdint.h>", 10) == 0 ||
                            strncmp(arg, "<akuma/abi/", 11) == 0 || strncmp(arg, "\"vmm_", 5) == 0 ||
                            strncmp(arg, "\"kernel_", 8) == 0;
                if (!good)
                    fail_msg("%s: %.40s", c.out.name[which[k]], p);
                abi += strncmp(arg, "<akuma/abi/", 11) == 0;
            }
        }
        assert_true(abi >= 2);
        assert_non_null(strstr(out_text(&c, f ? "kernel_client.c" : "vmm_client.c"), "#include <akuma/ipc.h>"));
        compiled_free(&c);
        free(src);
    }
}

static void test_vmm_output(void **state)
{
    (void)state;
    size_t len;
    char *src = read_file("idl/vmm.idl", &len);
    compiled_t c;
    compile_n(&c, "vmm.idl", src, len);
    assert_true(c.ok);
    const char *types = out_text(&c, "vmm_types.h");
    static const char *const want[] = {
        "_Static_assert(VMM_LABEL_START == AK_PAGER_START,",
        "_Static_assert(VMM_START_REQ_WORDS == AK_PAGER_START_WORDS,",
        "_Static_assert(VMM_LABEL_FAULT == AK_PAGER_FAULT,",
        "_Static_assert(VMM_FAULT_REQ_WORDS == AK_PAGER_FAULT_WORDS,",
        "_Static_assert(VMM_FAULT_REQ_W_FAR == AK_FAULT_W_FAR,",
        "_Static_assert(VMM_FAULT_REQ_W_ESR == AK_FAULT_W_ESR,",
        "_Static_assert(VMM_FAULT_REQ_W_ELR == AK_FAULT_W_ELR,",
        "_Static_assert(VMM_FAULT_REQ_W_ACCESS == AK_FAULT_W_ACCESS,",
        "_Static_assert(VMM_LABEL_EXIT == AK_PAGER_EXIT,",
        "_Static_assert(VMM_EXIT_REQ_WORDS == AK_PAGER_EXIT_WORDS,",
        "_Static_assert(VMM_MMAP_REQ_WORDS <= AK_MSG_REG_WORDS,",
        "_Static_assert(VMM_MUNMAP_REQ_WORDS <= AK_MSG_REG_WORDS,",
        "_Static_assert(VMM_MPROTECT_REQ_WORDS <= AK_MSG_REG_WORDS,",
        "_Static_assert(VMM_STATS_REP_WORDS <= AK_MSG_MAX_WORDS,",
        "_Static_assert(sizeof(vmm_stats_rep_t) == VMM_STATS_REP_WORDS * sizeof(uint64_t),",
        "_Static_assert(offsetof(vmm_mmap_req_t, flags) == VMM_MMAP_REQ_W_FLAGS * sizeof(uint64_t),",
        "/* The reply has 18 words: words 4..17 travel in the IPC buffer. */",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(types, want[i]) == NULL)
            fail_msg("vmm_types.h lacks %s", want[i]);
    /* Kernel messages have no client stub; the dispatch checks their badge. */
    const char *client_h = out_text(&c, "vmm_client.h");
    assert_non_null(strstr(client_h, "int vmm_mmap(uint64_t ep, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,\n"
                                     "             uint64_t *out_addr);"));
    assert_null(strstr(client_h, "vmm_start("));
    assert_null(strstr(client_h, "vmm_fault("));
    assert_null(strstr(client_h, "vmm_exit("));
    assert_non_null(strstr(out_text(&c, "vmm_server.c"), "(badge & AK_PAGER_BADGE_BIT) == 0"));
    compiled_free(&c);
    free(src);
}

/* ---- mutation fuzz ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A failed compile reports exactly one error, at a position inside the input. */
static void check_outcome(const compiled_t *c, const char *src, size_t len)
{
    unsigned lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += src[i] == '\n';
    if (c->ok) {
        assert_int_equal(c->errors, 0);
        for (int i = 0; i < IDLC_OUT_COUNT; i++)
            assert_true(c->out.text[i].len > 50);
        return;
    }
    assert_int_equal(c->errors, 1);
    const char *e = strstr(c->diag, ": error: ");
    assert_non_null(e);
    const char *line = e;
    while (line > c->diag && line[-1] != '\n')
        line--;
    unsigned l = 0, col = 0;
    assert_int_equal(sscanf(line, "f.idl:%u:%u:", &l, &col), 2);
    assert_true(l >= 1 && l <= lines && col >= 1);
    assert_null(strstr(e + 1, ": error: "));
}

static void test_fuzz_prefixes(void **state)
{
    (void)state;
    static const char *const files[] = { "idl/vmm.idl", "idl/kernel.idl", "tests/contract/golden/golden.idl",
                                         "idl/proc.idl" };
    for (size_t f = 0; f < 4; f++) {
        size_t len;
        char *src = read_file(files[f], &len);
        for (size_t n = 0; n <= len; n++) {
            char *copy = malloc(n ? n : 1);    /* exact size: ASan sees any over-read */
            memcpy(copy, src, n);
            compiled_t c;
            compile_n(&c, "f.idl", copy, n);
            check_outcome(&c, copy, n);
            compiled_free(&c);
            free(copy);
        }
        free(src);
    }
}

static void test_fuzz_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "{}()[];,=<>/*\"\n \t0x9azAZ_\\\377\0inoutu8i64errorabikernelfastpathstrsbytesarray";
    static const char *const files[] = { "idl/vmm.idl", "idl/kernel.idl", "tests/contract/golden/golden.idl",
                                         "idl/proc.idl" };
    for (int iter = 0; iter < 8000; iter++) {
        size_t len;
        char *src = read_file(files[iter % 4], &len);
        size_t cap = len + 64;
        char *buf = malloc(cap);
        memcpy(buf, src, len);
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = len ? (size_t)(rng() % len) : 0;
            switch (rng() % 4) {
            case 0:     /* delete a byte */
                if (len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            case 1:     /* insert a byte */
                if (len + 1 < cap) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = alphabet[rng() % (sizeof alphabet - 1)];
                    len++;
                }
                break;
            case 2:     /* overwrite a byte */
                if (len)
                    buf[at] = alphabet[rng() % (sizeof alphabet - 1)];
                break;
            default:    /* cut the tail */
                len = at;
                break;
            }
        }
        char *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        compiled_t c;
        compile_n(&c, "f.idl", exact, len);
        check_outcome(&c, exact, len);
        compiled_free(&c);
        free(exact);
        free(buf);
        free(src);
    }
}

/* ---- the command line ------------------------------------------------------------------ */

static void test_cli_usage(void **state)
{
    (void)state;
    char *out;
    const char *const none[] = { IDLC_BIN, NULL };
    assert_int_equal(run(none, &out), 2);
    assert_non_null(strstr(out, "usage: idlc FILE.idl -o DIR"));
    free(out);
    const char *const help[] = { IDLC_BIN, "--help", NULL };
    assert_int_equal(run(help, &out), 0);
    assert_non_null(strstr(out, "usage: idlc FILE.idl -o DIR"));
    free(out);
    const char *const extra[] = { IDLC_BIN, "a.idl", "b.idl", "-o", "/tmp", NULL };
    assert_int_equal(run(extra, &out), 2);
    free(out);
    const char *const missing[] = { IDLC_BIN, "/nonexistent/x.idl", "-o", "/tmp", NULL };
    assert_int_equal(run(missing, &out), 2);
    assert_string_equal(out, "idlc: /nonexistent/x.idl: No such file or directory\n");
    free(out);
}

/* An error: status 1, the message on stderr, nothing written. */
static void test_cli_error(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char idl[4096], outdir[4096];
    snprintf(idl, sizeof idl, "%s/bad.idl", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    write_file(idl, "interface bad {\n  a(in u65 x) = 1;\n}\n");
    char *out;
    const char *const argv[] = { IDLC_BIN, idl, "-o", outdir, NULL };
    assert_int_equal(run(argv, &out), 1);
    char want[8192];
    snprintf(want, sizeof want,
             "%s:2:8: error: unknown type 'u65' (types: u8 u16 u32 u64 i8 i16 i32 i64 vaddr paddr size, str<N> strs<N> bytes<N> array<S, N>)\n", idl);
    assert_string_equal(out, want);
    free(out);
    struct stat st;
    assert_int_not_equal(stat(outdir, &st), 0);
    remove_tmpdir(dir);
}

/* Success: the five files, identical from run to run, and the note on stderr. */
static void test_cli_success(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char vmm[4096];
    snprintf(vmm, sizeof vmm, "%s/idl/vmm.idl", IDLC_TOP);
    char *out;
    const char *const argv[] = { IDLC_BIN, vmm, "-o", dir, NULL };
    assert_int_equal(run(argv, &out), 0);
    char want[8192];
    size_t len;
    char *src = read_file(vmm, &len);
    snprintf(want, sizeof want, "%s:%u:5: note: reply of 'stats' has 18 words: words 4..17 travel in the IPC buffer\n"
             "%s:%u:5: note: request of 'adopt' has up to 7 words: words 4..6 travel in the IPC buffer\n"
             "%s:%u:5: note: reply of 'totals' has 7 words: words 4..6 travel in the IPC buffer\n",
             vmm, method_line(src, "stats"), vmm, method_line(src, "adopt"), vmm, method_line(src, "totals"));
    free(src);
    assert_string_equal(out, want);
    free(out);
    assert_int_equal(count_files(dir), 5);

    static const char *const names[] = { "vmm_types.h", "vmm_client.h", "vmm_client.c", "vmm_server.h", "vmm_server.c" };
    char *first[5];
    for (int i = 0; i < 5; i++) {
        char p[8192];
        size_t n;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        first[i] = read_file(p, &n);
        assert_true(strncmp(first[i], "/*\n * generated by idlc from vmm.idl - do not edit\n", 51) == 0);
    }
    assert_int_equal(run(argv, &out), 0);
    free(out);
    for (int i = 0; i < 5; i++) {
        char p[8192];
        size_t n;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        char *again = read_file(p, &n);
        assert_string_equal(again, first[i]);
        free(again);
        free(first[i]);
    }
    remove_tmpdir(dir);
}

/*
 * The static assertions fire when an IDL disagrees with the ABI headers:
 * each case generates code and compiles it with IDLC_CC, which must fail
 * with the case's assertion message; the control compiles.
 */
typedef struct assert_case {
    const char *idl;
    const char *message;    /* NULL: must compile */
} assert_case_t;

static void compile_generated(const assert_case_t *ac)
{
    char *dir = make_tmpdir();
    char idl[4096], server_c[4096], inc[4096];
    snprintf(idl, sizeof idl, "%s/pager.idl", dir);
    snprintf(server_c, sizeof server_c, "%s/pager_server.c", dir);
    snprintf(inc, sizeof inc, "-I%s/libakuma/abi/include", IDLC_TOP);
    write_file(idl, ac->idl);
    char *out;
    const char *const gen[] = { IDLC_BIN, idl, "-o", dir, NULL };
    assert_int_equal(run(gen, &out), 0);
    free(out);
    const char *const cc[] = { IDLC_CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                               "-Wmissing-prototypes", "-fsyntax-only", inc, server_c, NULL };
    int st = run(cc, &out);
    if (ac->message == NULL && st == 0) {
        /* The control's client stubs compile too (they see libakuma's headers). */
        char client_c[4096], lib[4096];
        snprintf(client_c, sizeof client_c, "%s/pager_client.c", dir);
        snprintf(lib, sizeof lib, "-I%s/libakuma/include", IDLC_TOP);
        const char *const ccc[] = { IDLC_CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                                    "-Wmissing-prototypes", "-fsyntax-only", inc, lib, client_c, NULL };
        free(out);
        st = run(ccc, &out);
    }
    if (ac->message == NULL) {
        if (st != 0)
            fail_msg("control failed to compile:\n%s", out);
    } else {
        assert_int_not_equal(st, 0);
        if (strstr(out, ac->message) == NULL)
            fail_msg("expected \"%s\" in:\n%s", ac->message, out);
    }
    free(out);
    remove_tmpdir(dir);
}

static void test_static_asserts_fire(void **state)
{
    (void)state;
    static const assert_case_t cases[] = {
        { "interface p {\n  [kernel, abi(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS)]\n"
          "  fault([abi(AK_FAULT_W_FAR)] in vaddr far, [abi(AK_FAULT_W_ESR)] in u64 esr,\n"
          "        [abi(AK_FAULT_W_ELR)] in vaddr elr, [abi(AK_FAULT_W_ACCESS)] in u8 access) = 0xA0002;\n}\n",
          NULL },
        { "interface p {\n  [kernel, abi(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS)]\n"
          "  fault(in vaddr far, in u64 esr, in vaddr elr, in u8 access) = 0xA0004;\n}\n",
          "pager.idl:3: the label of fault is AK_PAGER_FAULT" },
        { "interface p {\n  [kernel, abi(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS)]\n"
          "  fault(in vaddr far, in u64 esr, in vaddr elr) = 0xA0002;\n}\n",
          "pager.idl:3: fault has AK_PAGER_FAULT_WORDS words" },
        { "interface p {\n  [kernel, abi(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS)]\n"
          "  fault([abi(AK_FAULT_W_ESR)] in u64 esr,\n        [abi(AK_FAULT_W_FAR)] in vaddr far,\n"
          "        in vaddr elr, in u8 access) = 0xA0002;\n}\n",
          "pager.idl:3: esr is word AK_FAULT_W_ESR" },
        { "interface p {\n  a() = 1 error AK_OK();\n}\n",
          "pager.idl:2: AK_OK is an error number" },
        { "interface p {\n  a() = 1 error AK_ERRNO_MAX() error AK_ENOTABLE(u8 level);\n}\n",
          NULL },
        /* Bounds bound to ABI constants: the control, then each kind of mismatch. */
        { "include \"akuma/abi/procmgr.h\";\nstruct e { i16 a; str<AK_PM_NAME_MAX = 15> n; u64 b; }\n"
          "interface p {\n  a(in str<AK_PM_NAME_MAX = 15> s, in strs<9> l, in bytes<3> b, in array<e, 2> x,\n"
          "    out str<7> t, out strs<AK_PM_ENV_MAX = 176> u, out bytes<1> c, out array<e, AK_PM_LIST_MAX = 7> y,\n"
          "    out i8 z) = 1;\n}\n",
          NULL },
        { "include \"akuma/abi/procmgr.h\";\ninterface p {\n  a(in str<AK_PM_NAME_MAX = 16> s) = 1;\n}\n",
          "pager.idl:3: the bound of s is AK_PM_NAME_MAX" },
        { "include \"akuma/abi/procmgr.h\";\nstruct e {\n  str<AK_PM_ARGS_MAX = 255> n;\n}\ninterface p { }\n",
          "pager.idl:3: the bound of n is AK_PM_ARGS_MAX" },
        { "include \"akuma/abi/procmgr.h\";\nstruct e { u8 a; }\ninterface p {\n"
          "  a(out array<e, AK_PM_LIST_MAX = 8> y) = 1;\n}\n",
          "pager.idl:4: the bound of y is AK_PM_LIST_MAX" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compile_generated(&cases[i]);
}

int main(void)
{
    size_t nbad = sizeof bad_cases / sizeof bad_cases[0];
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_too_many_words),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_bad_file_name),
        cmocka_unit_test(test_input_too_large),
        cmocka_unit_test(test_valid_syntax),
        cmocka_unit_test(test_product_idl),
        cmocka_unit_test(test_banner_and_names),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_server_includes_only_abi),
        cmocka_unit_test(test_vmm_output),
        cmocka_unit_test(test_fuzz_prefixes),
        cmocka_unit_test(test_fuzz_mutations),
        cmocka_unit_test(test_cli_usage),
        cmocka_unit_test(test_cli_error),
        cmocka_unit_test(test_cli_success),
        cmocka_unit_test(test_static_asserts_fire),
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(nbad + nfixed, sizeof *tests);
    char **names = calloc(nbad, sizeof *names);
    int failed = 1;  /* until the group ran */
    if (tests == NULL || names == NULL)
        goto out;
    for (size_t i = 0; i < nbad; i++) {
        size_t n = strlen(bad_cases[i].name) + sizeof "error: ";
        names[i] = malloc(n);
        if (names[i] == NULL)
            goto out;
        snprintf(names[i], n, "error: %s", bad_cases[i].name);
        tests[i].name = names[i];
        tests[i].test_func = test_bad_case;
        tests[i].initial_state = (void *)&bad_cases[i];
    }
    memcpy(tests + nbad, fixed, sizeof fixed);
    failed = _cmocka_run_group_tests("idlc", tests, nbad + nfixed, NULL, NULL);
out:
    for (size_t i = 0; names != NULL && i < nbad; i++)
        free(names[i]);
    free(names);
    free(tests);
    return failed;
}
