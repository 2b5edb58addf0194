/** i386 register, segment and exception numbers shared by the CPU's modules. */
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
/**
 * A pseudo segment register with base 0 and no limit, for linear accesses through `read`/`write`:
 * system tables (GDT, LDT, IDT, TSS) and the stack frames of privilege changes. Paging treats
 * them as supervisor accesses (SDM vol. 3, 4.6: implicit supervisor-mode accesses).
 */
export const LIN = 6;
/** Exception vectors (SDM vol. 3, 6.3.1). */
export const DE = 0, DB = 1, BP = 3, OVERFLOW = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
  STACK_FAULT = 12, GP = 13, PAGE_FAULT = 14;
/** Where an event comes from: it decides the return address, the gate DPL check and the EXT bit. */
export const EXCEPTION = 0, SOFTWARE = 1, EXTERNAL = 2;
/** EFLAGS bits beyond the arithmetic ones (flags.ts has CF..OF, TF, IF, DF). */
export const IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, ID = 0x200000;
/** CR0 bits. */
export const CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_PG = 0x80000000;

/**
 * Thrown by `I386Cpu.raise` to abandon the instruction at hand; caught at the instruction boundary
 * (a guest event, never seen outside the CPU).
 */
export const FAULT = { fault: 'i386 exception' } as const;
