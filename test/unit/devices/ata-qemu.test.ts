/**
 * rvos' ATA channel against QEMU 7.2: the probe of test/helpers/ata-probe.ts replayed through the
 * device must give the transcript QEMU gave (test/fixtures/ata-qemu/probe.expected, recorded by
 * test/qemu/ata.test.ts), line for line, except the deviations listed here on purpose.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BackendType, BlockImage, PluginApi } from '../../../src/core/api.js';
import { register } from '../../../plugins/dev-ata/src/index.js';
import { diskImage, parseTranscript, replayProbe } from '../../helpers/ata-probe.js';
import { instantiate } from '../../helpers/device-context.js';

let ataType!: Parameters<typeof instantiate>[0];
let diskType!: BackendType;
void register({ apiVersion: 1, prop: {}, defineDevice: (t: typeof ataType) => (ataType = t), defineBackend: (b: BackendType) => (diskType = b) } as unknown as PluginApi);

/** Transcript line -> [QEMU, rvos] where rvos differs on purpose. */
const DEVIATIONS: Record<number, [string, string, string]> = {
  51: ['5145', '5256', 'model "RVOS HARDDISK"'],
  52: ['4d55', '4f53', 'model "RVOS HARDDISK"'],
  93: ['4000', '0000', 'IDENTIFY word 69: no TRIM (no DATA SET MANAGEMENT)'],
  193: ['0001', '0000', 'IDENTIFY word 169: no TRIM'],
  304: ['04', '10', 'past the end: IDNF (ATA-6), QEMU says ABRT'],
  308: ['04', '10', 'past the end: IDNF'],
  315: ['04', '10', 'CHS sector 0: IDNF'],
  559: ['5145', '5256', 'model'],
  560: ['4d55', '4f53', 'model'],
  591: ['0110', '0104', 'IDENTIFY word 59 follows SET MULTIPLE MODE (QEMU keeps the first IDENTIFY)'],
  601: ['4000', '0000', 'word 69'],
  701: ['0001', '0000', 'word 169'],
};

describe('ata channel against QEMU 7.2', () => {
  it('replays the port probe with the transcript qemu-system-i386 gave, but for the listed deviations', () => {
    const data = diskImage();
    const image: BlockImage = {
      path: 'probe.img',
      size: data.length,
      readOnly: false,
      read: (off, dst) => (dst.set(data.subarray(off, off + dst.length)), true),
      write: (off, src) => (data.set(src, off), true),
      flush: () => true,
      close: () => {},
    };
    const d = instantiate(ataType, { name: 'ide0', io: [[0x1f0, 8], [0x3f6, 1]] });
    d.device.slot!.attach(diskType, { id: 'drive0', image, options: {} });
    const at = (port: number) => (port === 0x3f6 ? [0, 1] : [port - 0x1f0, 0]);
    const got = replayProbe({
      in: (port, size) => d.read(at(port)[0], size, at(port)[1]),
      out: (port, size, value) => d.write(at(port)[0], value, size, at(port)[1]),
      busy: () => (d.read(0, 1, 1) & 0x80) !== 0,
      irq: () => d.h.irqs[0].level,
    });
    const qemu = parseTranscript(readFileSync(new URL('../../fixtures/ata-qemu/probe.expected', import.meta.url), 'latin1'));
    expect(qemu.length).toBe(835);
    const expected = qemu.map((line, i) => {
      const dev = DEVIATIONS[i];
      if (!dev) return line;
      expect(line.endsWith(`: ${dev[0]}`), `line ${i} of the QEMU transcript: ${line}`).toBe(true);
      return line.replace(/[0-9a-f]+$/, dev[1]);
    });
    expect(got).toEqual(expected);
  });
});
