import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CpuContext, IrqLine } from '../../../src/core/api.js';
import { loadBoard } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import { assemble, jal, zero } from '../../helpers/rv32asm.js';

/**
 * CPUs' own interrupt outputs (the Arm generic timer's): declared by the arch (`cpuOutputs`),
 * wired by the board (`cpu: { irq: { OUTPUT: DEVICE:INPUT$cpu } }`), driven through `ctx.output`.
 */
describe('CPU interrupt outputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-cpu-outputs-'));
  const kernel = join(dir, 'spin.bin');
  writeFileSync(kernel, assemble([jal(zero, 0)]));

  async function build(cpuSection: string) {
    const registry = new PluginRegistry();
    await registry.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin' && !c.dir.endsWith('arch-rv32')));
    const { rv32, riscvVirtRom } = await import('../../../plugins/arch-rv32/src/index.js');
    const contexts: CpuContext[] = [];
    const inputs = new Map<string, boolean>();
    const api = registry.apiFor({ name: 'rv32-timerish', version: '1.0.0', kind: 'mixed', dir, entry: 'x.js', source: 'flag', provides: [] });
    api.defineArch({ ...rv32, cpuOutputs: { tick: { description: 'a per-CPU timer line' } }, createCpu: (ctx) => (contexts.push(ctx), rv32.createCpu(ctx)) });
    api.defineBoot(riscvVirtRom);
    api.defineDevice({
      type: 'sink',
      description: 'records its inputs',
      access: { sizes: [4] },
      create: (ctx) => ({
        name: ctx.entry.name,
        read: () => 0,
        irqInput: (input: string): IrqLine | undefined =>
          /^in[0-9]$/.test(input) ? ({ name: input, level: false, raised: 0, set: (level: boolean) => inputs.set(input, level) } as IrqLine) : undefined,
      }),
    });
    const board = join(dir, `b${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(board, `extends: virt\ncpus: 2\ncpu:\n${cpuSection}\ndevices:\n  - { type: sink, name: sink0, reg: [0x10300000, 0x1000] }\n`);
    const machine = buildMachine(registry, loadBoard(board), { bios: 'none', kernel, drives: [], console: new CaptureBackend() });
    return { machine, contexts, inputs };
  }

  it('wires each CPU output to its own input ($cpu is the CPU index)', async () => {
    const { contexts, inputs } = await build('  irq: { tick: sink0:in$cpu }');
    contexts[1].output!('tick').set(true);
    expect(inputs.get('in1')).toBe(true);
    expect(inputs.get('in0')).toBe(false);
    contexts[0].output!('tick').set(true);
    expect(inputs.get('in0')).toBe(true);
    expect(() => contexts[0].output!('tock')).toThrow(/cpu output "tock" is not declared in cpuOutputs \(tick\)/);
  });

  it('leaves an unwired output going nowhere, and passes the rest of cpu: to the arch', async () => {
    const { contexts, inputs } = await build('  isa: rv32imac');
    contexts[0].output!('tick').set(true);
    expect(inputs.size).toBe(0);
    expect(contexts[0].props).toMatchObject({ isa: 'rv32imac' });
    expect(contexts[0].props).not.toHaveProperty('irq');
  });

  it('names the board line for an unknown output, a missing device or input', async () => {
    await expect(build('  irq: { tock: sink0:in$cpu }')).rejects.toThrow(/\.yaml:4: cpu\.irq\.tock: unknown CPU output "tock" \(rv32 has: tick\)/);
    await expect(build('  irq: { tick: nosuch:in$cpu }')).rejects.toThrow(/\.yaml:4: cpu\.irq\.tick: interrupt target "nosuch" is not a device/);
    await expect(build('  irq: { tick: sink0:out$cpu }')).rejects.toThrow(/\.yaml:4: cpu\.irq\.tick: sink0 has no interrupt input "out0" \(for cpu0\)/);
  });
});
