import { describe, expect, it } from 'vitest';
import { adcOf, register } from '../../../plugins/dev-bcm2835-thermal/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const thermalType = loadDevicePlugin(register).get('bcm2835-thermal')!;

describe('bcm2835-thermal plugin', () => {
  it('reports 25 °C as QEMU does (ADC 719, valid) and stores CTL', () => {
    const d = instantiate(thermalType, { name: 'thermal', reg: [[0x3f212000, 0x8]] });
    expect(thermalType.compatible).toEqual(['brcm,bcm2837-thermal']);
    expect(d.read(0x4)).toBe(0x6cf);
    d.write(0x4, 0);
    expect(d.read(0x4)).toBe(0x6cf);
    d.write(0x0, 0x4000021);
    expect(d.read(0x0)).toBe(0x4000021);
    d.device.reset!();
    expect(d.read(0x0)).toBe(0);
    expect(d.faults(0x8, 4)).toBe(true);
    expect(d.faults(0x4, 2)).toBe(true);
  });

  it('converts other temperatures with Linux slope and offset', () => {
    const d = instantiate(thermalType, { name: 'thermal', reg: [[0x3f212000, 0x8]], props: { temperatureC: 60 } });
    expect(adcOf(60)).toBe(654);
    expect(d.read(0x4)).toBe(654 | 0x400);
    // Linux: temp = 412000 - 538 * adc millidegrees: 60.148 °C
    expect(412_000 - 538 * 654).toBe(60_148);
  });
});
