/**
 * BCM2835/7 thermal sensor at 0x3F212000 (QEMU hw/misc/bcm2835_thermal.c; Linux bcm2835_thermal,
 * which converts with its default slope -538 m°C per step and offset 412 °C on the BCM2837).
 *
 * Registers (32-bit, 8 bytes): CTL 0x00 (stored), STAT 0x04 (read-only: bits 9:0 ADC value, bit 10
 * valid). The reading is constant: `temperatureC` (QEMU: 25 °C, ADC 719).
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const OFFSET_C = 412;
const SLOPE_C = -0.538;
const STAT_VALID = 1 << 10;

const thermalProps = (prop: PropKit) => ({
  temperatureC: prop.int({ default: 25, min: -100, max: 400, description: 'the constant temperature the sensor reports, in °C (QEMU: 25)' }),
});
export type ThermalProps = PropsOf<ReturnType<typeof thermalProps>>;

/** The ADC value for a temperature (truncated toward zero, as QEMU's conversion). */
export const adcOf = (celsius: number) => Math.trunc(Math.fround((celsius - OFFSET_C) / Math.fround(SLOPE_C))) & 0x3ff;

export function createBcm2835Thermal(ctx: DeviceContext<ThermalProps>): Device {
  const stat = (adcOf(ctx.props.temperatureC) | STAT_VALID) >>> 0;
  const regs: RegisterMap = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 8,
    registers: [
      { name: 'CTL', offset: 0x00 },
      {
        name: 'STAT',
        offset: 0x04,
        access: 'ro',
        fields: [
          { name: 'INTERRUPT', bits: [11, 11] },
          { name: 'VALID', bits: [10, 10] },
          { name: 'DATA', bits: [9, 0] },
        ],
        read: () => stat,
      },
    ],
  });
  return {
    name: ctx.entry.name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset: () => regs.reset(),
    inspect: () => ({ CTL: regs.get('CTL'), STAT: stat }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-thermal',
    description: 'BCM2835/7 thermal sensor reporting a constant temperature',
    compatible: ['brcm,bcm2837-thermal'],
    nodeName: 'thermal',
    props: thermalProps(api.prop),
    create: createBcm2835Thermal,
  });
}
