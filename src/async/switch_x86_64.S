/* async/switch_x86_64.S - the fiber context switch for x86-64 System V (see
 * switch.h). Only what the ABI makes callee-saved is kept: rbx, rbp,
 * r12-r15, the MXCSR control bits and the x87 control word; the compiler
 * already treats every other register as clobbered by the call.
 *
 * A parked stack, from its saved stack pointer up:
 *     +0  MXCSR (4 bytes), x87 control word (2 bytes), 2 unused
 *     +8  r15   +16 r14   +24 r13   +32 r12   +40 rbx   +48 rbp
 *     +56 return address
 * Built on every CPU, since the build takes every .S in src/async; empty
 * elsewhere. */
#if defined(__x86_64__)

/* With -fcf-protection an indirect-branch target needs an endbr64. This file
 * is not marked IBT or shadow-stack compatible (no .note.gnu.property): a
 * switch jumps to return addresses and returns on another stack. */
#if defined(__CET__) && (__CET__ & 1)
#define TIDE_ENDBR endbr64
#else
#define TIDE_ENDBR
#endif

    .text

/* Park the calling context: callee-saved registers and the FP control
 * words on its stack, the stack pointer in *rdi. STMXCSR is the dearest
 * instruction here (about 3 ns on the machine the benchmarks run on),
 * which is why a finished fiber leaves through tide__switch_exit. */
.macro PARK
    pushq %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    pushq %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    pushq %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    pushq %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    pushq %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    pushq %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0
    subq $8, %rsp
    .cfi_adjust_cfa_offset 8
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
.endm

/* int tide__switch(void **save_sp, void *to_sp, int code)
 *                  rdi             rsi          edx      -> eax
 *
 * It leaves with pop + indirect jmp rather than ret. A ret is predicted
 * from the return-stack buffer, which after a stack switch always holds
 * the wrong stack's address, so every switch would cost a misprediction;
 * the indirect jump is predicted from the branch history instead, which
 * learns a resume/yield ping-pong. The price, one misprediction later when
 * a frame older than the switch returns, is described in docs/FIBERS.md.
 *
 * The other entry points below jump into the second half, whose stack
 * layout (and so whose CFI) is the same whoever entered it. */
    .globl tide__switch
    .hidden tide__switch
    .type tide__switch, @function
    .p2align 4
tide__switch:
    .cfi_startproc
    TIDE_ENDBR
    PARK
    /* The other stack has the same layout, so the CFI above describes it
     * too: an unwinder stopped past this point walks the context being
     * entered. */
    movq %rsi, %rsp
.Lload_fp:
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
.Lpop:
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    popq %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    popq %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    popq %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    popq %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    popq %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    movl %edx, %eax
    popq %rcx
    .cfi_adjust_cfa_offset -8
    .cfi_register %rip, %rcx
    jmp *%rcx
    .cfi_endproc
    .size tide__switch, .-tide__switch

/* int tide__switch_start(void **save_sp, void *to_sp)
 *                        rdi             rsi          -> eax
 * Park as tide__switch does, then enter a fresh stack without loading FP
 * control words: the fiber starts with the modes in force right now. */
    .globl tide__switch_start
    .hidden tide__switch_start
    .type tide__switch_start, @function
    .p2align 4
tide__switch_start:
    .cfi_startproc
    TIDE_ENDBR
    PARK
    movq %rsi, %rsp
    xorl %edx, %edx
    jmp .Lpop
    .cfi_endproc
    .size tide__switch_start, .-tide__switch_start

/* void tide__switch_exit(void *to_sp, int code)
 *                        rdi          esi
 * Leave the current stack for good: nothing is parked. */
    .globl tide__switch_exit
    .hidden tide__switch_exit
    .type tide__switch_exit, @function
    .p2align 4
tide__switch_exit:
    .cfi_startproc
    TIDE_ENDBR
    movl %esi, %edx
    movq %rdi, %rsp
    jmp .Lload_fp
    .cfi_endproc
    .size tide__switch_exit, .-tide__switch_exit

/* The first code a fresh stack runs, entered by the switch's jump with
 * r12 = arg, r13 = entry and rsp 16-byte aligned (so the call below lands
 * with the alignment the ABI promises). There is no caller: the return
 * address is marked undefined so unwinding ends. */
    .type tide__switch_trampoline, @function
    .p2align 4
tide__switch_trampoline:
    .cfi_startproc
    .cfi_undefined %rip
    TIDE_ENDBR
    movq %r12, %rdi
    call *%r13
    ud2                 /* the entry must leave by switching, never return */
    .cfi_endproc
    .size tide__switch_trampoline, .-tide__switch_trampoline

/* void *tide__switch_prepare(void *top, tide__switch_entry entry, void *arg)
 *                            rdi        rsi                       rdx -> rax
 * Writes a parked frame whose return address is the trampoline, below 16
 * zero bytes that end frame-pointer chains. Its FP control slot stays
 * zero: tide__switch_start never loads it. */
    .globl tide__switch_prepare
    .hidden tide__switch_prepare
    .type tide__switch_prepare, @function
    .p2align 4
tide__switch_prepare:
    .cfi_startproc
    TIDE_ENDBR
    andq $-16, %rdi
    leaq -80(%rdi), %rax
    movq $0, 72(%rax)
    movq $0, 64(%rax)
    leaq tide__switch_trampoline(%rip), %rcx
    movq %rcx, 56(%rax)     /* return address */
    movq $0, 48(%rax)       /* rbp: end of the frame chain */
    movq $0, 40(%rax)       /* rbx */
    movq %rdx, 32(%rax)     /* r12 = arg */
    movq %rsi, 24(%rax)     /* r13 = entry */
    movq $0, 16(%rax)       /* r14 */
    movq $0, 8(%rax)        /* r15 */
    movq $0, (%rax)         /* FP control slot, unused */
    ret
    .cfi_endproc
    .size tide__switch_prepare, .-tide__switch_prepare

#endif /* __x86_64__ */

/* No executable stack, on every CPU (an object without this note makes the
 * linker assume one). */
    .section .note.GNU-stack, "", %progbits
