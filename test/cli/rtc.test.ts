import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';
import { cmosDateBios } from '../helpers/cmos-bios.js';

const hello = join(import.meta.dirname, '../../kernels/tests/build/hello.elf');
const bios = join(mkdtempSync(join(tmpdir(), 'rvos-cli-rtc-')), 'cmos-date.bin');
writeFileSync(bios, cmosDateBios());

describe('rvos run --rtc / --global (QEMU\'s -rtc base= and -global)', () => {
  it('the guest reads the date --rtc base= gives, on every run', async () => {
    const r = await rvos(['run', '--board', 'pc', '--bios', bios, '--rtc', 'base=2006-06-17T16:01:21', '--timeout', '60']);
    expect(r.stderr).toMatch(/^\nrvos: guest powered off with code 1 /);
    expect(r.stdout).toBe('20 06 06 17 07 16 01 21 \n');
    expect(r.code).toBe(1);
    const g = await rvos(['run', '--board', 'pc', '--bios', bios, '--global', 'mc146818-rtc.base=2010-02-03', '--timeout', '60']);
    expect(g.stdout).toBe('20 10 02 03 04 00 00 00 \n');
  });

  it('bad input is one line naming the flag, and exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--board', 'pc', '--bios', bios, '--rtc', '2006-06-17'], '--rtc 2006-06-17: expected base=utc|localtime|YYYY-MM-DD[THH:MM:SS][,clock=vm][,driftfix=none] (did you mean base=2006-06-17?)'],
      [['--board', 'pc', '--bios', bios, '--rtc', 'base=2006-13-01'], '--rtc base=2006-13-01: device rtc (mc146818-rtc): base: expected utc, localtime or a date like 2006-06-17T16:01:21, got "2006-13-01"'],
      [['--board', 'pc', '--bios', bios, '--rtc', 'base=utc,clock=host'], "--rtc base=utc,clock=host: clock=host is not supported: the RTC counts the machine's time (clock=vm), which --clock realtime makes the host's"],
      [['--board', 'pc', '--bios', bios, '--global', 'rtc.date=2006-06-17'], '--global rtc.date=2006-06-17: device rtc (mc146818-rtc) has no prop "date" (mc146818-rtc takes base; every device takes console)'],
      [['--board', 'virt', '--bios', 'none', '--kernel', hello, '--rtc', 'base=utc'], '--rtc base=utc: board virt has no real-time clock device'],
    ];
    for (const [args, message] of cases) {
      const r = await rvos(['run', '--headless', ...args]);
      expect(r.stderr).toBe(`rvos: ${message}\n`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});
