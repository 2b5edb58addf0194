/**
 * The installed CLI's loader rewrites its code caches once after a run in which a translator ran
 * (scripts/cli-loader.cjs), so later runs start with the translators compiled: the core's engine tells it, for
 * every architecture, at each wasm compile and each JavaScript translation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { translatorFactory } from '../../../src/core/jit/translate.js';
import { compileWasm, I32, WasmCode, wasmModule } from '../../../src/core/jit/wasm-module.js';

const g = globalThis as { rvosTranslatorsRan?: () => void };
const saved = g.rvosTranslatorsRan;
afterEach(() => {
  g.rvosTranslatorsRan = saved;
});

function counting(): { calls: number } {
  const seen = { calls: 0 };
  g.rvosTranslatorsRan = () => void seen.calls++;
  return seen;
}

describe("the translation engine tells the CLI's loader that translators ran", () => {
  it('at a wasm compile, memoized or not', () => {
    const seen = counting();
    const code = new WasmCode([], [I32]);
    code.i32(7);
    const bytes = wasmModule(code);
    compileWasm(bytes);
    compileWasm(bytes);
    expect(seen.calls).toBe(2);
  });

  it('at a JavaScript translation', () => {
    const seen = counting();
    translatorFactory(['a'], 'return () => a;');
    expect(seen.calls).toBe(1);
  });

  it('and nothing breaks without a loader', () => {
    g.rvosTranslatorsRan = undefined;
    expect(typeof translatorFactory(['a'], 'return () => a + 1;')).toBe('function');
  });
});
