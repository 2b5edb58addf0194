import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Command } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');

/** Every command, found the way oclif finds them: each file under src/commands except support/ ("disk create" = disk/create.ts). */
const commandsDir = join(root, 'src', 'commands');
const COMMANDS: Record<string, Command.Class> = {};
for (const file of readdirSync(commandsDir, { recursive: true, encoding: 'utf8' }).sort()) {
  if (!file.endsWith('.ts') || file.startsWith('support')) continue;
  const id = relative(commandsDir, join(commandsDir, file)).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':');
  COMMANDS[id] = (await import(join(commandsDir, file))).default;
}

const hasDtc = spawnSync('dtc', ['--version']).status === 0;

describe('rvos CLI', () => {
  it('lists boards and shows a memory map', async () => {
    const list = await rvos(['boards']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^virt\s+rv32\s+1\s+RISC-V virt/m);
    const map = await rvos(['boards', 'virt']);
    expect(map.stdout).toMatch(/0x10000000\s+0x100000ff\s+0x100\s+uart0\s+ns16550a\s+plic:10/);
    expect(map.stdout).toMatch(/0x80000000\s+0x87ffffff\s+0x8000000\s+memory/);
  });

  it('lists plugins with kinds, provided types and paths', async () => {
    const r = await rvos(['plugins']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/@rvos\/arch-rv32\s+arch\s+0\.1\.0\s+rv32,riscv-virt-rom\s+builtin\s+\S+plugins\/arch-rv32/);
    expect(r.stdout).toMatch(/@rvos\/dev-ns16550\s+device\s+\S+\s+ns16550a/);
  });

  it('gives one clear message and exit 2 for bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-cli-'));
    writeFileSync(join(dir, 'x.yaml'), 'arch: rv32\nmemory: { base: 0x80000000, size: 1MiB }\ndevices:\n  - { type: ns1655a, name: u, reg: [0x1000, 0x100] }\n');
    const r = await rvos(['run', '--board', join(dir, 'x.yaml'), '--bios', 'none', '--kernel', 'k.elf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rvos: .*x\.yaml:4: devices\[0\]\.type: unknown device type "ns1655a" \(known: .*ns16550a/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);

    const missing = await rvos(['run', '--bios', 'none', '--kernel', join(dir, 'nope.elf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.elf: cannot read: ENOENT/);

    writeFileSync(join(dir, 'junk.elf'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]));
    const junk = await rvos(['run', '--bios', 'none', '--kernel', join(dir, 'junk.elf')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/junk\.elf: truncated ELF header/);

    const flag = await rvos(['run', '--serial', 'carrier-pigeon', '--bios', 'none']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--serial carrier-pigeon: expected stdio, null, file:PATH or tcp:PORT/);
  });

  it('has real --help for every command', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = await rvos([...name.split(':'), '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout).toMatch(/USAGE/);
      expect(r.stdout).toMatch(/EXAMPLES/);
    }
  });

  it('keeps oclif.manifest.json in step with the commands and flags', async () => {
    const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const [name, cmd] of Object.entries(COMMANDS)) {
      const flags = Object.keys({ ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) }).sort();
      expect(Object.keys(manifest.commands[name].flags).sort(), `${name}: run npm run manifest`).toEqual(flags);
    }
  });

  it.skipIf(!hasDtc)('writes a DTB that dtc decompiles cleanly with what OpenSBI and Linux need', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-dtb-'));
    const out = join(dir, 'virt.dtb');
    const r = await rvos(['dtb', '--board', 'virt', '--cpus', '2', '--append', 'console=ttyS0 earlycon', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const needle of [
      /cpus \{[\s\S]*timebase-frequency = <0x989680>/,
      /cpu@0 \{[\s\S]*riscv,isa = "rv32imac/,
      /mmu-type = "riscv,sv32"/,
      /cpu@1 \{/,
      /interrupt-controller \{[\s\S]*compatible = "riscv,cpu-intc"/,
      /memory@80000000 \{[\s\S]*device_type = "memory";[\s\S]*reg = <0x00 0x80000000 0x00 0x8000000>/,
      /chosen \{[^}]*bootargs = "console=ttyS0 earlycon";/,
      /chosen \{[^}]*stdout-path = "\/soc\/serial@10000000";/,
      /soc \{[\s\S]*compatible = "simple-bus"/,
      // Per hart, in QEMU's order: the PLIC's context N is the Nth pair of interrupts-extended.
      /clint@2000000 \{[^}]*interrupts-extended = <(0x\w+) 0x03 \1 0x07 (0x\w+) 0x03 \2 0x07>/,
      /plic@c000000 \{[^}]*interrupts-extended = <(0x\w+) 0x0b \1 0x09 (0x\w+) 0x0b \2 0x09>/,
      /plic@c000000 \{[\s\S]*riscv,ndev/,
      /serial@10000000 \{[\s\S]*compatible = "ns16550a"[\s\S]*interrupts = <0x0a>/,
      /virtio_mmio@10008000 \{/,
      /test@100000 \{/,
    ]) {
      expect(dts).toMatch(needle);
    }
    // dtc reports warnings on stderr for malformed trees; the generated one must be clean.
    const check = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-o', '/dev/null', out], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
  });
});

describe('oclif conventions', () => {
  it('has `rvos help`, -h, --version and -v', async () => {
    const help = await rvos(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/COMMANDS[\s\S]*run\s+Boot a machine/);
    expect(help.stdout).toMatch(/TOPICS[\s\S]*disk/);
    const h = await rvos(['run', '-h']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/USAGE\s+\$ rvos run/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const v = await rvos([flag]);
      expect(v.stdout).toBe(`rvos/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
    }
  });

  it('suggests the command a typo meant, with exit 2', async () => {
    const r = await rvos(['rn', '--board', 'virt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rvos: "rn" is not an rvos command. Did you mean "run"? `rvos help` lists the commands.\n');
    const topic = await rvos(['disk', 'crate', 'x.img']);
    expect(topic.stderr).toMatch(/"disk crate" is not an rvos command\. Did you mean "disk create"\?/);
    const far = await rvos(['xyzzy']);
    expect(far.stderr).toBe('rvos: "xyzzy" is not an rvos command. `rvos help` lists the commands.\n');
  });

  it('reports a bad flag in one line, without the usage', async () => {
    for (const [args, message] of [
      [['run', '--cpus', 'x'], 'rvos run: --cpus: Expected an integer but received: x (see --help)'],
      [['boards', '--bogus'], 'rvos boards: Nonexistent flag: --bogus (see --help)'],
      [['dtb'], 'rvos dtb: Missing required flag output (see --help)'],
      [['run', '--clock', 'slow'], 'rvos run: Expected --clock=slow to be one of: deterministic, realtime (see --help)'],
    ] as const) {
      const r = await rvos([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${message}\n`);
    }
  });

  it.skipIf(!hasDtc)('writes the DTB to standard output with -o -', async () => {
    const r = await rvos(['dtb', '--board', 'virt', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(Buffer.from(r.stdout, 'latin1').readUInt32BE(0)).toBe(0xd00dfeed);
  });

  it('offers shell completion', async () => {
    const r = await rvos(['autocomplete', 'bash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rvos autocomplete/);
  });
});
