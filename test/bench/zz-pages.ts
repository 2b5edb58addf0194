import { startMachine } from '../../src/testing/machine.js';
import { LINUX_BOOTS } from './linux-boot.js';
const board = (process.argv[2] ?? 'raspi3b') as 'virt' | 'raspi3b' | 'pc';
const files = LINUX_BOOTS[board].find()!;
const m = await startMachine(files.machine('jit'));
const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 120_000 });
for (const c of m.machine.cpus as any[]) { const cc = c.codePages; console.log(board, r.reason, 'cpu', c.id, JSON.stringify(c.codeCache), 'free', cc?.free?.length); }
await m.close();
