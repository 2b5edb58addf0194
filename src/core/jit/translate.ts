/**
 * Turning a translator's JavaScript source into a function V8 compiles to machine code.
 *
 * Factories are memoized by their source text: code translated again (after its page was
 * written, on another CPU, after a cache flush, at another address of a position-independent
 * translation) reuses the factory V8 already parsed and, once hot, optimized, instead of
 * starting again in V8's bytecode interpreter.
 *
 * The first translation turns V8's on-stack replacement off for the process (noOsr), or a CPU that
 * will translate does before its interpreter's first long run (JitKit.noOsr).
 */
import { setFlagsFromString } from 'node:v8';

/** Distinct sources kept; past this the memo starts over (it only saves parsing). */
const MAX_FACTORIES = 4096;
const factories = new Map<string, (...args: unknown[]) => unknown>();

/**
 * A factory `(…params) => translation` for `source`, the body of a function of `params` that
 * returns the translated function (bound to what the params pass in: the CPU, helpers).
 */
export function translatorFactory<F extends (...args: never[]) => unknown>(params: readonly string[], source: string): F {
  const key = `${params.join(',')}\n${source}`;
  let factory = factories.get(key);
  translatorsRan();
  if (factory === undefined) {
    noOsr();
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factory = new Function(...params, source) as (...args: unknown[]) => unknown;
    factories.set(key, factory);
  }
  return factory as unknown as F;
}

/** Memoized factories now (tests). */
export function translatorFactoryCount(): number {
  return factories.size;
}

let osrOff = false;

/**
 * Turns V8's on-stack replacement (OSR) off, once: a translation (and the interpreter's execute())
 * runs one slice per call, so the optimized code of its normal compile is used from the next call
 * on, and the OSR code V8 compiled as well for the call in progress (a second TurboFan compile of
 * the same large function, on a background thread, for the rest of one slice) was mostly waste.
 * Measured on the rv32 compute kernel's first run (8 interleaved fresh processes, loaded 2-core
 * VM): process CPU 834 -> 697 ms, main thread 550 -> 527 ms; the aarch64 compute kernel and the
 * rv32 boots within noise, the i386 compute kernel's process CPU -4 %. Process-wide: V8 has no
 * per-function switch. The CLI (bin/rvos.js) sets it when it starts, before V8 compiles anything:
 * a code cache written under other flags than the next start's is rejected (a cache written at the
 * exit of a run that set it here was rejected by every later start); setting it again is a no-op.
 * A CPU that will translate may call it first (JitKit.noOsr): the aarch64
 * interpreter, optimized during its warm-up, was otherwise compiled a second time for OSR in the
 * guest's first long execute() call, on a background thread, while the first regions waited.
 */
export function noOsr(): void {
  if (osrOff) return;
  osrOff = true;
  setFlagsFromString('--no-use-osr');
}

/**
 * Tells the installed CLI's loader that a translator ran (scripts/cli-loader.cjs): it then rewrites its code caches
 * once, so they hold the translators too. A no-op elsewhere (tests, the checkout's CLI).
 */
export function translatorsRan(): void {
  (globalThis as { rvosTranslatorsRan?: () => void }).rvosTranslatorsRan?.();
}
