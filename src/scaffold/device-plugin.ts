/**
 * `rvos plugins new`: the files of a device plugin package that works out of the box. The device
 * is a one-shot countdown timer (ID, CTRL, LOAD, STATUS, COUNT registers; one interrupt line), so
 * the template shows each piece of the plugin API a real device needs: declared props, a register
 * map, a named output, a clock timer, a device-tree node; plus a board that extends `virt`, a
 * guest that drives it, and a test that boots that guest.
 */
import { buildGuest } from './guest.js';

export interface ScaffoldOptions {
  /** npm package name. */
  packageName: string;
  /** Device type name in boards. */
  type: string;
  /** Where rvos is installed (the plugin's dev dependency points there). */
  rvosDir: string;
  rvosVersion: string;
}

const BASE = 0x10010000;
const IRQ = 12;
const ID_VALUE = 0x72766f73; // "rvos"
const REGS = { id: 0x00, ctrl: 0x04, load: 0x08, status: 0x0c, count: 0x10 };
const LOAD_US = 100;

/** Relative path -> contents. */
export function deviceFiles(o: ScaffoldOptions): Map<string, string | Uint8Array> {
  const message = `${o.type}: interrupt after ${LOAD_US} us\n`;
  const guest = buildGuest({ base: BASE, irq: IRQ, regs: REGS, idValue: ID_VALUE, loadUs: LOAD_US, message });
  const files = new Map<string, string | Uint8Array>();
  const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

  files.set(
    'package.json',
    json({
      name: o.packageName,
      version: '0.1.0',
      private: true,
      type: 'module',
      description: `${o.type}: an rvos device plugin`,
      rvos: { apiVersion: 1, kind: 'device', entry: 'src/index.ts', provides: [o.type] },
      scripts: { test: 'vitest run', run: 'rvos run --board board.yaml --bios none --kernel guest/demo.bin --headless' },
      devDependencies: { rvos: `file:${o.rvosDir}`, vitest: '^3.2.4' },
    }),
  );

  files.set(
    'tsconfig.json',
    json({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
      include: ['src', 'test'],
    }),
  );

  files.set('.gitignore', 'node_modules/\n');

  files.set(
    'src/index.ts',
    `/**
 * ${o.type}: a one-shot countdown timer with one interrupt line (an rvos device plugin).
 *
 *   0x00 ID      ro   ${'0x' + ID_VALUE.toString(16)} ("rvos")
 *   0x04 CTRL    rw   bit 0 EN: writing 1 starts a countdown of LOAD microseconds; bit 1 IE: interrupt enable
 *   0x08 LOAD    rw   countdown length in microseconds (virtual time)
 *   0x0c STATUS  w1c  bit 0 DONE: set when the countdown ends; write 1 to clear
 *   0x10 COUNT   ro   countdowns ended since reset
 *
 * The interrupt output \`irq\` is high while STATUS.DONE and CTRL.IE are both set. The device sees
 * offsets only: its address and where \`irq\` goes come from the board file (board.yaml).
 */
import type { Device, DeviceContext, PluginApi, PropKit, PropsOf } from 'rvos/plugin-api';

/** Props a board may set on this device (checked by rvos before \`create\`). */
const props = (prop: PropKit) => ({
  maxLoadUs: prop.int({ default: 1_000_000, min: 1, max: 0xffffffff, description: 'largest LOAD value accepted (larger writes are clamped)' }),
});
type Props = PropsOf<ReturnType<typeof props>>;

const CTRL_EN = 1 << 0;
const CTRL_IE = 1 << 1;
const STATUS_DONE = 1 << 0;

export function create${pascal(o.type)}(ctx: DeviceContext<Props>): Device {
  const irq = ctx.output('irq');
  const timer = ctx.clock.createTimer(\`\${ctx.entry.name} countdown\`, () => {
    regs.set('STATUS', regs.get('STATUS') | STATUS_DONE);
    regs.set('CTRL', regs.get('CTRL') & ~CTRL_EN);
    regs.set('COUNT', (regs.get('COUNT') + 1) >>> 0);
    update();
  });

  /** The one place the interrupt output is computed. */
  function update(): void {
    irq.set((regs.get('STATUS') & STATUS_DONE) !== 0 && (regs.get('CTRL') & CTRL_IE) !== 0);
  }

  const regs = ctx.registers({
    sizes: [4],
    aligned: true,
    registers: [
      { name: 'ID', offset: ${REGS.id}, access: 'ro', reset: ${'0x' + ID_VALUE.toString(16)} },
      {
        name: 'CTRL',
        offset: ${REGS.ctrl},
        writeMask: CTRL_EN | CTRL_IE,
        fields: [
          { name: 'EN', bits: [0, 0] },
          { name: 'IE', bits: [1, 1] },
        ],
        write: (value, _i, written) => {
          if (written & CTRL_EN) timer.armAt(ctx.clock.now() + Math.min(regs.get('LOAD'), ctx.props.maxLoadUs) * 1000);
          else if (!(value & CTRL_EN)) timer.cancel();
          update();
        },
      },
      { name: 'LOAD', offset: ${REGS.load} },
      { name: 'STATUS', offset: ${REGS.status}, access: 'w1c', fields: [{ name: 'DONE', bits: [0, 0] }], write: () => update() },
      { name: 'COUNT', offset: ${REGS.count}, access: 'ro' },
    ],
  });

  return {
    name: ctx.entry.name,
    read: (offset, size) => regs.read(offset, size),
    write: (offset, size, value) => regs.write(offset, size, value),
    reset() {
      timer.cancel();
      regs.reset();
      update();
    },
    deviceTree(node) {
      // The core writes reg, compatible and the interrupt properties; add what a driver reads.
      node.u32('clock-frequency', 1_000_000);
    },
    inspect: () => ({ CTRL: regs.get('CTRL'), LOAD: regs.get('LOAD'), STATUS: regs.get('STATUS'), COUNT: regs.get('COUNT') }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: '${o.type}',
    description: 'one-shot countdown timer with an interrupt (rvos plugin template)',
    compatible: ['rvos,${o.type}'],
    props: props(api.prop),
    outputs: { irq: { description: 'high while STATUS.DONE and CTRL.IE are set', required: true } },
    create: create${pascal(o.type)},
  });
}
`,
  );

  files.set(
    'board.yaml',
    `# The virt board with a ${o.type} at ${hex(BASE)}, its interrupt on PLIC source ${IRQ}.
name: virt-${o.type}
description: RISC-V virt with a ${o.type} (rvos plugin template)
extends: virt
devices:
  - { type: ${o.type}, name: ${o.type}0, reg: [${hex(BASE)}, 0x1000], irq: plic:${IRQ} }
`,
  );

  files.set('guest/demo.S', `# Drives the ${o.type} at ${hex(BASE)}: checks its ID, starts a ${LOAD_US} us countdown with the interrupt\n# enabled, takes the interrupt through the PLIC, prints a line and powers off (exit 0; 1 on failure).\n# Bare metal, M-mode, loaded at 0x80000000 (rvos/QEMU --bios none). \`make -C guest\` rebuilds demo.bin.\n    .option norvc\n    .section .text\n    .globl _start\n${guest.source}`);
  files.set('guest/demo.bin', guest.bin);
  files.set(
    'guest/Makefile',
    `# Rebuilds demo.bin from demo.S with clang (Debian: clang lld llvm); rvos wrote the same bytes.
demo.bin: demo.S
\tclang --target=riscv32-unknown-elf -march=rv32ima -mabi=ilp32 -mno-relax -nostdlib -fuse-ld=lld -Wl,-Ttext=0x80000000 -Wl,--no-relax -Wl,--build-id=none -o demo.elf demo.S
\tllvm-objcopy -O binary demo.elf demo.bin
`,
  );

  files.set(
    'test/device.test.ts',
    `import { fileURLToPath } from 'node:url';
import { runMachine } from 'rvos/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('${o.type}', () => {
  it('interrupts the guest once its countdown ends', async () => {
    const r = await runMachine({ board: 'board.yaml', kernel: 'guest/demo.bin', bios: 'none', plugins: [root], cwd: root });
    expect(r.output).toBe(${JSON.stringify(message)});
    expect(r.exitCode).toBe(0);
  });
});
`,
  );

  files.set(
    'test/registers.test.ts',
    `import { instantiate, loadDevicePlugin } from 'rvos/testing';
import { describe, expect, it } from 'vitest';
import { register } from '../src/index.js';

// The device alone, built as the machine builds it, on a bus the test drives (no guest needed).
const type = loadDevicePlugin(register).get('${o.type}')!;

describe('${o.type} registers', () => {
  it('identifies itself and ignores writes to ID', () => {
    const dut = instantiate(type);
    expect(dut.read(${hexLiteral(REGS.id)})).toBe(${hexLiteral(ID_VALUE)});
    dut.write(${hexLiteral(REGS.id)}, 0);
    expect(dut.read(${hexLiteral(REGS.id)})).toBe(${hexLiteral(ID_VALUE)});
  });

  it('raises irq when a countdown ends with IE set, until STATUS.DONE is cleared', () => {
    const dut = instantiate(type);
    const irq = dut.h.irqs[0];
    dut.write(${hexLiteral(REGS.load)}, 10); // 10 us
    dut.write(${hexLiteral(REGS.ctrl)}, 3); // EN | IE
    dut.h.clock.advanceTo(9_999);
    expect(irq.level).toBe(false);
    dut.h.clock.advanceTo(10_000);
    expect(irq.level).toBe(true);
    expect(dut.read(${hexLiteral(REGS.status)})).toBe(1);
    expect(dut.read(${hexLiteral(REGS.count)})).toBe(1);
    dut.write(${hexLiteral(REGS.status)}, 1); // write 1 to clear
    expect(irq.level).toBe(false);
  });

  it('accepts aligned 32-bit accesses only (the bus refuses others)', () => {
    const dut = instantiate(type);
    expect(dut.faults(${hexLiteral(REGS.ctrl)}, 1)).toBe(true);
    expect(dut.faults(${hexLiteral(REGS.ctrl + 2)}, 4)).toBe(true);
    expect(dut.faults(${hexLiteral(REGS.ctrl)}, 4)).toBe(false);
  });
});
`,
  );

  files.set(
    'README.md',
    `# ${o.packageName}

An [rvos](${'https://www.npmjs.com/package/rvos'}) device plugin: \`${o.type}\`, a one-shot countdown timer with one
interrupt line. Made by \`rvos plugins new\` (rvos ${o.rvosVersion}); change it into your device.

\`\`\`sh
npm install
npm test                 # boots guest/demo.bin on board.yaml and checks what it prints
npm run run              # the same on your terminal: rvos run --board board.yaml --bios none --kernel guest/demo.bin
rvos plugins inspect ${o.type}   # its props and outputs as rvos sees them (from this folder)
\`\`\`

- \`src/index.ts\`: the device. \`register(api)\` defines the type: its props (checked by rvos before
  \`create\`), its named interrupt output, and \`create(ctx)\`, which builds the register map (the bus enforces
  its access sizes) and returns the device. Types come from \`rvos/plugin-api\`.
- \`board.yaml\`: \`virt\` plus this device at ${hex(BASE)}, \`irq: plic:${IRQ}\`. The device-tree node is generated.
- \`guest/demo.S\`: a bare-metal program that drives it; \`guest/demo.bin\` is its binary (\`make -C guest\`
  rebuilds it with clang).
- \`test/device.test.ts\`: a whole-machine test through \`rvos/testing\`.

rvos finds this plugin when you run it from this folder (the project is the plugin), with
\`--plugin PATH\`, from \`plugins:\` in an \`rvos.config.yaml\`, or installed as an npm package. See rvos'
docs/plugin-api.md for every call.
`,
  );
  return files;
}

function hexLiteral(x: number): string {
  return '0x' + x.toString(16);
}

function hex(x: number): string {
  return '0x' + x.toString(16).padStart(8, '0');
}

function pascal(type: string): string {
  return type
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
