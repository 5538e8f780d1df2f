/* tests/async/test_fiber_regs.c - the context switch keeps every register
 * the ABI makes callee-saved, in both directions: each resume and yield is
 * called from a small assembly probe that loads known values into those
 * registers, calls it, and stores what comes back. x86-64: rbx, rbp,
 * r12-r15. AArch64: x19-x28, x29 and the low halves of v8-v15 (d8-d15).
 * Both sides pick new values at every call, so a switch that let one
 * context's registers leak into the other's fails. A fiber's stack must
 * also be 16-byte aligned when its body runs. */
#include "test.h"

#if defined(__x86_64__) || defined(__aarch64__)

#if defined(__x86_64__)
enum { NREGS = 6 }; /* rbx rbp r12 r13 r14 r15 */
#else
enum { NREGS = 19 }; /* x19-x28, x29, d8-d15 */
#endif

/* long probe(fn, a0, a1, a2, io): io[0..NREGS) go into the registers,
 * fn(a0, a1, a2) is called, and the registers are stored in
 * io[NREGS..2*NREGS). The caller's own values are put back. */
long tide_test_probe(void *fn, void *a0, void *a1, void *a2, uint64_t *io);

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl tide_test_probe\n"
        ".type tide_test_probe, @function\n"
        "tide_test_probe:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n"
        "  pushq %r14\n  pushq %r15\n"
        "  pushq %r8\n" /* io; also makes rsp 16-aligned for the call */
        "  movq %rdi, %rax\n"
        "  movq %rsi, %rdi\n  movq %rdx, %rsi\n  movq %rcx, %rdx\n"
        "  movq 0(%r8), %rbx\n  movq 8(%r8), %rbp\n  movq 16(%r8), %r12\n"
        "  movq 24(%r8), %r13\n  movq 32(%r8), %r14\n  movq 40(%r8), %r15\n"
        "  call *%rax\n"
        "  movq (%rsp), %r8\n"
        "  movq %rbx, 48(%r8)\n  movq %rbp, 56(%r8)\n  movq %r12, 64(%r8)\n"
        "  movq %r13, 72(%r8)\n  movq %r14, 80(%r8)\n  movq %r15, 88(%r8)\n"
        "  popq %r8\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n"
        "  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size tide_test_probe, .-tide_test_probe\n");
#else
__asm__(".text\n"
        ".globl tide_test_probe\n"
        ".type tide_test_probe, %function\n"
        ".p2align 2\n"
        "tide_test_probe:\n"
        "  stp x29, x30, [sp, #-176]!\n"
        "  stp x19, x20, [sp, #16]\n  stp x21, x22, [sp, #32]\n"
        "  stp x23, x24, [sp, #48]\n  stp x25, x26, [sp, #64]\n"
        "  stp x27, x28, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n  stp d14, d15, [sp, #144]\n"
        "  str x4, [sp, #160]\n"
        "  mov x9, x0\n  mov x0, x1\n  mov x1, x2\n  mov x2, x3\n"
        "  ldp x19, x20, [x4, #0]\n  ldp x21, x22, [x4, #16]\n"
        "  ldp x23, x24, [x4, #32]\n  ldp x25, x26, [x4, #48]\n"
        "  ldp x27, x28, [x4, #64]\n  ldr x29, [x4, #80]\n"
        "  ldp d8, d9, [x4, #88]\n  ldp d10, d11, [x4, #104]\n"
        "  ldp d12, d13, [x4, #120]\n  ldp d14, d15, [x4, #136]\n"
        "  blr x9\n"
        "  ldr x4, [sp, #160]\n"
        "  stp x19, x20, [x4, #152]\n  stp x21, x22, [x4, #168]\n"
        "  stp x23, x24, [x4, #184]\n  stp x25, x26, [x4, #200]\n"
        "  stp x27, x28, [x4, #216]\n  str x29, [x4, #232]\n"
        "  stp d8, d9, [x4, #240]\n  stp d10, d11, [x4, #256]\n"
        "  stp d12, d13, [x4, #272]\n  stp d14, d15, [x4, #288]\n"
        "  ldp x19, x20, [sp, #16]\n  ldp x21, x22, [sp, #32]\n"
        "  ldp x23, x24, [sp, #48]\n  ldp x25, x26, [sp, #64]\n"
        "  ldp x27, x28, [sp, #80]\n"
        "  ldp d8, d9, [sp, #96]\n  ldp d10, d11, [sp, #112]\n"
        "  ldp d12, d13, [sp, #128]\n  ldp d14, d15, [sp, #144]\n"
        "  ldp x29, x30, [sp], #176\n"
        "  ret\n"
        ".size tide_test_probe, .-tide_test_probe\n");
#endif

/* Distinct values per call and per register, none zero. */
static void fill(uint64_t *io, uint64_t seed)
{
    for (int i = 0; i < NREGS; i++)
        io[i] = (seed * 0x9e3779b97f4a7c15u) ^ ((uint64_t)(i + 1) * 0x0101010101010101u);
}

static void check(const uint64_t *io, const char *where)
{
    for (int i = 0; i < NREGS; i++)
        if (io[NREGS + i] != io[i])
            TEST_FAIL("%s: callee-saved register %d came back %#" PRIx64 ", want %#" PRIx64,
                      where, i, io[NREGS + i], io[i]);
}

static void check_aligned(void)
{
    _Alignas(16) volatile char probe[16];
    probe[0] = 0;
    ASSERT_EQ((uintptr_t)probe % 16, 0);
#if defined(__aarch64__)
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    ASSERT_EQ(sp % 16, 0);
#endif
}

enum { ROUNDS = 50 };

static void *probing_body(tide_fiber_t *self, void *arg)
{
    check_aligned();
    uint64_t io[2 * NREGS];
    for (uint64_t r = 0; r < ROUNDS; r++) {
        void *in = NULL;
        fill(io, 1000 + r);
        long rc = tide_test_probe((void *)tide_fiber_yield, (void *)(uintptr_t)r, &in, NULL, io);
        ASSERT_EQ(rc, 0);
        check(io, "fiber, across a yield");
        ASSERT_EQ((uintptr_t)in, r + 1);
        check_aligned();
    }
    return (void *)(uintptr_t)ROUNDS;
}

static void test_registers(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    ASSERT_OK(tide_fiber_new(loop, probing_body, 0, &f));
    uint64_t io[2 * NREGS];
    void *out = NULL;
    /* The first resume enters a fresh stack (tide__switch_start); later
     * ones go back to a parked one; the last comes back through the
     * finished fiber's exit. */
    for (uint64_t r = 0; r <= ROUNDS; r++) {
        fill(io, r + 1);
        long rc = tide_test_probe((void *)tide_fiber_resume, f, (void *)(uintptr_t)r, &out, io);
        check(io, r == 0 ? "resumer, first resume" : r == ROUNDS ? "resumer, fiber finished" : "resumer");
        ASSERT_EQ(rc, r == ROUNDS ? 1 : 0);
        ASSERT_EQ((uintptr_t)out, r == ROUNDS ? ROUNDS : r);
    }
    ASSERT_OK(tide_fiber_free(f));
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_registers();
    puts("ok");
    return 0;
}

#else

int main(void)
{
    puts("skipped: no register probe for this CPU");
    return 0;
}

#endif
