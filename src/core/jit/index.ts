/** The translation engine the core lends CPUs (`CpuContext.jit`). */
import type { JitKit } from '../api.js';
import { CodeCache } from './code-cache.js';
import { translatorFactory } from './translate.js';

export const jitKit: JitKit = {
  codeCache: (options) => new CodeCache(options),
  factory: translatorFactory,
};
