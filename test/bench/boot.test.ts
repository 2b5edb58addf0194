/** npm run bench's OS boot measurement (boot.ts): the run stops at the shell's first prompt. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OS_BOOTS, PROMPT, runCold } from './boot.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-bench-boot-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench OS boot', () => {
  it('raspi3b: stops at the first prompt, after the ready line', async () => {
    const disk = join(dir, 'sd.img');
    copyFileSync(OS_BOOTS.raspi3b.disk, disk);
    const r = await OS_BOOTS.raspi3b.rvos('interp', disk);
    expect(r.reason).toBe('stopped');
    expect(r.output.endsWith(`\nready: type help for the commands; shutdown or q powers off${PROMPT}`)).toBe(true);
    expect(r.instructions).toBeGreaterThan(0);
    // The interpreter decodes into the core's code cache and translates nothing.
    expect(r.codeCache?.pages).toBeGreaterThan(0);
    expect(r.codeCache?.blocks).toBe(0);
    expect(r.rssBytes).toBeGreaterThan(0);
  });

  it('cold: the command line of the os boot cold row reaches the same prompt in a new rvos process', async () => {
    const disk = join(dir, 'sd-cold.img');
    copyFileSync(OS_BOOTS.raspi3b.disk, disk);
    // The checkout's rvos (the bench runs the installed package's, dist/, which a test run need not have built).
    const r = await runCold('raspi3b', disk, { ...process.env, RVOS_COMPILED: '0' });
    expect(r.timedOut).toBe(false);
    expect(r.output.endsWith(`\nready: type help for the commands; shutdown or q powers off${PROMPT}`)).toBe(true);
    expect(r.wallMs).toBeGreaterThan(0);
  });
});
