/* async/switch.h - the machine-level context switch under fibers, written
 * in assembly per CPU (switch_x86_64.S, switch_aarch64.S). It knows nothing
 * of fibers: it saves the callee-saved registers on the current stack, parks
 * the stack pointer, and continues on another stack. */
#ifndef TIDE_ASYNC_SWITCH_H
#define TIDE_ASYNC_SWITCH_H

/* Save the callee-saved registers on the current stack, store the stack
 * pointer in *save_sp, and continue where to_sp was saved (or, for a stack
 * fresh from tide__switch_prepare, enter its entry function). Returns, when
 * something switches back to *save_sp, the `code` of that switch.
 * Caller-saved registers are the compiler's business, as at any call.
 *
 * Callers tail-call it where they can (resume and yield do), so the switch
 * continues straight in the caller's caller: see docs/FIBERS.md on return
 * prediction. */
int tide__switch(void **save_sp, void *to_sp, int code);

/* Park the current context as tide__switch does and enter a stack fresh
 * from tide__switch_prepare. The floating-point control modes in force
 * carry over: a fiber starts with its first resumer's modes. Returns, like
 * tide__switch, the code of the switch that comes back. */
int tide__switch_start(void **save_sp, void *to_sp);

/* Continue at to_sp, handing it `code`, without parking anything: for a
 * stack that is left for good (a finished fiber). Cheaper than a switch. */
__attribute__((noreturn)) void tide__switch_exit(void *to_sp, int code);

/* The body a fresh stack runs. It must never return: it leaves its stack
 * for good with a last tide__switch. */
typedef void (*tide__switch_entry)(void *arg);

/* Lay out a first frame at the top of a stack (top = one past its highest
 * byte) so that tide__switch_start to the returned stack pointer calls
 * entry(arg) through a trampoline. The frame ends with a zero return
 * address and frame pointer, so debuggers and unwinders stop there. */
void *tide__switch_prepare(void *top, tide__switch_entry entry, void *arg);

#endif /* TIDE_ASYNC_SWITCH_H */
