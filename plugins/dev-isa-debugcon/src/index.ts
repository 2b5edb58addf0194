/**
 * QEMU's isa-debugcon (hw/char/debugcon.c, `-debugcon`): the Bochs/QEMU "port 0xE9 hack". Each
 * byte written goes to the device's chardev (`rvos run --debugcon stdio|file:PATH|null`); a read
 * returns the `readback` value (QEMU's default 0xe9), which guests use to detect the port.
 * Byte accesses only (QEMU's region is one byte wide).
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';

const props = (prop: PropKit) => ({
  readback: prop.int({ default: 0xe9, min: 0, max: 0xff, description: 'value a read returns (QEMU readback, default 0xe9)' }),
});
type Props = PropsOf<ReturnType<typeof props>>;

export function createIsaDebugcon(ctx: DeviceContext<Props>): Device {
  const chr = ctx.chardev();
  let written = 0;
  const regs = ctx.registers({
    sizes: [1],
    extent: 1,
    registers: [
      {
        name: 'DATA',
        offset: 0,
        width: 1,
        read: () => ctx.props.readback,
        write: (value: number) => {
          written++;
          chr.write(value & 0xff);
        },
      },
    ],
  });
  return {
    name: ctx.entry.name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    inspect: () => ({ backend: chr.name, 'bytes written': written }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'isa-debugcon',
    description: "QEMU's isa-debugcon (port 0xe9): bytes written go to the --debugcon backend; reads return 0xe9",
    props: props(api.prop),
    create: createIsaDebugcon,
  });
}
