import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { ArchType, BackendType, BootProtocol, DeviceType, PluginApi, PluginRegister } from './api.js';
import { PLUGIN_API_VERSION } from './api.js';
import { EXIT, PluginError, UserError } from './errors.js';
import { checkOutputSchema } from './outputs.js';
import { builtinPluginsDir, bundledPluginEntry, packageRoot, typeScriptLoaded } from './paths.js';
import { checkPropSchema, createPropKit } from './props.js';

/**
 * Finds, validates and loads plugins. Built-in plugins (plugins/*) go through exactly the path a
 * third-party plugin does: a folder or npm package whose package.json has an `rvos` field.
 */

const manifestSchema = z
  .object({
    apiVersion: z.number().int(),
    kind: z.enum(['arch', 'device', 'mixed']),
    entry: z.string().min(1),
    provides: z.array(z.string()).optional(),
    drives: z.array(z.string()).optional(),
    description: z.string().optional(),
  })
  .strict();

/**
 * Where a plugin was found, highest precedence first: `--plugin`, the config's `plugins:`, the
 * user's project (its own package and its node_modules, nearest folder first), global npm packages
 * (the global node_modules and the one rvos is installed in), rvos' built-ins.
 */
export type PluginSource = 'flag' | 'config' | 'project' | 'global' | 'builtin';
export const PLUGIN_PRECEDENCE: readonly PluginSource[] = ['flag', 'config', 'project', 'global', 'builtin'];

export interface PluginInfo {
  name: string;
  version: string;
  kind: 'arch' | 'device' | 'mixed';
  dir: string;
  entry: string;
  source: PluginSource;
  /** Type names it registered (after loading). */
  provides: string[];
  /** Type names its manifest declares (`rvos.provides`), known before loading; undefined when it declares none. */
  declared?: string[];
  /** Slot interfaces of the drive models it defines (`rvos.drives`; with `provides`, none when absent). */
  drives?: string[];
}

export interface PluginCandidate {
  dir: string;
  source: PluginSource;
}

/**
 * Lists plugin folders to load, built-ins first. A package found in several places (say, globally
 * and in the project) is loaded once, from the place of highest precedence (`PluginSource`).
 */
export function discoverPlugins(extra: PluginCandidate[] = [], cwd = process.cwd(), builtins = builtinPluginsDir()): PluginCandidate[] {
  const found: PluginCandidate[] = [];
  for (const c of extra) {
    const dir = resolve(cwd, c.dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`plugin path ${c.dir}: no such folder`);
    if (existsSync(join(dir, 'package.json'))) found.push({ dir, source: c.source });
    else {
      // A folder of plugins.
      for (const name of readdirSync(dir).sort()) {
        if (existsSync(join(dir, name, 'package.json'))) found.push({ dir: join(dir, name), source: c.source });
      }
    }
  }
  const project = projectRoot(cwd);
  if (project && hasRvosField(join(project, 'package.json'))) found.push({ dir: project, source: 'project' });
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const p of npmPackagesWithRvosField(join(dir, 'node_modules'))) found.push({ dir: p, source: 'project' });
    if (dirname(dir) === dir) break;
  }
  for (const nm of globalNodeModules()) for (const p of npmPackagesWithRvosField(nm)) found.push({ dir: p, source: 'global' });
  const index = builtinManifests(builtins);
  if (index) {
    for (const dir of index.keys()) found.push({ dir, source: 'builtin' });
  } else if (existsSync(builtins)) {
    for (const name of readdirSync(builtins).sort()) {
      if (existsSync(join(builtins, name, 'package.json'))) found.push({ dir: join(builtins, name), source: 'builtin' });
    }
  }
  found.sort((a, b) => PLUGIN_PRECEDENCE.indexOf(a.source) - PLUGIN_PRECEDENCE.indexOf(b.source));
  // The same folder, or the same package name, reached twice: the first (highest precedence) wins.
  const seen = new Set<string>();
  const chosen = found.filter((c) => {
    const keys = [c.dir, `name:${packageName(c.dir) ?? c.dir}`];
    if (keys.some((k) => seen.has(k))) return false;
    for (const k of keys) seen.add(k);
    return true;
  });
  // Load order: lowest precedence first (built-ins, then global ... --plugin), each group in found order.
  return chosen.sort((a, b) => PLUGIN_PRECEDENCE.indexOf(b.source) - PLUGIN_PRECEDENCE.indexOf(a.source));
}

/** The nearest folder from `cwd` up that has a package.json: the user's project. */
function projectRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Global node_modules: npm's global prefix (npm_config_prefix, a `prefix=` in ~/.npmrc, else the one
 * of the running Node), and the folder rvos itself is installed in.
 */
function globalNodeModules(): string[] {
  const prefixes = [process.env.npm_config_prefix, userNpmrcPrefix(), dirname(dirname(process.execPath))];
  const dirs = prefixes.filter((p): p is string => !!p).map((p) => join(p, 'lib', 'node_modules'));
  const parent = dirname(packageRoot());
  if (basename(parent) === 'node_modules') dirs.push(parent);
  return [...new Set(dirs)];
}

function userNpmrcPrefix(): string | undefined {
  try {
    const line = /^\s*prefix\s*=\s*(.+?)\s*$/m.exec(readFileSync(join(homedir(), '.npmrc'), 'utf8'));
    return line ? resolve(homedir(), line[1].replace(/^~(?=\/|$)/, homedir())) : undefined;
  } catch {
    return undefined; // no ~/.npmrc
  }
}

function packageName(dir: string): string | undefined {
  const known = builtinManifest(dir);
  if (known) return known.name;
  try {
    const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built-in plugins' manifests as the build read and checked them (`dist/plugins/manifests.json`, written by
 * writeBuiltinManifests from scripts/build.mjs): an installed rvos lists its ~37 built-ins and takes their manifests
 * from one file at each start, instead of a folder listing, two reads and a schema check per plugin (~4 % of a hello
 * round trip). A folder without that file (a checkout's plugins/) is read plugin by plugin.
 */
export const BUILTIN_MANIFESTS = 'manifests.json';

/** A built-in's manifest in that file: its folder's name, package name and version, and its checked `rvos` field. */
interface BuiltinManifest {
  folder: string;
  name?: string;
  version?: string;
  rvos: z.infer<typeof manifestSchema>;
}

/** Per built-ins folder read: its manifests by plugin folder (absolute), or undefined without the file. */
const builtinIndexes = new Map<string, Map<string, BuiltinManifest> | undefined>();

function builtinManifests(builtins: string): Map<string, BuiltinManifest> | undefined {
  if (!builtinIndexes.has(builtins)) {
    let index: Map<string, BuiltinManifest> | undefined;
    try {
      const list = JSON.parse(readFileSync(join(builtins, BUILTIN_MANIFESTS), 'utf8')) as BuiltinManifest[];
      index = new Map(list.map((m) => [join(builtins, m.folder), m]));
    } catch {
      index = undefined; // none (a checkout), or unreadable: the plugins are read one by one
    }
    builtinIndexes.set(builtins, index);
  }
  return builtinIndexes.get(builtins);
}

/** The build's manifest of the built-in plugin in `dir`, if its folder has the file. */
function builtinManifest(dir: string): BuiltinManifest | undefined {
  return builtinIndexes.get(dirname(dir))?.get(dir);
}

/** Writes `builtins`/manifests.json: each plugin folder's manifest, read and checked as a run would (scripts/build.mjs). */
export function writeBuiltinManifests(builtins: string): void {
  const registry = new PluginRegistry();
  const list: BuiltinManifest[] = [];
  for (const folder of readdirSync(builtins).sort()) {
    const dir = join(builtins, folder);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown; rvos?: unknown };
    registry.readManifest({ dir, source: 'builtin' }); // throws on a manifest a run would refuse
    list.push({
      folder,
      name: typeof pkg.name === 'string' ? pkg.name : undefined,
      version: typeof pkg.version === 'string' ? pkg.version : undefined,
      rvos: manifestSchema.parse(pkg.rvos),
    });
  }
  writeFileSync(join(builtins, BUILTIN_MANIFESTS), JSON.stringify(list) + '\n');
}

function hasRvosField(file: string): boolean {
  try {
    // Cheap pre-check before parsing: most packages have nothing to do with rvos.
    const text = readFileSync(file, 'utf8');
    return text.includes('"rvos"') && JSON.parse(text).rvos !== undefined;
  } catch {
    return false; // not a package folder
  }
}

function npmPackagesWithRvosField(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const dirs: string[] = [];
  for (const name of readdirSync(nodeModules).sort()) {
    if (name.startsWith('.')) continue;
    const sub = name.startsWith('@') ? readdirSync(join(nodeModules, name)).sort().map((n) => join(name, n)) : [name];
    for (const pkg of sub) if (hasRvosField(join(nodeModules, pkg, 'package.json'))) dirs.push(join(nodeModules, pkg));
  }
  return dirs;
}

/**
 * Imports a plugin's entry module (a built-in's bundled file when a checkout runs its bundle). A
 * TypeScript entry needs a loader: rvos' sources already run under tsx; otherwise rvos registers
 * tsx for that plugin alone (its own tsconfig.json, if any).
 */
async function importEntry(info: PluginInfo): Promise<Record<string, unknown>> {
  // The installed CLI runs a built-in's CommonJS build (scripts/build.mjs) with V8's code cache (scripts/cli-loader.cjs).
  const commonJs = (globalThis as { rvosLoadCommonJs?: (file: string) => Record<string, unknown> }).rvosLoadCommonJs;
  const cjs = info.entry.replace(/\.js$/, '.cjs');
  if (commonJs && info.source === 'builtin' && cjs !== info.entry && existsSync(cjs)) return commonJs(cjs);
  const url = pathToFileURL(bundledPluginEntry(info.entry) ?? info.entry).href;
  if (typeScriptLoaded || !/\.[cm]?tsx?$/.test(info.entry) || bundledPluginEntry(info.entry)) return import(url);
  const { register } = await import('tsx/esm/api');
  const tsconfig = join(info.dir, 'tsconfig.json');
  const scoped = register({ namespace: `rvos-plugin-${info.dir}`, tsconfig: existsSync(tsconfig) ? tsconfig : false });
  return scoped.import(url, import.meta.url);
}

/** Everything the plugins registered, by type name. */
export class PluginRegistry {
  readonly plugins: PluginInfo[] = [];
  /** How long a plugin's entry (its top-level awaits) and register() may take to settle. */
  loadTimeoutMs = 10_000;
  private readonly propKit = createPropKit();
  private readonly archs = new Map<string, { type: ArchType; plugin: PluginInfo }>();
  private readonly devices = new Map<string, { type: DeviceType; plugin: PluginInfo }>();
  private readonly backends = new Map<string, { type: BackendType; plugin: PluginInfo }>();
  private readonly boots = new Map<string, { type: BootProtocol; plugin: PluginInfo }>();

  archTypes(): string[] {
    return [...this.archs.keys()].sort();
  }

  deviceTypes(): string[] {
    return [...this.devices.keys()].sort();
  }

  arch(name: string): ArchType {
    const a = this.archs.get(name);
    if (!a) throw new UserError(`unknown architecture "${name}" (known: ${this.archTypes().join(', ')})`);
    return a.type;
  }

  device(name: string): DeviceType {
    const d = this.devices.get(name);
    if (!d) throw new UserError(`unknown device type "${name}" (known: ${this.deviceTypes().join(', ')})`);
    return d.type;
  }

  backendTypes(): string[] {
    return [...this.backends.keys()].sort();
  }

  /** The backend model for a drive on slot interface `iface` ("virtio"), if a plugin provides one. */
  backendFor(iface: string, media: BackendType['media']): BackendType | undefined {
    for (const name of this.backendTypes()) {
      const b = this.backends.get(name)!.type;
      if (b.interface === iface && b.media === media) return b;
    }
    return undefined;
  }

  providerOf(typeName: string): PluginInfo | undefined {
    return this.devices.get(typeName)?.plugin ?? this.archs.get(typeName)?.plugin ?? this.backends.get(typeName)?.plugin ?? this.boots.get(typeName)?.plugin;
  }

  bootProtocols(): string[] {
    return [...this.boots.keys()].sort();
  }

  /** A boot protocol by name, or undefined (the board check reports unknown ones). */
  bootProtocol(name: string): BootProtocol | undefined {
    return this.boots.get(name)?.type;
  }

  /** Validates a plugin folder's manifest; throws a UserError naming its package.json. */
  readManifest(candidate: PluginCandidate): PluginInfo {
    const file = join(candidate.dir, 'package.json');
    const known = candidate.source === 'builtin' ? builtinManifest(candidate.dir) : undefined;
    if (known) return this.manifestInfo(candidate, file, known.name, known.version, known.rvos);
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (pkg.rvos === undefined) throw new UserError(`${file}: not an rvos plugin (no "rvos" field)`);
    const parsed = manifestSchema.safeParse(pkg.rvos);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = ['rvos', ...issue.path].join('.');
      const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
      throw new UserError(`${file}: ${field}: ${what}`);
    }
    return this.manifestInfo(candidate, file, pkg.name, pkg.version, parsed.data);
  }

  /** The PluginInfo of a checked manifest (`rvos`, with the package's name and version as found). */
  private manifestInfo(candidate: PluginCandidate, file: string, name: unknown, version: unknown, m: z.infer<typeof manifestSchema>): PluginInfo {
    if (m.apiVersion !== PLUGIN_API_VERSION) {
      throw new UserError(`${file}: rvos.apiVersion ${m.apiVersion} is not supported (this rvos speaks apiVersion ${PLUGIN_API_VERSION})`);
    }
    const entry = resolve(candidate.dir, m.entry);
    if (!existsSync(entry)) throw new UserError(`${file}: rvos.entry: ${m.entry} does not exist`);
    return {
      name: typeof name === 'string' ? name : candidate.dir,
      version: typeof version === 'string' ? version : '0.0.0',
      kind: m.kind,
      dir: candidate.dir,
      entry,
      source: candidate.source,
      provides: [],
      declared: m.provides,
      drives: m.drives,
    };
  }

  /**
   * Imports a plugin's entry and lets it register its types. Anything its code does wrong (the
   * import throws, no register(), register() throws or rejects, a top-level await or register()
   * that never settles) is a PluginError naming it.
   */
  async load(candidate: PluginCandidate): Promise<PluginInfo> {
    const info = this.readManifest(candidate);
    const loading = `loading ${info.entry}`;
    let mod: Record<string, unknown>;
    try {
      mod = await settleWithin(importEntry(info), this.loadTimeoutMs, info.name, loading);
    } catch (e) {
      throw PluginError.from(e, info.name, loading);
    }
    const register = (mod.register ?? (mod.default as Record<string, unknown> | undefined)?.register) as PluginRegister | undefined;
    if (typeof register !== 'function') {
      throw new PluginError(info.name, loading, `${info.entry} exports no register(api) function`);
    }
    const api = this.apiFor(info);
    try {
      await settleWithin(Promise.resolve().then(() => register(api)), this.loadTimeoutMs, info.name, 'register()');
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw PluginError.from(e, info.name, 'register()');
    }
    this.plugins.push(info);
    return info;
  }

  /** The API object a plugin's register() receives; also used to register types from code (tests). */
  apiFor(info: PluginInfo): PluginApi {
    const claim = (name: string) => {
      const other = this.providerOf(name);
      if (other) throw new UserError(`plugins ${other.name} (${other.dir}) and ${info.name} (${info.dir}) both provide type "${name}"`);
      info.provides.push(name);
    };
    return {
      apiVersion: PLUGIN_API_VERSION,
      prop: this.propKit,
      defineDevice: (type) => {
        if (info.kind === 'arch') throw new UserError(`plugin ${info.name}: an arch plugin cannot define device type "${type.type}"`);
        try {
          checkPropSchema(type.props);
          checkOutputSchema(type.outputs);
          if (typeof type.create !== 'function') throw new Error('create(ctx) is missing');
          const rtc = type.rtcBaseProp;
          if (rtc !== undefined && type.props?.[rtc]?.kind !== 'string') throw new Error(`rtcBaseProp: "${rtc}" is not one of its string props`);
        } catch (e) {
          throw new Error(`device type "${type.type}": ${(e as Error).message}`);
        }
        claim(type.type);
        this.devices.set(type.type, { type: type as DeviceType, plugin: info });
      },
      defineArch: (type) => {
        if (info.kind === 'device') throw new UserError(`plugin ${info.name}: a device plugin cannot define architecture "${type.type}"`);
        claim(type.type);
        this.archs.set(type.type, { type, plugin: info });
      },
      defineBackend: (type) => {
        if (info.kind === 'arch') throw new UserError(`plugin ${info.name}: an arch plugin cannot define backend type "${type.type}"`);
        if (info.declared !== undefined && !info.drives?.includes(type.interface)) {
          throw new UserError(`plugin ${info.name}: backend type "${type.type}" speaks slot interface "${type.interface}", which its manifest's rvos.drives does not list (machines with drives would not load it)`);
        }
        claim(type.type);
        this.backends.set(type.type, { type, plugin: info });
      },
      defineBoot: (protocol) => {
        if (info.kind === 'device') throw new UserError(`plugin ${info.name}: a device plugin cannot define boot protocol "${protocol.name}"`);
        if (typeof protocol.boot !== 'function') throw new Error(`boot protocol "${protocol.name}": boot(ctx) is missing`);
        claim(protocol.name);
        this.boots.set(protocol.name, { type: protocol, plugin: info });
      },
    };
  }

  /**
   * Loads only the plugins a machine needs (start-up time grows with every plugin imported): those
   * whose manifest declares one of `types`, those that declare nothing (they could provide
   * anything), and, with `backends`, those whose manifest lists drive interfaces (`rvos.drives`:
   * drive models are found by interface).
   * When some needed type is declared by no manifest, everything is loaded, so errors list all
   * known types.
   */
  async loadFor(candidates: PluginCandidate[], types: ReadonlySet<string>, backends: boolean): Promise<void> {
    const infos = candidates.map((c) => ({ c, info: this.readManifest(c) }));
    const declared = new Set(infos.flatMap(({ info }) => info.declared ?? []));
    const lazy = [...types].every((t) => declared.has(t));
    for (const { c, info } of infos) {
      const wanted = !lazy || info.declared === undefined || info.declared.some((t) => types.has(t)) || (backends && info.kind !== 'arch' && (info.drives?.length ?? 0) > 0);
      if (wanted) await this.load(c);
    }
  }

  async loadAll(candidates: PluginCandidate[]): Promise<void> {
    for (const c of candidates) await this.load(c);
  }
}

/**
 * Awaits a plugin's promise (its entry module's evaluation, its register()), failing after `ms`.
 * A top-level await that never settles would otherwise let Node exit silently (code 13) once
 * nothing else is pending: the ref'd timer keeps the process alive until it reports the plugin,
 * and an exit hook names the plugin if the process ends some other way meanwhile.
 */
async function settleWithin<T>(promise: Promise<T>, ms: number, plugin: string, what: string): Promise<T> {
  const onExit = (code: number) => {
    process.stderr.write(`rvos: plugin ${plugin}: ${what} never finished (a top-level await or register() that never settles?)\n`);
    if (code === 0 || code === 13) process.exitCode = EXIT.pluginError;
  };
  process.on('exit', onExit);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not settle within ${ms / 1000} s (a top-level await or a promise that never settles?)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    process.off('exit', onExit);
  }
}
