import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-unimplemented/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('unimplemented')!;

describe('unimplemented device (QEMU unimp)', () => {
  it('reads 0 at any size, ignores writes, never faults, and logs each access', () => {
    const d = instantiate(type, { name: 'i2c0', reg: [[0x3f205000, 0x20]] });
    const logs: string[] = [];
    d.h.events.on('log', (e) => logs.push(`${e.source}: ${e.message}`));
    d.write(0x04, 0x1234);
    expect([d.read(0x04), d.read(0x05, 1), d.read(0x06, 2)]).toEqual([0, 0, 0]);
    expect(d.faults(0x1c, 4)).toBe(false);
    expect(logs[0]).toBe('i2c0: unimplemented write of 4 bytes at +0x4: 0x1234');
    expect(logs[1]).toBe('i2c0: unimplemented read of 4 bytes at +0x4');
  });
});
