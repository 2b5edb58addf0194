import { UserError } from '../errors.js';

export interface GdbAddress {
  host: string;
  port: number;
}

/**
 * `--gdb tcp::PORT` (127.0.0.1) or `tcp:HOST:PORT`, as QEMU's -gdb; a bare PORT is accepted
 * too. The loopback address unless the user writes another.
 */
export function parseGdbAddress(spec: string, flag = '--gdb'): GdbAddress {
  const m = /^(?:tcp:)?(?:([^:]*|\[[^\]]*\]):)?(\d+)$/.exec(spec);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`${flag} ${spec}: expected tcp::PORT or tcp:HOST:PORT (port 0-65535; 0 picks a free one)`);
  }
  const host = m[1] === undefined || m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}
