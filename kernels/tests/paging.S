/* paging: code that runs in U-mode from the user page (mapped at USER_VA, see paging.c).
 * Arguments come from the user data page: op, addr, value. Results go back in a0 via the
 * return ecall (a7 = RVOS_RETURN_MAGIC). Everything here is position independent. */
#define MAGIC 0x52564f53
#define USER_DATA_VA 0x40006000

    .section .user, "ax"
    .option push
    .option norvc
    .globl user_entry
user_entry:
    li t1, USER_DATA_VA
    lw a0, 0(t1)
    lw a1, 4(t1)
    lw a2, 8(t1)
    li t0, 0
    beq a0, t0, u_lw
    li t0, 1
    beq a0, t0, u_sw
    li t0, 2
    beq a0, t0, u_exec
    li t0, 3
    beq a0, t0, u_ecall
    li t0, 4
    beq a0, t0, u_csr
    li a0, -1
    j user_return
u_lw:
    lw a0, 0(a1)
    j user_return
u_sw:
    sw a2, 0(a1)
    li a0, 0
    j user_return
u_exec:
    jalr a1
    j user_return
u_ecall:
    li a7, 0
    ecall
    j user_return
u_csr:
    csrr a0, sstatus
    j user_return
    .globl user_ret42
user_ret42:
    li a0, 42
    ret
    .globl user_return
user_return:
    li a7, MAGIC
    ecall
1:  j 1b
    .option pop

/* Copied into the execute-only page: returns 0x5a. */
    .text
    .globl xonly_code
xonly_code:
    li a0, 0x5a
    ret
    .globl xonly_code_end
xonly_code_end:
