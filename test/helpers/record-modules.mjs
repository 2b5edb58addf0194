// Preloaded with `node --import` by test/helpers/modules.ts: records every module the process loads
// in the file $RVOS_RECORD_MODULES, one URL or path a line (ES modules as they are resolved, CommonJS
// ones from require's cache at exit), so tests can check what start-up loads without timing it.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.RVOS_RECORD_MODULES;
if (file) {
  register('./record-modules-hooks.mjs', import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(file, Object.keys(cache).map((p) => `${p}\n`).join('')));
}
