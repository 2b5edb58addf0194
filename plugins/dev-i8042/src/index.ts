/**
 * Intel 8042 PS/2 keyboard controller (QEMU 7.2 hw/input/pckbd.c as the reference), with a PS/2
 * keyboard (ps2-keyboard.ts) and a minimal mouse (ps2-mouse.ts). Windows: 0 = data port (0x60),
 * 1 = status/command port (0x64), byte accesses.
 *
 * One output buffer holds the next byte for the CPU: a controller reply first, else the keyboard's
 * queue (unless the keyboard port is disabled), else the mouse's. OBF raises `kbd` (IRQ 1) or, for a
 * mouse byte, `aux` (IRQ 12) when the command byte enables it; reading port 0x60 takes the byte and
 * refills the buffer. The output port (command 0xD1) drives `a20` and, with bit 0 clear, resets the
 * machine, as do the pulse commands 0xF0-0xFE with bit 0 clear. Host bytes from the device's chardev
 * become key presses when the keyboard scans and has room (they wait in the chardev otherwise).
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import { Ps2Keyboard } from './ps2-keyboard.js';
import { Ps2Mouse } from './ps2-mouse.js';

const STAT_OBF = 0x01, STAT_SELFTEST = 0x04, STAT_CMD = 0x08, STAT_UNLOCKED = 0x10, STAT_MOUSE_OBF = 0x20;
const MODE_KBD_INT = 0x01, MODE_MOUSE_INT = 0x02, MODE_DISABLE_KBD = 0x10, MODE_DISABLE_MOUSE = 0x20, MODE_KCC = 0x40;
const OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_OBF = 0x10, OUT_MOUSE_OBF = 0x20, OUT_ONES = 0xcc;

const props = (prop: PropKit) => ({
  afterBios: prop.bool({
    default: false,
    description: 'start as SeaBIOS leaves the controller (command byte 0x61: translation, keyboard IRQ, mouse off; status 0x1c) for kernels booted without a BIOS',
  }),
});
type Props = PropsOf<ReturnType<typeof props>>;

export function createI8042(ctx: DeviceContext<Props>): Device {
  const name = ctx.entry.name;
  const kbdIrq = ctx.output('kbd');
  const auxIrq = ctx.output('aux');
  const a20 = ctx.output('a20');
  const chr = ctx.chardev();
  const keyboard = new Ps2Keyboard();
  const mouse = new Ps2Mouse();
  let mode = 0;
  let status = 0;
  let outport = 0;
  /** The controller command waiting for its data byte (0: none). */
  let writeCommand = 0;
  /** Controller replies, each for the keyboard or the aux side. */
  const replies: Array<{ value: number; aux: boolean }> = [];
  let obData = 0;

  const log = (message: string) => {
    if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message });
  };

  function powerOn(): void {
    mode = MODE_KBD_INT | MODE_MOUSE_INT;
    status = STAT_CMD | STAT_UNLOCKED;
    outport = OUT_RESET | OUT_A20 | OUT_ONES;
    writeCommand = 0;
    replies.length = 0;
    keyboard.reset();
    mouse.reset();
    if (ctx.props.afterBios) {
      mode = MODE_KCC | MODE_DISABLE_MOUSE | MODE_KBD_INT;
      status = STAT_SELFTEST | STAT_CMD | STAT_UNLOCKED;
    }
    keyboard.translate = (mode & MODE_KCC) !== 0;
    a20.set(true);
    refill();
  }

  /** Fills the output buffer from the next source with data, and computes the interrupt lines (kbd_update_irq). */
  function refill(): void {
    if (!(status & STAT_OBF)) {
      const reply = replies.shift();
      if (reply) load(reply.value, reply.aux);
      else {
        if (!(mode & MODE_DISABLE_KBD)) takeHostInput();
        if (!(mode & MODE_DISABLE_KBD) && keyboard.queue.length > 0) load(keyboard.queue.shift()!, false);
        else if (!(mode & MODE_DISABLE_MOUSE) && mouse.queue.length > 0) load(mouse.queue.shift()!, true);
      }
    }
    const full = (status & STAT_OBF) !== 0;
    const aux = (status & STAT_MOUSE_OBF) !== 0;
    const kbdLevel = full && !aux && (mode & MODE_KBD_INT) !== 0;
    const auxLevel = full && aux && (mode & MODE_MOUSE_INT) !== 0;
    outport = (outport & ~(OUT_OBF | OUT_MOUSE_OBF)) | (kbdLevel ? OUT_OBF : 0) | (auxLevel ? OUT_MOUSE_OBF : 0);
    kbdIrq.set(kbdLevel);
    auxIrq.set(auxLevel);
  }
  function load(value: number, aux: boolean): void {
    obData = value;
    status = (status | STAT_OBF) & ~STAT_MOUSE_OBF;
    if (aux) status |= STAT_MOUSE_OBF;
  }
  function takeHostInput(): void {
    while (keyboard.canType()) {
      const byte = chr.read();
      if (byte < 0) return;
      keyboard.type(byte);
    }
  }
  chr.onInput(() => refill());

  function reply(value: number, aux = false): void {
    replies.push({ value, aux });
  }

  function writeOutport(value: number): void {
    outport = value;
    a20.set((value & OUT_A20) !== 0);
    if (!(value & OUT_RESET)) ctx.machine.reset(`${name}: output port reset line (0x${value.toString(16)})`);
  }

  function command(value: number): void {
    // 0xF0-0xFF pulse output port bits 3-0 low for 6 µs: bit 0 is the reset line.
    if (value >= 0xf0) {
      if (!(value & 1)) ctx.machine.reset(`${name}: reset pulse (command 0x${value.toString(16)})`);
      return;
    }
    switch (value) {
      case 0x20:
        reply(mode);
        break;
      case 0x60:
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        writeCommand = value;
        break;
      case 0xa7:
        mode |= MODE_DISABLE_MOUSE;
        break;
      case 0xa8:
        mode &= ~MODE_DISABLE_MOUSE;
        break;
      case 0xa9: // aux interface test: no error
        reply(0x00);
        break;
      case 0xaa: // controller self-test: passed
        status |= STAT_SELFTEST;
        reply(0x55);
        break;
      case 0xab: // keyboard interface test: no error
        reply(0x00);
        break;
      case 0xad:
        mode |= MODE_DISABLE_KBD;
        break;
      case 0xae:
        mode &= ~MODE_DISABLE_KBD;
        break;
      case 0xc0: // input port: keyboard not inhibited
        reply(0x80);
        break;
      case 0xd0:
        reply(outport);
        break;
      case 0xdd: // A20 off / on (QEMU accepts these HP-style commands)
        writeOutport(outport & ~OUT_A20);
        break;
      case 0xdf:
        writeOutport(outport | OUT_A20);
        break;
      default:
        log(`unsupported controller command 0x${value.toString(16)}`);
    }
    refill();
  }

  function writeData(value: number): void {
    const cmd = writeCommand;
    writeCommand = 0;
    switch (cmd) {
      case 0:
        keyboard.write(value);
        mode &= ~MODE_DISABLE_KBD; // sending to the keyboard enables its port again (QEMU)
        break;
      case 0x60:
        mode = value;
        keyboard.translate = (mode & MODE_KCC) !== 0;
        break;
      case 0xd1:
        writeOutport(value);
        break;
      case 0xd2:
        reply(value);
        break;
      case 0xd3:
        reply(value, true);
        break;
      case 0xd4:
        mouse.write(value);
        mode &= ~MODE_DISABLE_MOUSE; // likewise for the mouse (QEMU)
        break;
    }
    refill();
  }

  function readData(): number {
    const value = obData;
    if (status & STAT_OBF) {
      status &= ~(STAT_OBF | STAT_MOUSE_OBF);
      // The line drops before the next byte raises it again (kbd_deassert_irq): a new edge for the 8259A.
      kbdIrq.set(false);
      auxIrq.set(false);
      refill();
    }
    return value;
  }

  const regs = [
    ctx.registers({ sizes: [1], extent: 1, registers: [{ name: 'DATA', offset: 0, width: 1, read: () => readData(), write: (v: number) => writeData(v & 0xff) }] }, 0),
    ctx.registers({ sizes: [1], extent: 1, registers: [{ name: 'STATUS_CMD', offset: 0, width: 1, read: () => status, write: (v: number) => command(v & 0xff) }] }, 1),
  ];

  powerOn();
  return {
    name,
    read: (offset: number, size: AccessSize, region: number) => regs[region].read(offset, size),
    write: (offset: number, size: AccessSize, value: number, region: number) => regs[region].write(offset, size, value),
    reset: powerOn,
    inspect: () => ({
      status,
      'command byte': mode,
      'output port': outport,
      'scan code set': keyboard.scancodeSet,
      scanning: keyboard.scanEnabled ? 'on' : 'off',
      leds: keyboard.leds,
    }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'i8042',
    description: 'i8042 PS/2 controller (ports 0x60/0x64) with a keyboard fed from its chardev, a minimal mouse, A20 and reset',
    props: props(api.prop),
    outputs: {
      kbd: { description: 'keyboard output buffer full (IRQ 1 on the PC)' },
      aux: { description: 'mouse output buffer full (IRQ 12 on the PC)' },
      a20: { description: 'output port bit 1: the A20 gate (high = enabled)' },
    },
    create: createI8042,
  });
}
