import { afterAll, beforeAll } from 'vitest';

/**
 * Sets (or, with undefined, removes) an environment variable for the enclosing describe block
 * and puts back what was there after it.
 */
export function useEnv(name: string, value: string | undefined): void {
  let before: string | undefined;
  const set = (v: string | undefined) => {
    if (v === undefined) delete process.env[name];
    else process.env[name] = v;
  };
  beforeAll(() => {
    before = process.env[name];
    set(value);
  });
  afterAll(() => set(before));
}
