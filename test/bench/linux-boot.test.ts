/** npm run bench's linux boot measurement (linux-boot.ts): each row runs under its own engine. */
import { describe, expect, it } from 'vitest';
import { linuxRv32Build } from '../helpers/linux-rv32.js';
import { LINUX_INIT_LINE, rvosBoot } from './linux-boot.js';

const build = linuxRv32Build();

describe.skipIf(!build)('bench linux boot', () => {
  it('the interp row runs the interpreter (the initrd option keeps the engine)', async () => {
    const r = await rvosBoot(build!, 'interp');
    expect(r.reason).toBe('stopped');
    expect(r.output.endsWith(LINUX_INIT_LINE)).toBe(true);
    expect(r.codeCache?.pages).toBeGreaterThan(0);
    expect(r.codeCache?.blocks).toBe(0);
  }, 120_000);
});
