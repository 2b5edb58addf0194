import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'rvos-raspi3b-'));
let serial = 0;

/** Writes `bytes` to a fresh file in a per-process temporary folder and returns its path. */
export function tempFile(name: string, bytes: Uint8Array): string {
  const path = join(dir, `${serial++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}
