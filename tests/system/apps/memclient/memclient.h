/*
 * memclient: the client programs of the mem-* system-test images, one ELF
 * with a role per program instance (the manifest's first argument names the
 * role; main.c lists them).  This header is what the roles share: the
 * capability slot of the pager, the AKTEST helpers, accesses whose
 * instruction address is known (to check a fault's ELR), and the fields
 * of ESR_EL1 that say what kind of fault the pager received.
 */
#ifndef MEMCLIENT_H
#define MEMCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <akuma/abi/layout.h>

/* In every role that talks to mempager: the memtest endpoint (memtest.idl). */
#define SLOT_PAGER 1

#define PAGE_WORDS (AK_PAGE_SIZE / sizeof(uint64_t))

/* What mempager's exec-fault page returns when called (see mempager.c). */
#define STUB_RESULT 42u

/* ESR_EL1 fields (Arm ARM D17.2.40). */
#define ESR_EC_SHIFT        26u
#define ESR_EC_MASK         0x3Fu
#define ESR_EC_IABT_LOWER   0x20u /* instruction abort from EL0 */
#define ESR_EC_DABT_LOWER   0x24u /* data abort from EL0 */
#define ESR_ISS_WNR         (UINT64_C(1) << 6)
#define ESR_FSC_MASK        0x3Cu /* fault status code without its level */
#define ESR_FSC_TRANSLATION 0x04u

/* One AKTEST: its name and how many of its checks failed. */
typedef struct test {
    const char *name;
    unsigned failures;
} test_t;

/* Prints "AKTEST FAIL <name>: <why>" and counts a failure of t. */
void test_fail(test_t *t, const char *why_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails t unless got == want: "<what> returned <got>, want <want>". */
void test_expect(test_t *t, const char *what, int64_t got, int64_t want);

/* Prints "AKTEST PASS <name>" if no check of t failed; returns whether it passed. */
bool test_end(const test_t *t);

/* Fails t unless word i of the page at va holds pattern + i, for every i. */
void expect_pattern(test_t *t, uint64_t va, uint64_t pattern);

/* Loads the word at va; *pc is the address of the load instruction. */
uint64_t load_word(uint64_t va, uint64_t *pc);

/* Stores value at va; *pc is the address of the store instruction. */
void store_word(uint64_t va, uint64_t value, uint64_t *pc);

/* The pager's record of this process's faults (memtest last_fault). */
typedef struct fault_record {
    uint64_t far, esr, elr, count;
    uint8_t access;
} fault_record_t;

/* Asks the pager for its record; fails t (and returns false) if it cannot. */
bool last_fault(test_t *t, fault_record_t *f);

/*
 * Fails t unless f is the count-th fault, at far, by the instruction at
 * elr, of kind access (AK_ACCESS_*), with fault status fsc (ESR_FSC_*) and
 * the exception class and write bit that go with the access.
 */
void expect_fault(test_t *t, const fault_record_t *f, uint64_t count, uint64_t far, uint64_t elr,
                  uint8_t access, unsigned fsc);

/* This program's name in the manifest. */
const char *prog_name(void);

/* The roles (main.c maps their names to these). */
int role_faults(void);
int role_readonly(void);
int role_nopager(void);
int role_tmp(void);
int role_reuse(void);
int role_secret(void);
int role_spy(void);
int role_forge(void);
int role_nocap(void);
int role_refuse(void);
int role_range(void);

#endif /* MEMCLIENT_H */
