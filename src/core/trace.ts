import type { MachineEventName, MachineEvents } from './api.js';
import type { EventStream } from './events.js';
import { UserError } from './errors.js';

export const TRACE_CATEGORIES: MachineEventName[] = ['trap', 'irq', 'mmio', 'unmapped', 'power', 'log'];

const hex = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
/** An access's value with as many digits as the access has bytes (0x80 for a byte). */
const hexOfSize = (x: number, size: number) => '0x' + (x >>> 0).toString(16).padStart(2 * size, '0');

const formatters: { [K in MachineEventName]: (e: MachineEvents[K]) => string } = {
  trap: (e) => `cpu${e.cpu} ${e.interrupt ? 'interrupt' : 'exception'} ${e.cause} (${e.name}) -> ${e.target} pc=${hex(e.pc)} tval=${hex(e.tval)}`,
  irq: (e) => `${e.line} ${e.level ? 'raised' : 'lowered'}`,
  mmio: (e) => `${e.device}.${e.register} ${e.write ? 'write' : 'read'} ${hexOfSize(e.value, e.size)} (${e.size} bytes at +0x${e.offset.toString(16)})`,
  unmapped: (e) => {
    const where = e.io ? `port 0x${e.addr.toString(16)}` : hex(e.addr);
    const what = e.device !== undefined ? `${where} refused by ${e.device} (${e.reason})` : `unmapped ${where}`;
    return `${e.write ? 'write' : 'read'} of ${e.size} bytes at ${what}${e.write ? ` value ${hexOfSize(e.value, e.size)}` : ''}`;
  },
  power: (e) => `${e.action} code=${e.code} (${e.reason})`,
  log: (e) => `${e.source}: ${e.message}`,
};

/** Parses `--trace trap,irq` (or `all`). */
export function parseTraceCategories(spec: string): MachineEventName[] {
  if (spec === 'all') return TRACE_CATEGORIES;
  return spec.split(',').map((c) => {
    const name = c.trim() as MachineEventName;
    if (!TRACE_CATEGORIES.includes(name)) throw new UserError(`--trace ${spec}: unknown category "${c}" (known: ${TRACE_CATEGORIES.join(', ')}, all)`);
    return name;
  });
}

/** Writes one line per event: virtual time in microseconds, category, details. Returns one detach function per category. */
export function attachTrace(events: EventStream, categories: MachineEventName[], now: () => number, write: (line: string) => void): Array<() => void> {
  return categories.map((category) => {
    const format = formatters[category] as (e: unknown) => string;
    return events.on(category, (e) => write(`${(now() / 1000).toFixed(3).padStart(12)}us ${category.padEnd(8)} ${format(e)}\n`));
  });
}
