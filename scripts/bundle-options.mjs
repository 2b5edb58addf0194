// esbuild options shared by the package's bundles (scripts/build.mjs: dist/plugins, and dist/cli as one CommonJS file) and a checkout's
// cached bundle of its sources (scripts/checkout-bundle.mjs): ES modules for Node 20, shared code in chunks.
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // blessed and tsx load only when needed (the TUI, a .ts plugin); oclif's optional loaders of TypeScript
  // (typescript, ts-node) never run in bundled rvos (src/cli/main.ts turns auto-transpiling off).
  external: ['blessed', 'tsx', 'tsx/*', 'typescript', 'ts-node'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __rvosRequire } from 'node:module'; const require = __rvosRequire(import.meta.url);" },
  logLevel: 'warning',
};
