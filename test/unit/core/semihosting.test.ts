import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CpuContext } from '../../../src/core/api.js';
import { loadBoard } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import { assemble, jal, zero } from '../../helpers/rv32asm.js';

/** `--semihosting` hands each CPU a host end for the architecture's semihosting calls; off, none. */
describe('semihosting host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-semihosting-'));
  const kernel = join(dir, 'spin.bin');
  writeFileSync(kernel, assemble([jal(zero, 0)]));

  async function build(semihosting?: { write(bytes: Uint8Array): void }) {
    const builtins = new PluginRegistry();
    await builtins.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin' && !c.dir.endsWith('arch-rv32')));
    const { rv32, riscvVirtRom } = await import('../../../plugins/arch-rv32/src/index.js');
    const seen: CpuContext[] = [];
    const api = builtins.apiFor({ name: 'rv32-spy', version: '1.0.0', kind: 'arch', dir, entry: 'x.js', source: 'flag', provides: [] });
    api.defineArch({ ...rv32, createCpu: (ctx) => (seen.push(ctx), rv32.createCpu(ctx)) });
    api.defineBoot(riscvVirtRom);
    const machine = buildMachine(builtins, loadBoard('virt'), { bios: 'none', kernel, drives: [], console: new CaptureBackend(), cpus: 2, semihosting });
    return { machine, seen };
  }

  it('is absent unless asked for', async () => {
    const { seen } = await build();
    expect(seen.map((c) => c.semihosting)).toEqual([undefined, undefined]);
  });

  it('writes to the given output and exits with the guest code', async () => {
    const out: string[] = [];
    const { machine, seen } = await build({ write: (b) => out.push(Buffer.from(b).toString('latin1')) });
    expect(seen).toHaveLength(2);
    seen[1].semihosting!.write(new Uint8Array(Buffer.from('hi')));
    expect(out).toEqual(['hi']);
    seen[0].semihosting!.exit(3, 'SYS_EXIT');
    const r = await machine.run({ maxInsns: 1000 });
    expect(r).toMatchObject({ reason: 'poweroff', exitCode: 3, message: 'SYS_EXIT' });
  });
});
