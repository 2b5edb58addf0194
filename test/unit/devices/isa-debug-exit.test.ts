import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-isa-debug-exit/src/index.js';
import { register as registerPost } from '../../../plugins/dev-post-code/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const exitType = loadDevicePlugin(register).get('isa-debug-exit')!;
const postType = loadDevicePlugin(registerPost).get('post-code')!;

describe('isa-debug-exit plugin', () => {
  it('powers off with (value << 1) | 1 for byte, word and dword writes', () => {
    for (const [size, value, code] of [[1, 0, 1], [1, 0x10, 0x21], [2, 0x1234, 0x2469], [4, 0x7f, 0xff]] as const) {
      const d = instantiate(exitType, { name: 'dbgexit', reg: [[0x100000f4, 4]] });
      d.write(0, value, size);
      expect(d.h.machine.powerOffs.map((p) => p.code)).toEqual([code]);
      expect(d.read(0, 1)).toBe(0);
    }
  });
});

describe('post-code plugin', () => {
  it('logs each byte and reads the last one back', () => {
    const d = instantiate(postType, { name: 'post', reg: [[0x10000080, 1]] });
    const logs: string[] = [];
    d.h.events.on('log', (e) => logs.push(`${e.source}: ${e.message}`));
    expect(d.read(0, 1)).toBe(0);
    d.write(0, 0x1a, 1);
    d.write(0, 0xff, 1);
    expect(logs).toEqual(['post: POST code 0x1a', 'post: POST code 0xff']);
    expect(d.read(0, 1)).toBe(0xff);
    expect(d.faults(0, 2)).toBe(true);
  });

  it("gives the TUI's status bar the last code, once there is one", () => {
    const d = instantiate(postType, { name: 'post', io: [[0x80, 1]] });
    expect(d.device.status?.()).toBeUndefined();
    d.write(0, 0x2a, 1, 0);
    expect(d.device.status?.()).toBe('POST 0x2a');
    d.device.reset?.();
    expect(d.device.status?.()).toBeUndefined();
  });
});
