import type { PropKind, PropKit, PropSchema, PropSpec } from './api.js';

/**
 * Device props: the `api.prop` kit plugins declare them with, the check of a declaration when a
 * plugin registers it, and the check of a board's values before `create()` (defaults filled in).
 */

/** Props the core itself reads from every device entry. */
export const CORE_PROPS: PropSchema = {
  console: { kind: 'bool', description: "this device's output is the guest console (/chosen stdout-path, the run's console backend)" },
};

function spec(kind: PropKind, options: object, values?: readonly (string | number)[]): PropSpec {
  return Object.freeze({ kind, ...options, ...(values ? { values: Object.freeze([...values]) } : {}) }) as PropSpec;
}

/** The `api.prop` object handed to plugins. */
export function createPropKit(): PropKit {
  return {
    int: (o: object) => spec('int', o),
    number: (o: object) => spec('number', o),
    bool: (o: object) => spec('bool', o),
    string: (o: object) => spec('string', o),
    enum: (values: readonly (string | number)[], o: object) => spec('enum', o, values),
  } as PropKit;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** What is wrong with `value` for `s`, or undefined when it is fine. */
export function problemWith(s: PropSpec, value: unknown): string | undefined {
  switch (s.kind) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected ${s.kind === 'int' ? 'an integer' : 'a number'}, got ${show(value)}`;
      if (s.kind === 'int' && !Number.isSafeInteger(value)) return `expected an integer, got ${show(value)}`;
      if (s.min !== undefined && value < s.min) return `${value} is below the minimum ${s.min}`;
      if (s.max !== undefined && value > s.max) return `${value} is above the maximum ${s.max}`;
      return undefined;
    }
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${show(value)}`;
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${show(value)}`;
      return s.check?.(value);
    case 'enum':
      return s.values!.includes(value as string | number) ? undefined : `expected one of ${s.values!.map(show).join(', ')}, got ${show(value)}`;
  }
}

/**
 * Checks a plugin's declaration (throws an Error naming the prop: the plugin's bug, reported as
 * its register() failing).
 */
export function checkPropSchema(schema: unknown): void {
  if (schema === undefined) return;
  if (typeof schema !== 'object' || schema === null) throw new Error('props must be an object of api.prop specs');
  for (const [name, s] of Object.entries(schema as Record<string, PropSpec>)) {
    const where = `props.${name}`;
    if (name in CORE_PROPS) throw new Error(`${where}: "${name}" is a core prop every device has; do not declare it`);
    if (typeof s !== 'object' || s === null || !['int', 'number', 'bool', 'string', 'enum'].includes(s.kind)) {
      throw new Error(`${where}: not a prop spec (build it with api.prop.int/number/bool/string/enum)`);
    }
    if (typeof s.description !== 'string' || s.description === '') throw new Error(`${where}: needs a description`);
    if (s.kind === 'enum' && (!Array.isArray(s.values) || s.values.length === 0)) throw new Error(`${where}: an enum needs at least one value`);
    if (s.check !== undefined && (s.kind !== 'string' || typeof s.check !== 'function')) throw new Error(`${where}: check must be a function, on a string prop`);
    if (s.default !== undefined) {
      const bad = problemWith(s, s.default);
      if (bad) throw new Error(`${where}: bad default: ${bad}`);
    }
  }
}

export type PropsResult = { ok: true; props: Record<string, unknown> } | { ok: false; prop: string; problem: string };

/**
 * Checks the props a board gives a device against its type's schema (plus `CORE_PROPS`) and
 * fills in defaults. Props the schema leaves optional and the board omits stay absent.
 */
export function resolveProps(schema: PropSchema | undefined, given: Readonly<Record<string, unknown>>, typeName: string): PropsResult {
  const all: PropSchema = { ...(schema ?? {}), ...CORE_PROPS };
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(all, name)) {
      const known = Object.keys(schema ?? {});
      const takes = known.length > 0 ? `${typeName} takes: ${known.join(', ')}` : `${typeName} takes none`;
      return { ok: false, prop: name, problem: `unknown prop (${takes}; every device takes console)` };
    }
  }
  const props: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(all)) {
    const value = given[name];
    if (value === undefined || value === null) {
      if (s.default !== undefined) props[name] = s.default;
      else if (s.required) return { ok: false, prop: name, problem: `required (${s.description})` };
      continue;
    }
    const bad = problemWith(s, value);
    if (bad) return { ok: false, prop: name, problem: bad };
    props[name] = value;
  }
  return { ok: true, props: Object.freeze(props) as Record<string, unknown> };
}

/** One line per prop for `rvos plugins inspect` and docs: "sources  int 2..1024, default 96  interrupt sources". */
export function describeProps(schema: PropSchema | undefined): Array<{ name: string; type: string; description: string }> {
  return Object.entries(schema ?? {}).map(([name, s]) => {
    let type: string = s.kind;
    if (s.kind === 'enum') type = s.values!.map(show).join('|');
    else if (s.min !== undefined || s.max !== undefined) type += ` ${s.min ?? ''}..${s.max ?? ''}`;
    if (s.default !== undefined) type += `, default ${show(s.default)}`;
    else if (s.required) type += ', required';
    return { name, type, description: s.description };
  });
}
