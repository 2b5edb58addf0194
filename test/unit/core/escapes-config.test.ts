import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscapeDecoder } from '../../../src/commands/support/escapes.js';
import { loadConfig } from '../../../src/core/config.js';
import { parseTraceCategories } from '../../../src/core/trace.js';

describe('console escapes', () => {
  it('splits Ctrl-A commands from guest input', () => {
    const d = new EscapeDecoder();
    expect(d.feed(Buffer.from('ls\r'))).toEqual({ forward: Uint8Array.from(Buffer.from('ls\r')), commands: [] });
    const r = d.feed(Uint8Array.from([0x61, 0x01, 0x68, 0x62, 0x01, 0x01, 0x01]));
    expect(Array.from(r.forward)).toEqual([0x61, 0x62, 0x01]);
    expect(r.commands).toEqual(['help']);
    // The escape may straddle two reads.
    expect(d.feed(Uint8Array.from([0x78])).commands).toEqual(['quit']);
  });
});

describe('config file', () => {
  it('reads fields and resolves paths against the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-config-'));
    writeFileSync(join(dir, 'rvos.config.yaml'), 'board: virt\nkernel: build/k.elf\nbios: none\nmemory: 256MiB\ncpus: 2\nplugins: [plug]\nserial: { uart1: null }\n');
    const c = loadConfig(undefined, dir);
    expect(c).toMatchObject({ board: 'virt', kernel: join(dir, 'build/k.elf'), bios: 'none', memory: 256 << 20, cpus: 2, plugins: [join(dir, 'plug')] });
    expect(c.serial).toEqual({ uart1: 'null' });
  });

  it('is empty when absent, an error when named and missing or invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-config-'));
    expect(loadConfig(undefined, dir)).toEqual({ drives: [], plugins: [] });
    expect(() => loadConfig('nope.yaml', dir)).toThrow('config file nope.yaml not found');
    writeFileSync(join(dir, 'bad.yaml'), 'board: virt\ncpus: many\n');
    expect(() => loadConfig('bad.yaml', dir)).toThrow(/bad\.yaml:2: cpus: Expected number/);
  });
});

describe('trace categories', () => {
  it('parses lists and rejects unknown names', () => {
    expect(parseTraceCategories('trap,irq')).toEqual(['trap', 'irq']);
    expect(parseTraceCategories('all')).toContain('mmio');
    expect(() => parseTraceCategories('trap,cache')).toThrow(/unknown category "cache"/);
  });
});
