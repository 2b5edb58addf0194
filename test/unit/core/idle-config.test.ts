import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config.js';
import * as A from '../../helpers/rv32asm.js';
import { bootGuest, writeGuest } from '../../helpers/bare-guest.js';

describe('idle mode choice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-idle-'));
  writeFileSync(join(dir, 'sleep.yaml'), 'idle: sleep\n');
  writeFileSync(join(dir, 'bad.yaml'), 'board: virt\nidle: nap\n');
  const kernel = writeGuest([A.wfi()]);
  const modeOf = async (opts: Parameters<typeof bootGuest>[1]) => {
    const s = await bootGuest(kernel, opts);
    await s.close();
    return s.machine.idleMode;
  };

  it('reads `idle:` from the config file and rejects other values with the line', () => {
    expect(loadConfig(join(dir, 'sleep.yaml')).idle).toBe('sleep');
    expect(() => loadConfig(join(dir, 'bad.yaml'))).toThrow(/bad\.yaml:2: idle: /);
  });

  it('flag over config over the caller\'s default; warp when nobody says (tests, createSession)', async () => {
    expect(await modeOf({})).toBe('warp');
    expect(await modeOf({ defaultIdle: 'sleep' })).toBe('sleep');
    expect(await modeOf({ config: join(dir, 'sleep.yaml') })).toBe('sleep');
    expect(await modeOf({ config: join(dir, 'sleep.yaml'), idle: 'warp', defaultIdle: 'sleep' })).toBe('warp');
  });
});
