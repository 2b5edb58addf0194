/**
 * Measures what code allocates once V8 has optimized it (tests of "hot paths allocate nothing"): V8's
 * sampling heap profiler, collected objects included, and natives syntax to optimize a function now
 * rather than when V8 decides.
 */
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--allow-natives-syntax');
const optimizeNow = new Function('f', 'warm', '%PrepareFunctionForOptimization(f); warm(); warm(); %OptimizeFunctionOnNextCall(f); warm();') as (f: unknown, warm: () => void) => void;

/**
 * Optimizes `f` now, after two calls of `warm` (which calls it) for type feedback, and a third that runs
 * the optimized code. `f` should be a function of its own (a new Function's) when its callers differ
 * between tests: its type feedback is then only theirs.
 */
export function optimized<F>(f: F, warm: () => void): F {
  optimizeNow(f, warm);
  return f;
}

/**
 * Bytes V8's sampling heap profiler saw allocated (collected since or not) while `body` ran: the least of
 * `runs` runs. What the code itself allocates shows in every run; one run on a busy machine can also
 * catch a transient (CI saw 355 KB once where this machine sees 1-41 KB), and boxing costs megabytes.
 */
export async function allocatedBy(body: () => void, runs = 3): Promise<number> {
  let least = Infinity;
  for (let run = 0; run < runs; run++) least = Math.min(least, await sampledBytes(body));
  return least;
}

async function sampledBytes(body: () => void): Promise<number> {
  const session = new Session();
  session.connect();
  // An object is sampled with probability about size / interval: a few hundred KB are sure to show.
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  body();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let bytes = 0;
  const walk = (node: typeof profile.head): void => {
    bytes += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  return bytes;
}
