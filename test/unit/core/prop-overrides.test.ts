import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceType } from '../../../src/core/api.js';
import type { CaptureBackend } from '../../../src/core/chardev.js';
import { loadBoard } from '../../../src/core/board.js';
import { createSession } from '../../../src/core/session.js';
import { applyPropOverrides, parseGlobalSpec, parseRtcSpec, propFromText, type PropOverride } from '../../../src/core/prop-overrides.js';
import { checkPropSchema, createPropKit } from '../../../src/core/props.js';
import { cmosDateBios } from '../../helpers/cmos-bios.js';

const prop = createPropKit();

describe('--global and --rtc specs', () => {
  it('--global takes TYPE.PROP=VALUE, NAME.PROP=VALUE and QEMU\'s driver=,property=,value= form', () => {
    expect(parseGlobalSpec('mc146818-rtc.base=2006-06-17')).toEqual({ flag: '--global mc146818-rtc.base=2006-06-17', target: 'mc146818-rtc', prop: 'base', value: '2006-06-17' });
    expect(parseGlobalSpec('com1.baudbase=')).toMatchObject({ target: 'com1', prop: 'baudbase', value: '' });
    expect(parseGlobalSpec('driver=ns16550a,property=baudbase,value=9600')).toMatchObject({ target: 'ns16550a', prop: 'baudbase', value: '9600' });
    for (const bad of ['com1', 'com1.baudbase', '.x=1', 'com1=1']) {
      expect(() => parseGlobalSpec(bad)).toThrow(`--global ${bad}: expected TYPE.PROP=VALUE, NAME.PROP=VALUE or driver=TYPE,property=PROP,value=VALUE`);
    }
  });

  it('--rtc takes base=, and clock=vm / driftfix=none (what rvos does); refuses the rest in one line', () => {
    expect(parseRtcSpec('base=utc')).toEqual({ flag: '--rtc base=utc', value: 'utc' });
    expect(parseRtcSpec('base=2006-06-17T16:01:21,clock=vm,driftfix=none')).toEqual({ flag: '--rtc base=2006-06-17T16:01:21,clock=vm,driftfix=none', value: '2006-06-17T16:01:21' });
    expect(parseRtcSpec('clock=vm')).toEqual({ flag: '--rtc clock=vm', value: undefined });
    expect(() => parseRtcSpec('2006-06-17')).toThrow('--rtc 2006-06-17: expected base=utc|localtime|YYYY-MM-DD[THH:MM:SS][,clock=vm][,driftfix=none] (did you mean base=2006-06-17?)');
    expect(() => parseRtcSpec('base=utc,clock=host')).toThrow("--rtc base=utc,clock=host: clock=host is not supported: the RTC counts the machine's time (clock=vm)");
    expect(() => parseRtcSpec('clock=rt')).toThrow('clock=rt is not supported');
    expect(() => parseRtcSpec('clock=wall')).toThrow('--rtc clock=wall: clock: expected vm, got "wall"');
    expect(() => parseRtcSpec('driftfix=slew')).toThrow('--rtc driftfix=slew: driftfix=slew is not supported');
    expect(() => parseRtcSpec('base=utc,speed=2')).toThrow('--rtc base=utc,speed=2: unknown option "speed"');
  });

  it('turns text into a prop value of its kind, as QEMU\'s -global (on/off for booleans)', () => {
    const int = prop.int({ description: 'n' });
    expect(propFromText(int, '0x10')).toEqual({ value: 16 });
    expect(propFromText(int, '-12')).toEqual({ value: -12 });
    expect(propFromText(int, '1_843_200')).toEqual({ value: 1843200 });
    expect(propFromText(int, '1.5')).toEqual({ problem: 'expected an integer, got "1.5"' });
    expect(propFromText(prop.number({ description: 'x' }), '0.25')).toEqual({ value: 0.25 });
    expect(propFromText(prop.number({ description: 'x' }), ' ')).toEqual({ problem: 'expected a number, got " "' });
    const bool = prop.bool({ description: 'b' });
    expect(['on', 'true', 'yes', 'off', 'false', 'no'].map((t) => propFromText(bool, t))).toEqual([true, true, true, false, false, false].map((value) => ({ value })));
    expect(propFromText(bool, '1')).toEqual({ problem: 'expected on or off, got "1"' });
    expect(propFromText(prop.string({ description: 's' }), '')).toEqual({ value: '' });
    const en = prop.enum(['fast', 2], { description: 'e' });
    expect(propFromText(en, '2')).toEqual({ value: 2 });
    expect(propFromText(en, 'slow')).toEqual({ problem: 'expected one of fast, 2, got "slow"' });
  });

  it('a string prop\'s check must be a function; defaults pass it', () => {
    expect(() => checkPropSchema({ s: { ...prop.int({ description: 'n' }), check: () => undefined } })).toThrow('props.s: check must be a function, on a string prop');
    expect(() => checkPropSchema({ s: prop.string({ description: 's', default: 'x', check: (v) => (v === 'ok' ? undefined : 'not ok') }) })).toThrow('props.s: bad default: not ok');
  });
});

describe('applyPropOverrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-overrides-'));
  const file = join(dir, 'b.yaml');
  writeFileSync(
    file,
    [
      'name: b',
      'arch: rv32',
      'memory: { base: 0x80000000, size: 1MiB }',
      'devices:',
      '  - { type: clock, name: rtc0, reg: [0x1000, 0x10], props: { date: "2000-01-01" } }',
      '  - { type: clock, name: rtc1, reg: [0x2000, 0x10] }',
      '  - { type: uart, name: u0, reg: [0x3000, 0x10], props: { baud: 9600 } }',
      '',
    ].join('\n'),
  );
  const board = loadBoard(file);
  const types: Record<string, DeviceType> = {
    clock: {
      type: 'clock',
      description: 'an RTC',
      rtcBaseProp: 'date',
      props: { date: prop.string({ default: 'utc', description: 'date', check: (v) => (/^(utc|\d{4}-\d\d-\d\d)$/.test(v) ? undefined : `not a date: "${v}"`) }) },
      create: () => ({ name: 'clock' }),
    },
    uart: { type: 'uart', description: 'a UART', props: { baud: prop.int({ default: 115200, min: 50, description: 'baud' }), fifo: prop.bool({ default: true, description: 'fifo' }) }, create: () => ({ name: 'uart' }) },
  };
  const apply = (...o: PropOverride[]) => applyPropOverrides(board, o, (t) => types[t]);
  const props = (b: typeof board) => Object.fromEntries(b.devices.map((d) => [d.name, d.props]));

  it('sets a prop of every device of a type, or of one device by name; the last wins', () => {
    expect(props(apply(parseGlobalSpec('clock.date=2006-06-17')))).toEqual({ rtc0: { date: '2006-06-17' }, rtc1: { date: '2006-06-17' }, u0: { baud: 9600 } });
    expect(props(apply(parseGlobalSpec('clock.date=2006-06-17'), parseGlobalSpec('rtc1.date=2010-01-01'), parseGlobalSpec('u0.fifo=off'), parseGlobalSpec('u0.console=on')))).toEqual({
      rtc0: { date: '2006-06-17' },
      rtc1: { date: '2010-01-01' },
      u0: { baud: 9600, fifo: false, console: true },
    });
    expect(props(board)).toEqual({ rtc0: { date: '2000-01-01' }, rtc1: {}, u0: { baud: 9600 } }); // the board is not changed
  });

  it('--rtc base= sets each RTC\'s rtcBaseProp; clock=vm alone only checks the board has one', () => {
    expect(props(apply(parseRtcSpec('base=2006-06-17')))).toEqual({ rtc0: { date: '2006-06-17' }, rtc1: { date: '2006-06-17' }, u0: { baud: 9600 } });
    expect(props(apply(parseRtcSpec('clock=vm')))).toEqual(props(board));
    const noRtc = (t: string) => (t === 'clock' ? { ...types.clock, rtcBaseProp: undefined } : types[t]);
    expect(() => applyPropOverrides(board, [parseRtcSpec('clock=vm')], noRtc)).toThrow('--rtc clock=vm: board b has no real-time clock device');
  });

  it('names the flag, the device and the prop in every error', () => {
    expect(() => apply(parseGlobalSpec('timer.x=1'))).toThrow('--global timer.x=1: board b has no device of type or name "timer" (devices: rtc0 (clock), rtc1 (clock), u0 (uart))');
    expect(() => apply(parseGlobalSpec('u0.speed=1'))).toThrow('--global u0.speed=1: device u0 (uart) has no prop "speed" (uart takes baud, fifo; every device takes console)');
    expect(() => apply(parseGlobalSpec('uart.baud=fast'))).toThrow('--global uart.baud=fast: device u0 (uart): baud: expected an integer, got "fast"');
    expect(() => apply(parseGlobalSpec('uart.baud=10'))).toThrow('--global uart.baud=10: device u0 (uart): baud: 10 is below the minimum 50');
    expect(() => apply(parseRtcSpec('base=yesterday'))).toThrow('--rtc base=yesterday: device rtc0 (clock): date: not a date: "yesterday"');
  });
});

describe('the pc board\'s CMOS date from --rtc / --global', () => {
  const bios = join(mkdtempSync(join(tmpdir(), 'rvos-rtc-')), 'cmos-date.bin');
  writeFileSync(bios, cmosDateBios());
  async function readDate(opts: { rtc?: string; globals?: string[]; config?: string }): Promise<string> {
    const s = await createSession({ board: 'pc', bios, serial: 'capture', drives: ['none'], ...opts });
    try {
      const r = await s.machine.run({ maxInsns: 100_000 });
      expect(r.reason).toBe('poweroff');
      return (s.console as CaptureBackend).text;
    } finally {
      await s.close();
    }
  }

  it('--rtc base=DATE is what the guest reads (2006-06-17 was a Saturday: weekday 7)', async () => {
    expect(await readDate({ rtc: 'base=2006-06-17T16:01:21' })).toBe('20 06 06 17 07 16 01 21 \n');
    expect(await readDate({ rtc: 'base=1999-12-31,clock=vm' })).toBe('19 99 12 31 06 00 00 00 \n');
  });

  it('--global sets it by type or by name; --rtc wins over --global', async () => {
    expect(await readDate({ globals: ['mc146818-rtc.base=2010-02-03T04:05:06'] })).toBe('20 10 02 03 04 04 05 06 \n');
    expect(await readDate({ globals: ['rtc.base=2010-02-03'], rtc: 'base=2020-02-29T23:59:59' })).toBe('20 20 02 29 07 23 59 59 \n');
  });

  it('rvos.config.yaml\'s rtc: and global: are defaults the flags override', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-rtc-config-'));
    const config = join(dir, 'rvos.config.yaml');
    writeFileSync(config, 'rtc: base=2010-02-03\nglobal: [ "rtc.base=2000-01-01" ]\n');
    expect(await readDate({ config })).toBe('20 10 02 03 04 00 00 00 \n');
    expect(await readDate({ config, rtc: 'base=2006-06-17' })).toBe('20 06 06 17 07 00 00 00 \n');
    writeFileSync(config, 'global: [ "rtc.base=2000-01-01" ]\n');
    expect(await readDate({ config, globals: ['mc146818-rtc.base=2001-02-03'] })).toBe('20 01 02 03 07 00 00 00 \n');
    expect(await readDate({ config })).toBe('20 00 01 01 07 00 00 00 \n');
    writeFileSync(config, 'board: pc\nrtc: base=tomorrow\n');
    await expect(readDate({ config })).rejects.toThrow(`${config}:2: rtc: base=tomorrow: device rtc (mc146818-rtc): base: expected utc, localtime or a date`);
  });

  it('refuses a bad date before the machine is built, naming the flag', async () => {
    await expect(createSession({ board: 'pc', bios, serial: 'capture', drives: ['none'], rtc: 'base=2006-13-01' })).rejects.toThrow(
      '--rtc base=2006-13-01: device rtc (mc146818-rtc): base: expected utc, localtime or a date like 2006-06-17T16:01:21, got "2006-13-01"',
    );
  });
});
