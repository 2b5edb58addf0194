/**
 * SD Host Controller (SD Host Controller Simplified Specification 3.00; QEMU hw/sd/sdhci.c as the
 * reference peer), the Raspberry Pi's Arasan "EMMC" controller at 0x3F300000, in PIO mode: a slot
 * of interface "sd" for the `sd-card` backend (`--drive ...,if=sd`).
 *
 * Registers (bytes 0x00-0xFF, any aligned 1/2/4-byte access): SDMA address/argument 2 0x00, block
 * size 0x04, block count 0x06, argument 0x08, transfer mode 0x0C, command 0x0E (writing its high
 * byte sends the command, spec 2.2.6), responses 0x10-0x1C, buffer data port 0x20, present state
 * 0x24, host control 0x28, power 0x29, clock control 0x2C, timeout 0x2E, software reset 0x2F,
 * normal/error interrupt status 0x30/0x32 (write 1 to clear), their status enables 0x34/0x36 and
 * signal enables 0x38/0x3A, auto-CMD error 0x3C, host control 2 0x3E, capabilities 0x40, max current
 * 0x48, slot interrupt status 0xFC, version 0xFE.
 *
 * Commands complete at once. Data moves through the data port 4 bytes at a time (buffer read/write
 * ready per block, transfer complete after the last, auto CMD12 when asked). The capabilities
 * (`capabilities` prop, QEMU raspi's 0x052134B4) offer no DMA, so guests use PIO as they do on the
 * Pi (U-Boot's and Linux's bcm2835 drivers); SDMA/ADMA are not modelled. R2 responses are stored
 * without their CRC byte (bits 127:8 in RESP bits 119:0). A command that gets no answer (no card,
 * illegal command) ends with a command-timeout error.
 *
 * Output `irq`: (normal status & signal enable) | (error status & error signal enable) != 0.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';
import type { SdCard } from '../../dev-sd-card/src/card.js';
import { SdCardSlot } from '../../dev-sd-card/src/slot.js';

// Normal interrupt status bits (spec 2.2.17).
const INT_CMD_COMPLETE = 1 << 0;
const INT_TRANSFER_COMPLETE = 1 << 1;
const INT_BUFFER_WRITE_READY = 1 << 4;
const INT_BUFFER_READ_READY = 1 << 5;
const INT_ERROR = 1 << 15;
const ERR_CMD_TIMEOUT = 1 << 0;

const TM_BLOCK_COUNT_ENABLE = 1 << 1;
const TM_AUTO_CMD12 = 1 << 2;
const TM_READ = 1 << 4;
const TM_MULTI = 1 << 5;

const PS_CMD_INHIBIT = 1 << 0;
const PS_DAT_INHIBIT = 1 << 1;
const PS_DAT_ACTIVE = 1 << 2;
const PS_WRITE_ACTIVE = 1 << 8;
const PS_READ_ACTIVE = 1 << 9;
const PS_BUFFER_WRITE = 1 << 10;
const PS_BUFFER_READ = 1 << 11;

const sdhciProps = (prop: PropKit) => ({
  capabilities: prop.int({ default: 0x052134b4, min: 0, max: 0xffffffff, description: 'capabilities register (QEMU raspi BCM2835_SDHC_CAPAREG: 52 MHz base clock, 1024-byte blocks, high speed, 3.3/1.8 V, no DMA)' }),
  version: prop.int({ default: 0x2402, min: 0, max: 0xffff, description: 'host controller version register (QEMU: vendor 0x24, spec 3.00)' }),
});
export type SdhciProps = PropsOf<ReturnType<typeof sdhciProps>>;

export function createSdhci(ctx: DeviceContext<SdhciProps>): Device {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const r = new Uint8Array(0x100);
  const view = new DataView(r.buffer);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const set16 = (o: number, v: number) => view.setUint16(o, v & 0xffff, true);
  const set32 = (o: number, v: number) => view.setUint32(o, v >>> 0, true);
  const slot = new SdCardSlot(name, () => update());

  // Transfer state.
  let blocksLeft = 0;
  let bytesLeftInBlock = 0;
  let reading = false;
  let transferring = false;
  let presentExtra = 0;

  function resetRegisters(): void {
    r.fill(0);
    set32(0x40, ctx.props.capabilities);
    set32(0x48, 0x00000001); // max current at 3.3 V: 4 mA steps, nominal
    set16(0xfe, ctx.props.version);
    transferring = false;
    presentExtra = 0;
  }

  function present(): number {
    let v = presentExtra | (1 << 17) | (0xf << 20) | (1 << 24); // stable, DAT and CMD lines high
    if (slot.card) v |= (1 << 16) | (1 << 18) | (1 << 19); // inserted, detect, not write-protected
    return v >>> 0;
  }

  /** The one place computing the output. */
  function update(): void {
    const normal = u16(0x30) & ~INT_ERROR;
    const error = u16(0x32);
    const normalAll = normal | (error !== 0 ? INT_ERROR : 0);
    set16(0x30, normalAll);
    irq.set((normalAll & u16(0x38)) !== 0 || (error & u16(0x3a)) !== 0);
  }

  function raise(bits: number): void {
    set16(0x30, u16(0x30) | (bits & u16(0x34)));
  }
  function raiseError(bits: number): void {
    set16(0x32, u16(0x32) | (bits & u16(0x36)));
  }

  function storeResponse(res: ReturnType<SdCard['command']>): void {
    if (!res) return;
    if (res.kind === 'r2' && res.bytes) {
      for (let i = 0; i < 15; i++) r[0x10 + i] = res.bytes[14 - i];
      r[0x1f] = 0;
    } else set32(0x10, res.value);
  }

  function finishTransfer(): void {
    transferring = false;
    presentExtra = 0;
    const mode = u16(0x0c);
    if (mode & TM_AUTO_CMD12 && mode & TM_MULTI && slot.card) {
      const res = slot.card.command(12, 0);
      if (res) set32(0x1c, res.value); // auto CMD12's response goes to RESP[127:96]
    }
    raise(INT_TRANSFER_COMPLETE);
  }

  function nextBlock(): void {
    bytesLeftInBlock = u16(0x04) & 0xfff;
    if (reading) {
      presentExtra = PS_DAT_INHIBIT | PS_DAT_ACTIVE | PS_READ_ACTIVE | PS_BUFFER_READ;
      raise(INT_BUFFER_READ_READY);
    } else {
      presentExtra = PS_DAT_INHIBIT | PS_DAT_ACTIVE | PS_WRITE_ACTIVE | PS_BUFFER_WRITE;
      raise(INT_BUFFER_WRITE_READY);
    }
  }

  function sendCommand(): void {
    const cmd = u16(0x0e);
    const index = (cmd >> 8) & 0x3f;
    const responseType = cmd & 3;
    const dataPresent = (cmd & (1 << 5)) !== 0;
    const res = slot.card?.command(index, u32(0x08));
    if (responseType !== 0 && !res) {
      raiseError(ERR_CMD_TIMEOUT);
      update();
      return;
    }
    storeResponse(res);
    raise(INT_CMD_COMPLETE);
    if (dataPresent && slot.card) {
      const mode = u16(0x0c);
      reading = (mode & TM_READ) !== 0;
      const count = mode & TM_MULTI ? (mode & TM_BLOCK_COUNT_ENABLE ? u16(0x06) : Infinity) : 1;
      blocksLeft = count;
      transferring = blocksLeft > 0;
      if (transferring) nextBlock();
    }
    update();
  }

  function dataPortRead(size: number): number {
    if (!transferring || !reading || !slot.card) return 0;
    let v = 0;
    for (let i = 0; i < size && bytesLeftInBlock > 0; i++, bytesLeftInBlock--) v |= slot.card.readByte() << (8 * i);
    if (bytesLeftInBlock === 0) {
      presentExtra &= ~PS_BUFFER_READ;
      blocksLeft--;
      if (u16(0x0c) & TM_BLOCK_COUNT_ENABLE && u16(0x0c) & TM_MULTI) set16(0x06, u16(0x06) - 1);
      if (blocksLeft > 0) nextBlock();
      else finishTransfer();
      update();
    }
    return v >>> 0;
  }

  function dataPortWrite(size: number, value: number): void {
    if (!transferring || reading || !slot.card) return;
    for (let i = 0; i < size && bytesLeftInBlock > 0; i++, bytesLeftInBlock--) slot.card.writeByte((value >>> (8 * i)) & 0xff);
    if (bytesLeftInBlock === 0) {
      presentExtra &= ~PS_BUFFER_WRITE;
      blocksLeft--;
      if (u16(0x0c) & TM_BLOCK_COUNT_ENABLE && u16(0x0c) & TM_MULTI) set16(0x06, u16(0x06) - 1);
      if (blocksLeft > 0) nextBlock();
      else finishTransfer();
      update();
    }
  }

  function read(offset: number, size: AccessSize): number {
    if (offset >= 0x20 && offset < 0x24) return dataPortRead(size);
    if (offset >= 0x24 && offset < 0x28) set32(0x24, present());
    if (offset <= 0x2c && offset + size > 0x2c) {
      // Internal clock stable follows internal clock enable.
      const clk = u16(0x2c);
      set16(0x2c, clk & 1 ? clk | 2 : clk & ~2);
    }
    let v = 0;
    for (let i = 0; i < size; i++) v |= r[offset + i] << (8 * i);
    return v >>> 0;
  }

  /** Bytes a guest may not change: present state, capabilities, max current, version, slot status. */
  const readOnly = (o: number) => (o >= 0x24 && o < 0x28) || (o >= 0x40 && o < 0x50) || o >= 0xfc || (o >= 0x10 && o < 0x20);

  function write(offset: number, size: AccessSize, value: number): void {
    if (offset >= 0x20 && offset < 0x24) return dataPortWrite(size, value);
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const b = (value >>> (8 * i)) & 0xff;
      if (readOnly(o)) continue;
      if (o === 0x30 || o === 0x31 || o === 0x32 || o === 0x33) r[o] &= ~b; // write 1 to clear
      else if (o === 0x2f) softwareReset(b);
      else r[o] = b;
    }
    // Turning a status enable off clears the bits it covered (spec 2.2.19).
    set16(0x30, u16(0x30) & (u16(0x34) | INT_ERROR));
    set16(0x32, u16(0x32) & u16(0x36));
    if (offset <= 0x0f && offset + size > 0x0f) sendCommand();
    update();
  }

  function softwareReset(bits: number): void {
    if (bits & 1) {
      resetRegisters();
      return;
    }
    if (bits & 4) {
      transferring = false;
      presentExtra = 0;
    }
    // Reset bits clear themselves: r[0x2f] stays 0.
  }

  const names: RegisterMap = ctx.registers({
    sizes: [1, 2, 4],
    aligned: true,
    extent: 0x100,
    registers: [
      ['SDMA_ADDRESS', 0x00, 4],
      ['BLOCK_SIZE', 0x04, 2],
      ['BLOCK_COUNT', 0x06, 2],
      ['ARGUMENT', 0x08, 4],
      ['TRANSFER_MODE', 0x0c, 2],
      ['COMMAND', 0x0e, 2],
      ['RESPONSE0', 0x10, 4],
      ['RESPONSE1', 0x14, 4],
      ['RESPONSE2', 0x18, 4],
      ['RESPONSE3', 0x1c, 4],
      ['BUFFER_DATA', 0x20, 4],
      ['PRESENT_STATE', 0x24, 4],
      ['HOST_CONTROL', 0x28, 1],
      ['POWER_CONTROL', 0x29, 1],
      ['BLOCK_GAP', 0x2a, 1],
      ['WAKEUP', 0x2b, 1],
      ['CLOCK_CONTROL', 0x2c, 2],
      ['TIMEOUT_CONTROL', 0x2e, 1],
      ['SOFTWARE_RESET', 0x2f, 1],
      ['NORMAL_INT_STATUS', 0x30, 2],
      ['ERROR_INT_STATUS', 0x32, 2],
      ['NORMAL_INT_ENABLE', 0x34, 2],
      ['ERROR_INT_ENABLE', 0x36, 2],
      ['NORMAL_SIGNAL_ENABLE', 0x38, 2],
      ['ERROR_SIGNAL_ENABLE', 0x3a, 2],
      ['AUTO_CMD_ERROR', 0x3c, 2],
      ['HOST_CONTROL2', 0x3e, 2],
      ['CAPABILITIES', 0x40, 4],
      ['CAPABILITIES_HI', 0x44, 4],
      ['MAX_CURRENT', 0x48, 4],
      ['SLOT_INT_STATUS', 0xfc, 2],
      ['VERSION', 0xfe, 2],
    ].map(([n, offset, width]) => ({ name: n as string, offset: offset as number, width: width as 1 | 2 | 4 })),
  });
  void names; // names registers for traces and sets the window's access rules; accesses go below


  resetRegisters();
  return {
    name,
    slot,
    read,
    write,
    reset(): void {
      resetRegisters();
      slot.card?.reset();
      update();
    },
    // The card's image closes with the controller holding it at the end (the GPIO may move it).
    close: () => slot.card?.close(),
    inspect: () => ({
      card: slot.card ? 'inserted' : 'none',
      'normal status': u16(0x30),
      'error status': u16(0x32),
      transfer: transferring ? `${reading ? 'read' : 'write'}, ${blocksLeft} blocks left` : 'idle',
    }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'sdhci',
    description: 'SD host controller (SDHCI 3.00, PIO), a slot for an sd-slot.card drive (Raspberry Pi EMMC)',
    compatible: ['brcm,bcm2835-sdhci'],
    nodeName: 'mmc',
    props: sdhciProps(api.prop),
    outputs: { irq: { description: 'an enabled normal or error interrupt is pending (GPU IRQ 62 on the Pi)' } },
    create: createSdhci,
  });
}
