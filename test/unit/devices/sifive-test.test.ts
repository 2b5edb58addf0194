import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-sifive-test/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const testType = loadDevicePlugin(register).get('sifive_test')!;

function finisher(): DeviceUnderTest {
  return instantiate(testType, { name: 'test', reg: [[0x100000, 0x1000]] });
}

describe('sifive_test plugin', () => {
  it('defines sifive_test with the QEMU virt compatible strings', () => {
    expect(testType.compatible).toEqual(['sifive,test1', 'sifive,test0', 'syscon']);
    expect(testType.nodeName).toBe('test');
  });

  it('powers off with code 0 on 0x5555', () => {
    const d = finisher();
    d.write(0, 0x5555);
    expect(d.h.machine.powerOffs).toEqual([{ code: 0, reason: 'test: pass (0x5555)' }]);
    expect(d.h.machine.resets).toEqual([]);
  });

  it('ignores the upper half for a pass', () => {
    const d = finisher();
    d.write(0, 0x00075555);
    expect(d.h.machine.powerOffs.map((p) => p.code)).toEqual([0]);
  });

  it('powers off with value >>> 16 on 0x3333', () => {
    const d = finisher();
    d.write(0, (42 << 16) | 0x3333);
    expect(d.h.machine.powerOffs).toEqual([{ code: 42, reason: 'test: fail, code 42 (0x2a3333)' }]);
    const e = finisher();
    e.write(0, 0xffff3333);
    expect(e.h.machine.powerOffs[0].code).toBe(0xffff);
  });

  it('resets the machine on 0x7777', () => {
    const d = finisher();
    d.write(0, 0x7777);
    expect(d.h.machine.resets).toEqual(['test: reset (0x7777)']);
    expect(d.h.machine.powerOffs).toEqual([]);
  });

  it('ignores other values and other offsets', () => {
    const d = finisher();
    const logs: string[] = [];
    d.h.events.on('log', (e) => logs.push(e.message));
    d.write(0, 0x1234);
    d.write(0, 0x5556);
    d.write(4, 0x5555);
    d.write(0x800, 0x3333);
    expect(d.h.machine.powerOffs).toEqual([]);
    expect(d.h.machine.resets).toEqual([]);
    expect(logs).toEqual(['ignored finisher value 0x1234', 'ignored finisher value 0x5556']);
  });

  it('accepts 16-bit writes at offset 0 (code 0) but not at offset 2', () => {
    const d = finisher();
    d.write(0, 0x3333, 2);
    expect(d.h.machine.powerOffs).toEqual([{ code: 0, reason: 'test: fail, code 0 (0x3333)' }]);
    const e = finisher();
    e.write(2, 0x5555, 2);
    expect(e.h.machine.powerOffs).toEqual([]);
  });

  it('reads 0 and refuses byte or unaligned accesses (QEMU: 2..4 bytes)', () => {
    const d = finisher();
    d.write(0, 0x1234);
    expect(d.read(0)).toBe(0);
    expect(d.read(0, 2)).toBe(0);
    expect(d.faults(0, 1)).toBe(true);
    expect(d.faults(0, 1, true)).toBe(true);
    expect(d.faults(1, 2)).toBe(true);
    expect(d.faults(0, 4)).toBe(false);
    expect(d.h.machine.powerOffs).toEqual([]);
  });

  it('names its register', () => {
    expect(finisher().regs().nameAt(0)).toBe('finisher');
  });

  it('adds the syscon poweroff and reboot nodes at the root like QEMU virt', () => {
    const { node, root } = finisher().deviceTree({ phandle: 7 });
    expect(node.props.size).toBe(0);
    const poweroff = root.find('poweroff')!;
    expect(poweroff.string('compatible')).toBe('syscon-poweroff');
    expect(poweroff.cells('regmap')).toEqual([7]);
    expect(poweroff.cells('offset')).toEqual([0]);
    expect(poweroff.cells('value')).toEqual([0x5555]);
    const reboot = root.find('reboot')!;
    expect(reboot.string('compatible')).toBe('syscon-reboot');
    expect(reboot.cells('regmap')).toEqual([7]);
    expect(reboot.cells('offset')).toEqual([0]);
    expect(reboot.cells('value')).toEqual([0x7777]);
  });

  it('reports the last command in inspect()', () => {
    const d = finisher();
    d.write(0, 0x7777);
    expect(d.device.inspect!()['last command']).toBe('0x7777');
  });
});
