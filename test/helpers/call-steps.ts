/** Spies on a translated region's function (any architecture's Block): the steps each later call returns. */
export function callSteps<F extends (...args: never[]) => number>(block: { readonly fn: F | null }): number[] {
  const fn = block.fn!;
  const calls: number[] = [];
  (block as { fn: F }).fn = ((...args: Parameters<F>) => {
    const done = fn(...args);
    calls.push(done);
    return done;
  }) as F;
  return calls;
}
