/**
 * The i386 interpreter's sums stay int32 where a 32-bit result may pass 2^31 (alu's ADD/SUB, modrm's
 * effective address): V8 optimized them with small-integer feedback and deoptimized them ('overflow')
 * at the first sum past int32, once per run of a compute kernel. A child process under --trace-deopt
 * runs such a loop in the interpreter long enough for V8 to optimize both first.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const machine = fileURLToPath(new URL('./paging-machine.ts', import.meta.url));
const cpu = fileURLToPath(new URL('../../../plugins/arch-i386/src/cpu.ts', import.meta.url));
// L: add eax, ebx; lea edx, [eax + 0x10000000]; dec ecx; jnz L; hlt (EAX passes 2^31 after 2^17 passes)
const child = `
import { pagedMachine } from ${JSON.stringify(machine)};
import { EAX, EBX, ECX } from ${JSON.stringify(cpu)};
const m = pagedMachine([], 'interp');
m.bus.dmaWrite(0x20000, Uint8Array.from([0x01, 0xd8, 0x8d, 0x90, 0x00, 0x00, 0x00, 0x10, 0x49, 0x75, 0xf5, 0xf4]));
m.cpu.regs[EAX] = 0; m.cpu.regs[EBX] = 0x4000; m.cpu.regs[ECX] = 0x30000;
m.cpu.pc = 0x20000;
for (let s = 0; s < 10000 && !m.cpu.waiting; s++) m.cpu.run(100000);
console.log('EAX', m.cpu.regs[EAX] >>> 0);
`;

describe('i386 interpreter under V8', () => {
  it('does not deoptimize alu or modrm when a 32-bit sum passes int32', () => {
    const r = spawnSync(process.execPath, ['--trace-deopt', '--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toContain(`EAX ${(0x30000 * 0x4000) >>> 0}`);
    const overflow = r.stdout.split('\n').filter((l) => /bailout.*reason: overflow.*<JSFunction (alu|modrm) /.test(l));
    expect(overflow).toEqual([]);
  }, 120_000);
});
