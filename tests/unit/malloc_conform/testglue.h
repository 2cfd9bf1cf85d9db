/*
 * The allocator's glue (<malloc/glue.h>) for host unit tests, and
 * what the tests ask of it.
 *
 * Pages come from a checked arena: one reservation made once, handed out
 * first-fit in pages, zero-filled, and poisoned for AddressSanitizer when
 * they go out, so that an allocator touching pages it gave back fails the
 * test as a real unmapped page would fault.  Every pages in/out is checked
 * against the contract (lengths and alignments, and pages out only of
 * whole ranges or their tails that are mapped) and counted.  Pages in can
 * be made to fail.  A panic longjmps to the test that expected it (see
 * EXPECT_PANIC) and fails any other; out-of-memory reports and errno are
 * recorded.
 */
#ifndef TESTGLUE_H
#define TESTGLUE_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t in_calls, out_calls;
    uint64_t in_bytes, out_bytes;  /* totals since the last reset */
    uint64_t mapped_bytes;         /* now */
    uint64_t oom_reports;
} testglue_counts_t;

/* Unmaps everything and zeroes the counts; fresh state for a test. */
void testglue_reset(void);
void testglue_counts(testglue_counts_t *out);

/* Pages in succeeds `n` more times, then fails until testglue_fail_never(). */
void testglue_fail_after(uint64_t n);
void testglue_fail_never(void);
/* The clock ak_malloc_clock_ms() reads; AK_MALLOC_NO_CLOCK (the depot off) after a reset. */
void testglue_set_clock(uint64_t ms);

/* The last out-of-memory report, NUL-terminated ("" if none since the reset). */
const char *testglue_oom_report(void);
/* The last panic message, NUL-terminated. */
const char *testglue_panic_message(void);
/* The last errno set through the glue (0 if none). */
int testglue_errno(void);

/* Arms the panic trap for one panic; EXPECT_PANIC uses it. */
jmp_buf *testglue_arm_panic(void);
void testglue_disarm_panic(void);

/*
 * Runs stmt, which must panic with a message containing `needle`.  The
 * allocator is left in whatever state the panic caught it: reset after.
 */
#define EXPECT_PANIC(stmt, needle)                                              \
    do {                                                                        \
        if (setjmp(*testglue_arm_panic()) == 0) {                               \
            stmt;                                                               \
            testglue_disarm_panic();                                            \
            fail_msg("no panic from: %s", #stmt);                               \
        } else {                                                                \
            testglue_disarm_panic();                                            \
            if (strstr(testglue_panic_message(), (needle)) == NULL)             \
                fail_msg("panic \"%s\" lacks \"%s\"", testglue_panic_message(), \
                         (needle));                                             \
        }                                                                       \
    } while (0)

#endif /* TESTGLUE_H */
