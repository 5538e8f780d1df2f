/* async/switch_aarch64.S - the fiber context switch for AArch64 (AAPCS64;
 * see switch.h). Only what the procedure call standard makes callee-saved
 * is kept: x19-x28, the frame pointer x29, the link register x30, the low
 * 64 bits of v8-v15 (d8-d15) and sp. x18, the platform register, is left
 * alone. FPCR (rounding mode, flush-to-zero) is not switched, because an
 * MSR FPCR can stall the pipeline on every switch: a fiber that changes
 * the rounding mode on AArch64 must put it back before it yields.
 *
 * A parked stack, from its saved stack pointer up (160 bytes, 16-aligned):
 *     +0 x19 x20  +16 x21 x22  +32 x23 x24  +48 x25 x26  +64 x27 x28
 *     +80 x29 x30  +96 d8 d9  +112 d10 d11  +128 d12 d13  +144 d14 d15
 * Built on every CPU, since the build takes every .S in src/async; empty
 * elsewhere. */
#if defined(__aarch64__)

    .text

/* int tide__switch(void **save_sp, void *to_sp, int code)
 *                  x0              x1           w2       -> w0 */
    .globl tide__switch
    .hidden tide__switch
    .type tide__switch, %function
    .p2align 4
tide__switch:
    .cfi_startproc
    sub sp, sp, #160
    .cfi_def_cfa_offset 160
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    .cfi_offset x29, -80
    .cfi_offset x30, -72
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]

    /* sp cannot be stored directly; go through a scratch register. */
    mov x9, sp
    str x9, [x0]
    mov sp, x1
.Lrestore:
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #160
    .cfi_def_cfa_offset 0
    .cfi_restore x29
    .cfi_restore x30
    mov w0, w2
    ret
    .cfi_endproc
    .size tide__switch, .-tide__switch

/* int tide__switch_start(void **save_sp, void *to_sp)
 * Enter a fresh stack. With no FP control state in the frame this is the
 * plain switch (x86-64 has to skip loading one). */
    .globl tide__switch_start
    .hidden tide__switch_start
    .type tide__switch_start, %function
    .p2align 4
tide__switch_start:
    .cfi_startproc
    mov w2, wzr
    b tide__switch
    .cfi_endproc
    .size tide__switch_start, .-tide__switch_start

/* void tide__switch_exit(void *to_sp, int code)
 *                        x0           w1
 * Leave the current stack for good: nothing is parked. */
    .globl tide__switch_exit
    .hidden tide__switch_exit
    .type tide__switch_exit, %function
    .p2align 4
tide__switch_exit:
    .cfi_startproc
    mov w2, w1
    mov sp, x0
    b .Lrestore
    .cfi_endproc
    .size tide__switch_exit, .-tide__switch_exit

/* The first code a fresh stack runs, entered by tide__switch's ret (x30 was
 * loaded with this address) with x19 = arg, x20 = entry, sp 16-aligned and
 * x29 = 0. No caller: unwinding ends here. */
    .type tide__switch_trampoline, %function
    .p2align 4
tide__switch_trampoline:
    .cfi_startproc
    .cfi_undefined x30
    mov x0, x19
    blr x20
    brk #1              /* the entry must leave by switching, never return */
    .cfi_endproc
    .size tide__switch_trampoline, .-tide__switch_trampoline

/* void *tide__switch_prepare(void *top, tide__switch_entry entry, void *arg)
 *                            x0         x1                        x2 -> x0
 * Writes a parked frame whose x30 is the trampoline, below 16 zero bytes
 * that end frame-pointer chains. */
    .globl tide__switch_prepare
    .hidden tide__switch_prepare
    .type tide__switch_prepare, %function
    .p2align 4
tide__switch_prepare:
    .cfi_startproc
    and x0, x0, #0xfffffffffffffff0
    sub x0, x0, #176
    stp xzr, xzr, [x0, #160]
    stp x2, x1, [x0, #0]        /* x19 = arg, x20 = entry */
    stp xzr, xzr, [x0, #16]
    stp xzr, xzr, [x0, #32]
    stp xzr, xzr, [x0, #48]
    stp xzr, xzr, [x0, #64]
    adr x9, tide__switch_trampoline
    stp xzr, x9, [x0, #80]      /* x29 = 0 ends the frame chain; x30 */
    stp xzr, xzr, [x0, #96]
    stp xzr, xzr, [x0, #112]
    stp xzr, xzr, [x0, #128]
    stp xzr, xzr, [x0, #144]
    ret
    .cfi_endproc
    .size tide__switch_prepare, .-tide__switch_prepare

#endif /* __aarch64__ */

/* No executable stack, on every CPU (an object without this note makes the
 * linker assume one). */
    .section .note.GNU-stack, "", %progbits
