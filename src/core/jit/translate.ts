/**
 * Turning a translator's JavaScript source into a function V8 compiles to machine code.
 *
 * Factories are memoized by their source text: code translated again (after its page was
 * written, on another CPU, after a cache flush, at another address of a position-independent
 * translation) reuses the factory V8 already parsed and, once hot, optimized, instead of
 * starting again in V8's bytecode interpreter.
 */

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
  if (factory === undefined) {
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
