// Preloaded with `node --require` by test/cli/v8-flags.test.ts: records every V8 flag the process sets with
// v8.setFlagsFromString in the file $RVOS_RECORD_V8_FLAGS, a JSON line each: the flag and the CommonJS modules
// loaded when it was set (bin/rvos.js alone means before any of rvos' code was compiled).
'use strict';
const { appendFileSync } = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const v8 = require('node:v8');

const file = process.env.RVOS_RECORD_V8_FLAGS;
if (file) {
  const set = v8.setFlagsFromString;
  v8.setFlagsFromString = (flag) => {
    appendFileSync(file, `${JSON.stringify({ flag, loaded: Object.keys(require.cache).filter((p) => p !== __filename) })}\n`);
    set(flag);
  };
  syncBuiltinESMExports(); // ES modules' `import { setFlagsFromString } from 'node:v8'` see the recording one too
}
