import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type CliResult, type RunOptions } from './cli.js';

const preload = join(import.meta.dirname, 'record-modules.mjs');

/**
 * Runs a Node program (e.g. bin/rvos.js) with record-modules.mjs preloaded: its result and the
 * modules it loaded (file: URLs and paths, each once).
 */
export async function runRecordingModules(script: string, args: string[], opts: RunOptions = {}): Promise<CliResult & { modules: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'rvos-modules-')), 'modules.txt');
  const r = await run(process.execPath, ['--import', preload, script, ...args], { ...opts, env: { ...(opts.env ?? process.env), RVOS_RECORD_MODULES: file } });
  const modules = [...new Set((existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean))];
  return { ...r, modules };
}
