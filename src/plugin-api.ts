/**
 * `rvos/plugin-api`: what a plugin may import from rvos. Types for everything its `register(api)`
 * receives, plus the few constants of the API. Run-time helpers come through `api` itself, so a
 * plugin never depends on rvos' module layout (docs/plugin-api.md).
 */
export * from './core/api.js';
export type { FdtNode } from './core/fdt.js';
export type { ChosenValue, DtbEdits } from './core/fdt-edit.js';
export type { FieldSpec, RegisterAccess, RegisterMap, RegisterMapSpec, RegisterSpec } from './core/regmap.js';
