import { describe, expect, it } from 'vitest';
import { RingBuffer, formatTrap } from '../../../src/tui/event-log.js';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items, newest first, and counts all', () => {
    const b = new RingBuffer<number>(3);
    expect(b.latest()).toEqual([]);
    b.push(1);
    b.push(2);
    expect(b.latest()).toEqual([2, 1]);
    for (let i = 3; i <= 10; i++) b.push(i);
    expect(b.size).toBe(3);
    expect(b.total).toBe(10);
    expect(b.latest()).toEqual([10, 9, 8]);
    expect(b.latest(2)).toEqual([10, 9]);
    expect(b.latest(99)).toEqual([10, 9, 8]);
  });

  it('wraps correctly at every fill level', () => {
    const b = new RingBuffer<number>(4);
    for (let i = 1; i <= 9; i++) {
      b.push(i);
      const want = Array.from({ length: Math.min(i, 4) }, (_, k) => i - k);
      expect(b.latest()).toEqual(want);
    }
  });

  it('rejects a zero capacity', () => {
    expect(() => new RingBuffer(0)).toThrow();
  });
});

describe('formatTrap', () => {
  const trap = { cpu: 1, interrupt: true, cause: 7, name: 'Machine timer interrupt', pc: 0x80000124, tval: 0, target: 'M', timeNs: 12_345_678 };
  it('shows virtual time, cpu, kind, name, target and the symbolized pc', () => {
    expect(formatTrap(trap, (pc) => (pc === 0x80000124 ? '<main+0x10>' : ''))).toBe(
      '0.012346s cpu1 irq Machine timer interrupt -> M 80000124 <main+0x10>',
    );
    expect(formatTrap({ ...trap, interrupt: false, name: 'Illegal instruction', target: 'S' })).toBe(
      '0.012346s cpu1 exc Illegal instruction -> S 80000124',
    );
  });

  it('shows a 64-bit pc (a negative edge number in the upper half) with all 16 digits', () => {
    const svc = { ...trap, interrupt: false, name: 'SVC', target: 'EL1', pc: Number(BigInt.asIntN(64, 0xffffff8000087f38n)) };
    expect(formatTrap(svc)).toBe('0.012346s cpu1 exc SVC -> EL1 ffffff8000087f38');
    expect(formatTrap({ ...svc, pc: 0x100000b72 })).toBe('0.012346s cpu1 exc SVC -> EL1 0000000100000b72');
  });
});
