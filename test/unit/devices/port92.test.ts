import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-port92/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('port92')!;

describe('port92 plugin', () => {
  it('drives A20 from bit 1 and reads back what was written', () => {
    const d = instantiate(type, { name: 'port92', io: [[0x92, 1]], irqs: ['cpu0:a20'] });
    const a20 = d.h.irqs[0];
    expect(a20.level).toBe(true); // a PC starts with A20 enabled
    expect(d.read(0, 1)).toBe(0x00); // QEMU's outport starts at 0
    d.write(0, 0x00, 1);
    expect(a20.level).toBe(false);
    d.write(0, 0x02, 1);
    expect(a20.level).toBe(true);
    expect(d.read(0, 1)).toBe(0x02);
    expect(d.h.machine.resets).toEqual([]);
    expect(d.faults(0, 2)).toBe(true);
  });

  it('resets the machine on a rising edge of bit 0, which a reset clears', () => {
    const d = instantiate(type, { name: 'port92', io: [[0x92, 1]] });
    d.write(0, 0x03, 1);
    d.write(0, 0x03, 1); // no new edge
    expect(d.h.machine.resets).toEqual(['port92: fast reset (port 0x92 bit 0)']);
    d.write(0, 0x00, 1);
    d.device.reset!();
    expect(d.h.irqs[0].level).toBe(true);
    d.write(0, 0x01, 1);
    expect(d.h.machine.resets.length).toBe(2);
    d.device.reset!();
    expect(d.read(0, 1)).toBe(0x00);
  });

  it('starts at 0x02 after the BIOS (afterBios), as qemu-system-i386 -M pc reads it', () => {
    const d = instantiate(type, { name: 'port92', io: [[0x92, 1]], props: { afterBios: true } });
    expect(d.read(0, 1)).toBe(0x02);
    expect(d.h.irqs[0].level).toBe(true);
  });
});
