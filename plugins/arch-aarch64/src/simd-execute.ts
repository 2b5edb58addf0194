import type { A64Cpu } from './cpu.js';
export function executeSimd(_cpu: A64Cpu, _b: number, _kind: number): void {}
