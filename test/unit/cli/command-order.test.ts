/**
 * compareCommandIds (src/cli/command-order.ts), which the installed CLI's oclif sorts commands with instead of
 * localeCompare (whose first call builds ICU's collator): the same order as localeCompare.
 */
import { describe, expect, it } from 'vitest';
import { compareCommandIds } from '../../../src/cli/command-order.js';

const sign = (n: number) => Math.sign(n);

describe('compareCommandIds', () => {
  it('orders plain ids as localeCompare does: the Unicode root order, without ICU', () => {
    const ids = ['run', 'boards', 'disk:create', 'disk:list', 'disk', 'dtb', 'plugins', 'plugins:inspect', 'plugins:new', 'addr2line', 'help', 'autocomplete', 'autocomplete:create'];
    expect([...ids].sort(compareCommandIds)).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    // Every pair of short strings over the plain alphabet, where punctuation, digits and prefixes meet.
    const alphabet = ['-', ':', '0', '9', 'a', 'z', ''];
    const words = alphabet.flatMap((x) => alphabet.flatMap((y) => alphabet.map((z) => `${x}${y}${z}`)));
    for (const a of words) for (const b of words) expect(sign(compareCommandIds(a, b)), `${a} vs ${b}`).toBe(sign(a.localeCompare(b)));
  });

  it('leaves any other id to localeCompare', () => {
    for (const [a, b] of [['Run', 'run'], ['run', 'Run'], ['a_b', 'a-b'], ['é', 'f'], ['disk:Create', 'disk:create']]) {
      expect(compareCommandIds(a!, b!)).toBe(a!.localeCompare(b!));
    }
  });
});
