import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-isa-debugcon/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('isa-debugcon')!;

describe('isa-debugcon plugin', () => {
  it('sends each written byte to its chardev and reads back 0xe9', () => {
    const d = instantiate(type, { name: 'debugcon', io: [[0xe9, 1]] });
    for (const c of 'hi\n') d.write(0, c.charCodeAt(0), 1);
    expect(d.h.chardev.text()).toBe('hi\n');
    expect(d.read(0, 1)).toBe(0xe9);
    expect(d.faults(0, 2)).toBe(true);
  });

  it('reads back the readback prop', () => {
    const d = instantiate(type, { name: 'debugcon', io: [[0xe9, 1]], props: { readback: 0x42 } });
    expect(d.read(0, 1)).toBe(0x42);
  });
});
