import { describe, expect, it } from 'vitest';
import { DB, EAX } from '../../../plugins/arch-i386/src/cpu.js';
import { TF } from '../../../plugins/arch-i386/src/flags.js';
import { run16 } from './machine.js';

/** A real-mode #DB handler at 0000:0600 that counts in the byte at 0x700: inc byte [0x700]; iret. */
function countingDbHandler(m: Parameters<NonNullable<Parameters<typeof run16>[2]>>[0]): void {
  m.bus.dmaWrite(0x600, Uint8Array.from([0xfe, 0x06, 0x00, 0x07, 0xcf]));
  m.bus.dmaWrite(DB * 4, Uint8Array.from([0x00, 0x06, 0x00, 0x00]));
}

describe('i386 single-step (EFLAGS.TF, SDM vol. 3, 17.3.1.4)', () => {
  it('traps after each instruction that began with TF set, not inside the handler, not after the POPF that sets TF', () => {
    // pushf; pop ax; or ah,1; push ax; popf (TF on); nop x3; pushf; pop ax; and ah,0xfe; push ax; popf (TF off)
    const code = [0x9c, 0x58, 0x80, 0xcc, 0x01, 0x50, 0x9d, 0x90, 0x90, 0x90, 0x9c, 0x58, 0x80, 0xe4, 0xfe, 0x50, 0x9d];
    const m = run16(code, {}, countingDbHandler);
    // After nop x3, pushf, pop ax, and, push ax; the POPF that clears TF ends with TF clear.
    expect(m.ram.u8[0x700]).toBe(7);
    expect(m.cpu.dr[6] & 0x4000).toBe(0x4000); // DR6.BS
    expect(m.cpu.eflags & TF).toBe(0);
    expect(m.cpu.lastException?.vector).toBe(DB);
    expect(m.cpu.getReg(EAX) & 0x100).toBe(0);
  });

  it('no trap after MOV SS (the shadow holds debug traps for one instruction)', () => {
    // pushf; pop ax; or ah,1; push ax; popf; mov bx,ss; mov ss,bx; nop; then TF off as above
    const code = [0x9c, 0x58, 0x80, 0xcc, 0x01, 0x50, 0x9d, 0x8c, 0xd3, 0x8e, 0xd3, 0x90, 0x9c, 0x58, 0x80, 0xe4, 0xfe, 0x50, 0x9d];
    const m = run16(code, {}, countingDbHandler);
    // mov bx,ss (trap), mov ss,bx (no trap: shadow), nop, pushf, pop, and, push (traps): 6
    expect(m.ram.u8[0x700]).toBe(6);
  });
});
