# The i386 interpreter warm-up program (src/warmup.ts): 32-bit flat code, ending in HLT; a device page at 0xfee00000.
# Assembled twice by ./assemble.sh (llvm-mc, ld): at 0x1000 with its data at DATA = 0x8000, its stack's top at
# STACK = 0xf000 and its IDT at IDT = 0x800; and all of it 0xc0000000 higher (run with paging on, as an OS kernel's
# code and data). src/warmup-code.ts holds the first build and where the second differs (its addresses' top bytes).
# Its GDT stays where the caller put it (SGDT/LGDT keep it).
.code32
movl $DATA, %ebx
movl $STACK, %esp
movl $7, %eax
movl $3, %ecx
movl $5, %edx
movl $DATA+0x100, %esi
movl $DATA+0x200, %edi
addl %eax, (%ebx)
addb %al, 4(%ebx)
addl %ecx, %edx
addb %cl, %dl
addl 8(%ebx,%ecx,4), %eax
addb (%ebx), %dl
addb $5, %al
addl $0x12345, %eax
addl $0x12345, 12(%ebx)
addl $7, %edx
addl $-3, 16(%ebx)
addb $9, (%ebx)
addb $9, %dh
addw %ax, 2(%ebx)
addw $-2, %dx
orl %eax, (%ebx)
orb %al, 4(%ebx)
orl %ecx, %edx
orb %cl, %dl
orl 8(%ebx,%ecx,4), %eax
orb (%ebx), %dl
orb $5, %al
orl $0x12345, %eax
orl $0x12345, 12(%ebx)
orl $7, %edx
orl $-3, 16(%ebx)
orb $9, (%ebx)
orb $9, %dh
orw %ax, 2(%ebx)
orw $-2, %dx
adcl %eax, (%ebx)
adcb %al, 4(%ebx)
adcl %ecx, %edx
adcb %cl, %dl
adcl 8(%ebx,%ecx,4), %eax
adcb (%ebx), %dl
adcb $5, %al
adcl $0x12345, %eax
adcl $0x12345, 12(%ebx)
adcl $7, %edx
adcl $-3, 16(%ebx)
adcb $9, (%ebx)
adcb $9, %dh
adcw %ax, 2(%ebx)
adcw $-2, %dx
sbbl %eax, (%ebx)
sbbb %al, 4(%ebx)
sbbl %ecx, %edx
sbbb %cl, %dl
sbbl 8(%ebx,%ecx,4), %eax
sbbb (%ebx), %dl
sbbb $5, %al
sbbl $0x12345, %eax
sbbl $0x12345, 12(%ebx)
sbbl $7, %edx
sbbl $-3, 16(%ebx)
sbbb $9, (%ebx)
sbbb $9, %dh
sbbw %ax, 2(%ebx)
sbbw $-2, %dx
andl %eax, (%ebx)
andb %al, 4(%ebx)
andl %ecx, %edx
andb %cl, %dl
andl 8(%ebx,%ecx,4), %eax
andb (%ebx), %dl
andb $5, %al
andl $0x12345, %eax
andl $0x12345, 12(%ebx)
andl $7, %edx
andl $-3, 16(%ebx)
andb $9, (%ebx)
andb $9, %dh
andw %ax, 2(%ebx)
andw $-2, %dx
subl %eax, (%ebx)
subb %al, 4(%ebx)
subl %ecx, %edx
subb %cl, %dl
subl 8(%ebx,%ecx,4), %eax
subb (%ebx), %dl
subb $5, %al
subl $0x12345, %eax
subl $0x12345, 12(%ebx)
subl $7, %edx
subl $-3, 16(%ebx)
subb $9, (%ebx)
subb $9, %dh
subw %ax, 2(%ebx)
subw $-2, %dx
xorl %eax, (%ebx)
xorb %al, 4(%ebx)
xorl %ecx, %edx
xorb %cl, %dl
xorl 8(%ebx,%ecx,4), %eax
xorb (%ebx), %dl
xorb $5, %al
xorl $0x12345, %eax
xorl $0x12345, 12(%ebx)
xorl $7, %edx
xorl $-3, 16(%ebx)
xorb $9, (%ebx)
xorb $9, %dh
xorw %ax, 2(%ebx)
xorw $-2, %dx
cmpl %eax, (%ebx)
cmpb %al, 4(%ebx)
cmpl %ecx, %edx
cmpb %cl, %dl
cmpl 8(%ebx,%ecx,4), %eax
cmpb (%ebx), %dl
cmpb $5, %al
cmpl $0x12345, %eax
cmpl $0x12345, 12(%ebx)
cmpl $7, %edx
cmpl $-3, 16(%ebx)
cmpb $9, (%ebx)
cmpb $9, %dh
cmpw %ax, 2(%ebx)
cmpw $-2, %dx
movl $7, %eax
movl $3, %ecx
movl $5, %edx
incl %eax
decl %edx
incl (%ebx)
decb 1(%ebx)
incw %cx
movl %eax, (%ebx)
movb %al, 4(%ebx)
movw %ax, 6(%ebx)
movl (%ebx), %edx
movb 4(%ebx), %dl
movw 6(%ebx), %dx
movl %ecx, %edx
movl $0x11223344, (%ebx)
movb $0x55, 5(%ebx)
movw $0x66, 6(%ebx)
movl $0x1234, %edx
movb $1, %dh
movl DATA+0x10, %eax
movl %eax, DATA+0x14
movb DATA+0x10, %al
movb %al, DATA+0x18
leal 4(%ebx,%ecx,8), %edx
leal (%esi), %edx
leal 0x100(%ebx), %edx
movzbl (%ebx), %edx
movzwl (%ebx), %edx
movsbl %al, %edx
movswl 2(%ebx), %edx
movzbl %cl, %eax
testl %ecx, %edx
testb %cl, %dl
testl $0x100, %eax
testb $1, %al
testl $4, (%ebx)
testb $4, (%ebx)
xchgl %eax, %edx
xchgl %ecx, (%ebx)
xchgb %al, 1(%ebx)
pushl %eax
pushl %ebx
popl %edx
popl %ebx
pushl $0x1234
pushl $5
pushl (%ebx)
popl 4(%ebx)
addl $4, %esp
pushfl
popfl
cltd
cwtl
cld
clc
stc
cmc
movl $7, %eax
movl $3, %ecx
imull %ecx, %eax
imull $12, %eax, %edx
imull $1000, %ecx, %edx
imull (%ebx), %edx
mull %ecx
imull %ecx
movl $0, %edx
divl %ecx
cltd
idivl %ecx
mulb %cl
divb %cl
notl %edx
negl %edx
negl (%ebx)
notb (%ebx)
movl $100, %eax
movl $3, %ecx
movl $0, %edx
divl (%ebx)
roll $3, %eax
roll %edx
roll %cl, %edx
rolb $2, (%ebx)
roll %cl, 4(%ebx)
rorl $3, %eax
rorl %edx
rorl %cl, %edx
rorb $2, (%ebx)
rorl %cl, 4(%ebx)
rcll $3, %eax
rcll %edx
rcll %cl, %edx
rclb $2, (%ebx)
rcll %cl, 4(%ebx)
rcrl $3, %eax
rcrl %edx
rcrl %cl, %edx
rcrb $2, (%ebx)
rcrl %cl, 4(%ebx)
shll $3, %eax
shll %edx
shll %cl, %edx
shlb $2, (%ebx)
shll %cl, 4(%ebx)
shrl $3, %eax
shrl %edx
shrl %cl, %edx
shrb $2, (%ebx)
shrl %cl, 4(%ebx)
sarl $3, %eax
sarl %edx
sarl %cl, %edx
sarb $2, (%ebx)
sarl %cl, 4(%ebx)
shldl $4, %eax, %edx
shrdl %cl, %eax, %edx
btl $3, %eax
btsl %ecx, %edx
bsrl %eax, %edx
bsfl %eax, %edx
bswapl %eax
cmpl %ecx, %eax
jo 1f
nop
1:
seto %dl
seto 3(%ebx)
cmovol %ecx, %edx
jno 1f
nop
1:
setno %dl
setno 3(%ebx)
cmovnol %ecx, %edx
jb 1f
nop
1:
setb %dl
setb 3(%ebx)
cmovbl %ecx, %edx
jae 1f
nop
1:
setae %dl
setae 3(%ebx)
cmovael %ecx, %edx
je 1f
nop
1:
sete %dl
sete 3(%ebx)
cmovel %ecx, %edx
jne 1f
nop
1:
setne %dl
setne 3(%ebx)
cmovnel %ecx, %edx
jbe 1f
nop
1:
setbe %dl
setbe 3(%ebx)
cmovbel %ecx, %edx
ja 1f
nop
1:
seta %dl
seta 3(%ebx)
cmoval %ecx, %edx
js 1f
nop
1:
sets %dl
sets 3(%ebx)
cmovsl %ecx, %edx
jns 1f
nop
1:
setns %dl
setns 3(%ebx)
cmovnsl %ecx, %edx
jp 1f
nop
1:
setp %dl
setp 3(%ebx)
cmovpl %ecx, %edx
jnp 1f
nop
1:
setnp %dl
setnp 3(%ebx)
cmovnpl %ecx, %edx
jl 1f
nop
1:
setl %dl
setl 3(%ebx)
cmovll %ecx, %edx
jge 1f
nop
1:
setge %dl
setge 3(%ebx)
cmovgel %ecx, %edx
jle 1f
nop
1:
setle %dl
setle 3(%ebx)
cmovlel %ecx, %edx
jg 1f
nop
1:
setg %dl
setg 3(%ebx)
cmovgl %ecx, %edx
.byte 0x0f, 0x80; .long 0 # jo near, to the next instruction
.byte 0x0f, 0x81; .long 0 # jno near, to the next instruction
.byte 0x0f, 0x82; .long 0 # jb near, to the next instruction
.byte 0x0f, 0x83; .long 0 # jae near, to the next instruction
.byte 0x0f, 0x84; .long 0 # je near, to the next instruction
.byte 0x0f, 0x85; .long 0 # jne near, to the next instruction
.byte 0x0f, 0x86; .long 0 # jbe near, to the next instruction
.byte 0x0f, 0x87; .long 0 # ja near, to the next instruction
.byte 0x0f, 0x88; .long 0 # js near, to the next instruction
.byte 0x0f, 0x89; .long 0 # jns near, to the next instruction
.byte 0x0f, 0x8a; .long 0 # jp near, to the next instruction
.byte 0x0f, 0x8b; .long 0 # jnp near, to the next instruction
.byte 0x0f, 0x8c; .long 0 # jl near, to the next instruction
.byte 0x0f, 0x8d; .long 0 # jge near, to the next instruction
.byte 0x0f, 0x8e; .long 0 # jle near, to the next instruction
.byte 0x0f, 0x8f; .long 0 # jg near, to the next instruction
cmpl %eax, %ecx
jl 3f
nop
3:
jmp 4f
nop
4:
.byte 0xe9; .long 0 # jmp near, to the next instruction
call 6f
jmp 7f
6:
ret
7:
call 8f
jmp 9f
8:
pushl %ebp
movl %esp, %ebp
subl $8, %esp
movl 4(%ebp), %eax
leave
ret $0
9:
movl $10f, %eax
call *%eax
jmp 11f
10:
ret
11:
movl $12f, %eax
jmp *%eax
12:
movl $13f, (%ebx)
jmp *(%ebx)
13:
movl $3, %ecx
14:
loop 14b
movl $3, %ecx
15:
decl %ecx
jnz 15b
jecxz 16f
16:
movl $DATA+0x100, %esi
movl $DATA+0x200, %edi
movl $8, %ecx
rep movsb
movl $8, %ecx
rep movsl
movl $8, %ecx
rep stosb
movl $8, %ecx
rep stosl
movsb
movsl
stosb
stosl
lodsb
lodsl
cmpsb
scasl
movl $4, %ecx
repe cmpsb
movl $4, %ecx
repne scasb
movl $0xfee00000, %edx
movl (%edx), %eax
movl %eax, 4(%edx)
movb 8(%edx), %al
movb %al, 12(%edx)
movl $0x3f8, %edx
outb %al, %dx
inb %dx, %al
outb %al, $0x80
inb $0x71, %al
outl %eax, %dx
# What an OS kernel runs besides (the i386 Linux boot deoptimized step() and others at each first): segment override
# prefixes (per-CPU data through %fs), PUSH of a negative imm8, a ModRM disp32 past 2^30 (the high build's DATA),
# misaligned word accesses, shifts to and from bit 31, BSF/BSR of a negative value, CMPXCHG8B past 2^31, IMUL by
# imm32 and imm16, OUTSB/INSB, x87 instructions.
movl %fs:4(%ebx), %eax
movl %eax, %gs:8(%ebx)
movl %es:(%ebx), %edx
addl %ss:4(%ebx), %edx
pushl $-1
popl %eax
movl DATA+8(,%ecx,4), %edx
addl %eax, DATA+0x20
movl $0x87654321, %eax
xchgl %eax, %edx
xchgl %eax, %edx
movw 1(%ebx), %dx
movw %dx, 3(%ebx)
movl 1(%ebx), %edx
movl %eax, 5(%ebx)
movl $3, %eax
rorl $1, %eax
roll $1, %eax
rcrl $1, %eax
shrl $1, %eax
sarl $1, %eax
shll $1, %eax
movl $0x80000000, %eax
bsfl %eax, %edx
bsrl %eax, %edx
movl $0x40000001, %ecx
imull $0x40000003, %ecx, %edx
imulw $1000, %cx, %dx
movl $0x87654321, (%ebx)
movl $0x87654321, 4(%ebx)
movl $0, %eax
movl $0, %edx
cmpxchg8b (%ebx)
cmpxchg8b (%ebx)
movl $DATA+0x100, %esi
movl $DATA+0x200, %edi
movl $0x80, %edx
outsb
insb
fninit
fwait
movl $0x7fffffff, %eax
incl %eax
decl %eax
movl %eax, %edx
incl %edx
movw $0x10, %ax
movw %ax, %ds
movw %ax, %es
movw %ax, %fs
movw %ax, %gs
movw %ax, %ss
movw %ds, %ax
movl %es, %edx
cli
sti
std
cld
sgdt (%ebx)
lgdt (%ebx)
movl %cr0, %eax
movl %eax, %cr0
movl %cr3, %eax
movl %eax, %cr3
movl %cr4, %eax
movl %eax, %cr4
ljmp $0x08, $17f
17:
lcall $0x08, $18f
jmp 19f
18:
lret
19:
pushl $0x08
pushl $20f
lret
20:
pushfl
pushl $0x08
pushl $21f
iretl
21:
movl $22f, %eax
movw %ax, IDT+0x180
movw %ax, IDT+0x18
movw $0x08, IDT+0x182
movw $0x08, IDT+0x1a
movw $0x8e00, IDT+0x184
movw $0x8e00, IDT+0x1c
shrl $16, %eax
movw %ax, IDT+0x186
movw %ax, IDT+0x1e
movw $0x7ff, 8(%ebx)
movl $IDT, 10(%ebx)
lidt 8(%ebx)
sidt 16(%ebx)
# INT3 (an OS patching its code: Linux's text_poke_bp) and INT 0x30, both through gates to the IRET at 22.
int3
int $0x30
jmp 23f
22:
iretl
23:
# Debug register and fence forms (Linux reads and writes DR7; LFENCE orders RDTSC).
movl %dr7, %eax
movl %eax, %dr7
lfence
mfence
# CALL and JMP rel32 backwards (a negative displacement, past V8's small integers as fetched).
jmp 26f
25:
ret
26:
call 25b
jmp 28f
27:
jmp 29f
28:
.byte 0xe9
.long 27b - . - 4
29:
# PUSH/POP FS and GS (Linux's entry code) and XADD (its atomics).
pushl %fs
popl %fs
pushl %gs
popl %gs
xaddl %eax, (%ebx)
xaddb %al, 4(%ebx)
hlt
