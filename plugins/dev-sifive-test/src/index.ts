/**
 * SiFive test finisher (QEMU hw/misc/sifive_test.c): a write to offset 0 ends the simulation.
 *
 *   low 16 bits 0x5555  FINISHER_PASS   power off, exit code 0
 *   low 16 bits 0x3333  FINISHER_FAIL   power off, exit code = value >> 16
 *   low 16 bits 0x7777  FINISHER_RESET  machine reset
 *
 * Other values and other offsets are ignored; reads return 0. QEMU accepts 2- and 4-byte
 * aligned accesses only; the bus refuses others (access faults).
 *
 * Like QEMU's virt board it also describes the Linux syscon drivers that use it: root nodes
 * /poweroff (syscon-poweroff, value 0x5555) and /reboot (syscon-reboot, value 0x7777) whose
 * `regmap` points at this node.
 */
import type { AccessSize, Device, DeviceContext, DeviceTreeContext, PluginApi } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export function createSifiveTest(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  let lastCommand = 0;

  function finish(written: number): void {
    const status = written & 0xffff;
    const code = written >>> 16;
    const hex = (x: number) => '0x' + x.toString(16);
    switch (status) {
      case FINISHER_PASS:
        lastCommand = written;
        ctx.machine.powerOff(0, `${name}: pass (${hex(written)})`);
        break;
      case FINISHER_FAIL:
        lastCommand = written;
        ctx.machine.powerOff(code, `${name}: fail, code ${code} (${hex(written)})`);
        break;
      case FINISHER_RESET:
        lastCommand = written;
        ctx.machine.reset(`${name}: reset (${hex(written)})`);
        break;
      default:
        if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `ignored finisher value ${hex(written)}` });
        break;
    }
  }

  const regs = ctx.registers({
    sizes: [2, 4],
    aligned: true,
    registers: [
      {
        name: 'finisher',
        offset: 0,
        access: 'wo',
        fields: [
          { name: 'CODE', bits: [31, 16] },
          { name: 'STATUS', bits: [15, 0] },
        ],
        // Only a write at offset 0 counts (a halfword at +2 leaves STATUS unwritten, i.e. 0).
        write: (_v, _i, written, lanes) => {
          if (lanes & 0xffff) finish(written);
        },
      },
    ],
  });

  return {
    name,
    read: () => 0,
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
    },
    deviceTree(_node: FdtNode, dt: DeviceTreeContext): void {
      dt.root.child('reboot').str('compatible', 'syscon-reboot').u32('regmap', dt.phandle).u32('offset', 0).u32('value', FINISHER_RESET);
      dt.root.child('poweroff').str('compatible', 'syscon-poweroff').u32('regmap', dt.phandle).u32('offset', 0).u32('value', FINISHER_PASS);
    },
    inspect() {
      return { 'last command': '0x' + lastCommand.toString(16) };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'sifive_test',
    description: 'SiFive test finisher: guest power-off with exit code, and reset',
    compatible: ['sifive,test1', 'sifive,test0', 'syscon'],
    nodeName: 'test',
    create: createSifiveTest,
  });
}
