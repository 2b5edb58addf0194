/**
 * Opens the TUI on a virt machine, the way `rvos run` will once it calls runTui:
 *   node --import tsx test/helpers/tui-main.ts --kernel kernels/tests/build/uart_irq.elf [--cpus N]
 *   node --import tsx test/helpers/tui-main.ts --spin        (a guest that never stops, see tui-guest.ts)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession } from '../../src/core/session.js';
import { runTui, tuiSessionOptions } from '../../src/tui/index.js';
import { writeSpinGuest } from './tui-guest.js';

const { values } = parseArgs({
  options: {
    kernel: { type: 'string' },
    spin: { type: 'boolean', default: false },
    cpus: { type: 'string' },
    board: { type: 'string', default: 'virt' },
    'max-insns': { type: 'string' },
    timeout: { type: 'string' },
  },
});
const kernel = values.spin ? writeSpinGuest(join(mkdtempSync(join(tmpdir(), 'rvos-tui-')), 'spin.elf')) : values.kernel;
const session = await createSession(
  tuiSessionOptions({ board: values.board, bios: 'none', kernel, cpus: values.cpus ? Number(values.cpus) : undefined, config: '/dev/null' }),
);
const code = await runTui(session, {
  maxInsns: values['max-insns'] ? Number(values['max-insns']) : undefined,
  timeoutMs: values.timeout ? Number(values.timeout) * 1000 : undefined,
});
await session.close();
process.exit(code);
