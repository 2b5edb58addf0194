import type { Cpu } from '../api.js';
import { UserError } from '../errors.js';
import { parseHexNumber } from './hex.js';
import type { GdbTarget } from './target.js';

export const MONITOR_HELP = [
  'rvos monitor commands:',
  '  info registers        registers of the current thread\'s CPU',
  '  info mmu ADDR         page-table walk of a virtual address (hex)',
  '  trace on|off CATS     trace events (trap,irq,mmio,unmapped,power,log or all) to the --trace-file',
  '  phys on|off           memory packets use physical (on) or virtual (off, default) addresses',
  '  reset                 reset the machine',
  '  quit                  end rvos',
  '  help                  this list',
].join('\n');

/** What `monitor` commands read and change in the stub. */
export interface MonitorState {
  target: GdbTarget;
  cpu: Cpu;
  physical: boolean;
}

/** Runs one `monitor` command line (qRcmd); returns the text to show in gdb. */
export function runMonitor(line: string, state: MonitorState): string {
  const words = line.trim().split(/\s+/).filter((w) => w !== '');
  const [cmd, arg, rest] = words;
  switch (cmd) {
    case undefined:
    case 'help':
      return MONITOR_HELP + '\n';
    case 'info':
      if (arg === 'registers' || arg === 'reg' || arg === 'r') return registers(state.cpu);
      if (arg === 'mmu') {
        const addr = rest !== undefined ? parseHexNumber(rest.replace(/^0x/i, '')) : undefined;
        if (addr === undefined) return 'usage: info mmu ADDR (hex)\n';
        return state.cpu.debug!.describeTranslation(addr).join('\n') + '\n';
      }
      return 'usage: info registers | info mmu ADDR\n';
    case 'trace':
      if ((arg !== 'on' && arg !== 'off') || rest === undefined) return 'usage: trace on|off CATS (trap,irq,mmio,unmapped,power,log or all)\n';
      try {
        return state.target.trace(arg === 'on', rest) + '\n';
      } catch (e) {
        if (e instanceof UserError) return e.message + '\n';
        throw e;
      }
    case 'phys':
      if (arg === 'on' || arg === 'off') state.physical = arg === 'on';
      else if (arg !== undefined) return 'usage: phys on|off\n';
      return `memory packets use ${state.physical ? 'physical' : 'virtual'} addresses\n`;
    case 'reset':
      state.target.reset();
      return 'machine reset\n';
    case 'quit':
    case 'q':
      state.target.quit('quit from gdb (monitor quit)');
      return '';
    default:
      return `unknown monitor command "${cmd}" (monitor help lists them)\n`;
  }
}

function registers(cpu: Cpu): string {
  const lines = [`cpu${cpu.id} (${cpu.privilegeName()})`];
  const cells = cpu.inspect().map((r) => {
    const v = r.width === 64 ? (r.hi! >>> 0).toString(16).padStart(8, '0') + (r.value >>> 0).toString(16).padStart(8, '0') : (r.value >>> 0).toString(16).padStart(8, '0');
    return `${r.name.padStart(8)}=${v}`;
  });
  for (let i = 0; i < cells.length; i += 4) lines.push(cells.slice(i, i + 4).join(' '));
  return lines.join('\n') + '\n';
}
