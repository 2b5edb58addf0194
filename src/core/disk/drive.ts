import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';

/**
 * `--drive` specs, QEMU's syntax: `file=PATH[,format=raw][,readonly=on][,if=INTERFACE]
 * [,transport=legacy|modern][,serial=ID][,locking=on|off]`, comma-separated `key=value` pairs where `,,` is a
 * literal comma. A first element without `=` is the file (`--drive disk.img`).
 */
export interface DriveSpec {
  /** Absolute path of the image. */
  file: string;
  format: 'raw';
  readonly: boolean;
  /** Slot interface (`if=`, e.g. "virtio"); undefined: the board's, i.e. the one its drive slots speak. */
  interface?: string;
  /** Passed to the slot and model: `transport`, `serial`. */
  options: Record<string, string>;
  /** The spec as the user wrote it, for messages. */
  text: string;
  /** Where it came from, for messages: `--drive SPEC`, or the config file, line and field. */
  where: string;
  /**
   * Take the image's lock (exclusive when read-write, shared when read-only) so a second rvos
   * cannot write it at the same time; `locking=off` (QEMU's `file.locking=off`) skips it.
   */
  locking: boolean;
}

export const DRIVE_KEYS = ['file', 'format', 'readonly', 'if', 'transport', 'serial', 'locking'] as const;

const BOOLEAN: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false, '1': true, '0': false };
const TRANSPORT: Record<string, string> = { legacy: 'legacy', modern: 'modern', '1': 'legacy', '2': 'modern' };

/** Splits `a=b,c=d` with `,,` as an escaped comma. */
function splitOptions(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ',' && text[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * Parses one drive spec. Relative `file=` paths are resolved against `baseDir` (the current
 * folder for flags, the config file's folder for `drives:`). `where` prefixes error messages.
 */
export function parseDriveSpec(text: string, baseDir: string, where = `--drive ${text}`): DriveSpec {
  const fail = (what: string) => new UserError(`${where}: ${what}`);
  const values = new Map<string, string>();
  splitOptions(text).forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0 && i === 0 && part !== '') {
      values.set('file', part);
      return;
    }
    if (eq <= 0) throw fail(`expected key=value, got "${part}"`);
    // QEMU spells the lock option of the file protocol `file.locking`.
    const key = part.slice(0, eq) === 'file.locking' ? 'locking' : part.slice(0, eq);
    if (!(DRIVE_KEYS as readonly string[]).includes(key)) throw fail(`unknown option "${key}" (known: ${DRIVE_KEYS.join(', ')})`);
    if (values.has(key)) throw fail(`option "${key}" given twice`);
    values.set(key, part.slice(eq + 1));
  });
  const file = values.get('file');
  if (!file) throw fail('file=PATH is required');
  const format = values.get('format') ?? 'raw';
  if (format !== 'raw') throw fail(`format=${format}: only raw images are supported`);
  const ro = values.get('readonly') ?? 'off';
  if (!(ro in BOOLEAN)) throw fail(`readonly=${ro}: expected on or off`);
  const iface = values.get('if');
  if (iface !== undefined && !/^[a-z][a-z0-9-]*$/.test(iface)) throw fail(`if=${iface}: expected an interface name such as virtio`);
  const locking = values.get('locking') ?? 'on';
  if (!(locking in BOOLEAN) && locking !== 'auto') throw fail(`locking=${locking}: expected on, off or auto`);
  const options: Record<string, string> = {};
  const transport = values.get('transport');
  if (transport !== undefined) {
    if (!(transport in TRANSPORT)) throw fail(`transport=${transport}: expected legacy or modern`);
    options.transport = TRANSPORT[transport];
  }
  const serial = values.get('serial');
  if (serial !== undefined) {
    if (Buffer.byteLength(serial) > 20) throw fail(`serial=${serial}: at most 20 bytes (VIRTIO_BLK_ID_BYTES)`);
    options.serial = serial;
  }
  return {
    file: isAbsolute(file) ? file : resolve(baseDir, file),
    format: 'raw',
    readonly: BOOLEAN[ro],
    interface: iface,
    options,
    text,
    where,
    locking: locking === 'auto' || BOOLEAN[locking],
  };
}

/** `--virtio-version` / drive `transport=` values. */
export function parseTransport(value: string, where: string): 'legacy' | 'modern' {
  const t = TRANSPORT[value];
  if (!t) throw new UserError(`${where}: expected legacy, modern, 1 or 2, got "${value}"`);
  return t as 'legacy' | 'modern';
}
