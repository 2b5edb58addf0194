import { describe, expect, it } from 'vitest';
import { KeyDecoder } from '../../../src/tui/keys.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (u: Uint8Array) => Buffer.from(u).toString('latin1');

describe('KeyDecoder with the console focused', () => {
  it('forwards plain keys and escape sequences (arrows, Tab) to the guest', () => {
    const r = new KeyDecoder().feed(bytes('ls -l\r\x1b[A\t\x03'), true);
    expect(text(r.guest)).toBe('ls -l\r\x1b[A\t\x03');
    expect(r.actions).toEqual([]);
  });

  it('takes Ctrl-A commands and keeps them from the guest', () => {
    const d = new KeyDecoder();
    const r = d.feed(bytes('a\x01pb\x01s\x01r\x01\t\x01c\x01t\x01h\x01?\x01g\x01x'), true);
    expect(text(r.guest)).toBe('ab');
    expect(r.actions).toEqual(['pause', 'step', 'reset', 'focus-next', 'next-cpu', 'next-tab', 'help', 'help', 'screenshot', 'quit']);
  });

  it('accepts upper-case command letters', () => {
    expect(new KeyDecoder().feed(bytes('\x01P\x01X'), true).actions).toEqual(['pause', 'quit']);
  });

  it('Ctrl-A Ctrl-A sends one literal Ctrl-A', () => {
    const r = new KeyDecoder().feed(bytes('\x01\x01z'), true);
    expect(Array.from(r.guest)).toEqual([0x01, 0x7a]);
    expect(r.actions).toEqual([]);
  });

  it('remembers the prefix across chunks', () => {
    const d = new KeyDecoder();
    expect(d.feed(bytes('\x01'), true)).toEqual({ guest: new Uint8Array(), actions: [], ignored: 0 });
    expect(d.feed(bytes('x'), true).actions).toEqual(['quit']);
    expect(text(d.feed(bytes('x'), true).guest)).toBe('x');
  });

  it('drops an unknown key after the prefix', () => {
    const r = new KeyDecoder().feed(bytes('\x01zq'), true);
    expect(text(r.guest)).toBe('q');
    expect(r.ignored).toBe(1);
  });

  it('PgUp/PgDn and the mouse wheel scroll instead of reaching the guest', () => {
    const r = new KeyDecoder().feed(bytes('\x1b[5~\x1b[6~\x1b[5;2~\x1b[<64;10;5M\x1b[<65;10;5M\x1b[M`!!\x1b[<0;3;3M'), true);
    expect(r.actions).toEqual(['page-up', 'page-down', 'page-up', 'scroll-up', 'scroll-down', 'scroll-up']);
    expect(r.guest.length).toBe(0);
    expect(r.ignored).toBe(1); // the left click
  });

  it('waits for the rest of an escape sequence cut between chunks', () => {
    const d = new KeyDecoder();
    const first = d.feed(bytes('a\x1b[5'), true);
    expect(text(first.guest)).toBe('a');
    const second = d.feed(bytes('~b'), true);
    expect(second.actions).toEqual(['page-up']);
    expect(text(second.guest)).toBe('b');
  });

  it('passes a lone Esc at the end of a chunk straight through', () => {
    expect(text(new KeyDecoder().feed(bytes('\x1b'), true).guest)).toBe('\x1b');
  });
});

describe('KeyDecoder in the other panes', () => {
  it('maps plain keys to commands and sends nothing to the guest', () => {
    const r = new KeyDecoder().feed(bytes('psrq\tct?hjk\x1b[A\x1b[B\x1b[Z'), false);
    expect(r.guest.length).toBe(0);
    expect(r.actions).toEqual([
      'pause', 'step', 'reset', 'quit', 'focus-next', 'next-cpu', 'next-tab', 'help', 'help',
      'scroll-down', 'scroll-up', 'scroll-up', 'scroll-down', 'focus-prev',
    ]);
  });

  it('ignores other keys (a stray x does not quit) but counts them', () => {
    const r = new KeyDecoder().feed(bytes('xz\x01\x01'), false);
    expect(r.actions).toEqual([]);
    expect(r.ignored).toBe(3);
    expect(r.guest.length).toBe(0);
  });

  it('still takes the Ctrl-A commands', () => {
    expect(new KeyDecoder().feed(bytes('\x01x'), false).actions).toEqual(['quit']);
  });
});
