/**
 * src/core/jit/translate.ts turns V8's on-stack replacement off once it makes its first
 * translation: a long first call of a translated function is not compiled a second time for OSR
 * (checked with V8's --trace-opt in a child process; a plain function's long call, the control, is).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** V8's --trace-opt lines of a child that runs one long loop in a function made by `how`. */
function traceOptOfLongCall(how: 'translatorFactory' | 'Function'): string {
  const script = `
    import { translatorFactory } from './src/core/jit/translate.ts';
    const body = 'return function longLoop(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) | 0; return s; };';
    const make = ${how === 'translatorFactory' ? 'translatorFactory([], body)' : 'new Function(body)'};
    console.log(make()(20_000_000));`;
  return execFileSync(process.execPath, ['--trace-opt', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
}

describe('translatorFactory and V8', () => {
  it('turns on-stack replacement off: a long first call of a translation gets no OSR compile', () => {
    expect(traceOptOfLongCall('Function')).toMatch(/longLoop.*OSR/);
    expect(traceOptOfLongCall('translatorFactory')).not.toMatch(/longLoop.*OSR/);
  }, 60_000);
});
