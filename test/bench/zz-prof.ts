import { execFileSync } from 'node:child_process';
import { startMachine } from '../../src/testing/machine.js';
import { LINUX_BOOTS } from './linux-boot.js';
const board = (process.argv[2] ?? 'raspi3b') as 'virt' | 'raspi3b' | 'pc';
const vmlinux = process.argv[3];
const chunk = Number(process.argv[4] ?? 1000);
const files = LINUX_BOOTS[board].find()!;
const m = await startMachine(files.machine('jit'));
const syms = execFileSync('llvm-nm', ['-n', vmlinux], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').map((l) => l.split(' ')).filter((p) => p.length === 3 && /[tTwW]/.test(p[1])).map((p) => [parseInt(p[0].slice(-8), 16), p[2]] as [number, string]);
syms.sort((a, b) => a[0] - b[0]);
function fn(pc: number): string {
  let lo = 0, hi = syms.length - 1;
  if (pc < syms[0][0]) return pc.toString(16);
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (syms[mid][0] <= pc) lo = mid; else hi = mid - 1; }
  return syms[lo][1];
}
const cpus = m.machine.cpus as any[];
const per = new Map<string, number>();
const perCpu = cpus.map(() => 0);
let rounds = 0;
const t0 = performance.now();
for (;;) {
  const before = cpus.map((c) => c.retired);
  const ran = (m.machine as any).step(chunk);
  rounds++;
  for (let i = 0; i < cpus.length; i++) {
    const d = cpus[i].retired - before[i];
    if (d <= 0) continue;
    perCpu[i] += d;
    const pc = Number(cpus[i].pc ?? cpus[i].eip) >>> 0;
    const f = `${i === 0 ? 'c0' : 'cN'} ${fn(pc)}`;
    per.set(f, (per.get(f) ?? 0) + d);
  }
  if (cpus.every((c) => c.stopped) || (m.machine as any).stopRequest || m.output.includes('Power down') || m.output.includes('powering off')) break;
  if (rounds > 5_000_000) break;
}
const total = perCpu.reduce((a, b) => a + b, 0);
console.log('rounds', rounds, 'per cpu', perCpu, 'total', total, 'ms', (performance.now() - t0).toFixed(0));
for (const [k, v] of [...per].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[5] ?? 40))) console.log(String(v).padStart(10), (100 * v / total).toFixed(1).padStart(5), k);
await m.close();
