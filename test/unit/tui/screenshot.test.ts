import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../../src/core/machine.js';
import { saveScreenshot } from '../../../src/tui/app.js';

describe('TUI screenshot (C-a g)', () => {
  it('saves to the first free rvos-screenshot-N.png and says where; says so when there is no framebuffer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-tui-shot-'));
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47]);
    const machine = { screenshot: () => ({ png, device: 'fb0', width: 640, height: 480 }) } as unknown as Machine;
    expect(saveScreenshot(machine, dir)).toBe(`[rvos: fb0 640x480 saved to ${dir}/rvos-screenshot-1.png]`);
    expect(saveScreenshot(machine, dir)).toBe(`[rvos: fb0 640x480 saved to ${dir}/rvos-screenshot-2.png]`);
    expect([...readFileSync(join(dir, 'rvos-screenshot-2.png'))]).toEqual([...png]);
    const none = { screenshot: () => undefined } as unknown as Machine;
    expect(saveScreenshot(none, dir)).toBe('[rvos: no device shows a framebuffer]');
    expect(existsSync(join(dir, 'rvos-screenshot-3.png'))).toBe(false);
  });
});
