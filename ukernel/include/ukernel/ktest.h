/*
 * In-kernel tests.  A test image links extra objects (from
 * tests/system/<image>/kernel/) whose KTEST functions the kernel runs once
 * at boot, after the timer starts; a product image has none.  Results are
 * AKTEST lines that the system-test runner judges.
 */
#ifndef UKERNEL_KTEST_H
#define UKERNEL_KTEST_H

typedef struct ktest {
    const char *name;
    void (*fn)(void);
} ktest_t;

#define KTEST(fn_)                                                          \
    static void fn_(void);                                                  \
    static const ktest_t ktest_##fn_                                        \
        __attribute__((used, section(".ktests"), aligned(8))) = { #fn_, fn_ }; \
    static void fn_(void)

/* Prints "AKTEST PASS <name>". */
void ktest_pass(const char *name);
/* Prints "AKTEST FAIL <name>: <why>". */
void ktest_fail(const char *name, const char *why_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs every linked KTEST in link order. */
void ktest_run_all(void);

#endif /* UKERNEL_KTEST_H */
