import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_MANIFESTS, discoverPlugins, PluginRegistry, writeBuiltinManifests } from '../../../src/core/plugins.js';

function plugin(root: string, name: string, manifest: unknown, entry?: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  if (entry !== undefined) writeFileSync(join(dir, 'index.js'), entry);
  return dir;
}

const deviceEntry = (type: string) =>
  `export function register(api) { api.defineDevice({ type: '${type}', description: 'test', create: () => ({ name: 'x' }) }); }`;
const backendEntry = (type: string, iface: string) =>
  `export function register(api) { api.defineBackend({ type: '${type}', description: 'test', interface: '${iface}', media: 'disk', create: () => ({}) }); }`;
const rvos = { apiVersion: 1, kind: 'device', entry: 'index.js' };

describe('plugin registry', () => {
  const root = mkdtempSync(join(tmpdir(), 'rvos-plugins-'));

  it('loads a third-party plugin and records what it provides', async () => {
    const dir = plugin(root, 'good', { name: 'rvos-dev-good', version: '1.2.3', rvos }, deviceEntry('good-dev'));
    const reg = new PluginRegistry();
    const info = await reg.load({ dir, source: 'flag' });
    expect(info).toMatchObject({ name: 'rvos-dev-good', version: '1.2.3', kind: 'device', provides: ['good-dev'], source: 'flag' });
    expect(reg.device('good-dev').description).toBe('test');
    expect(reg.providerOf('good-dev')?.dir).toBe(dir);
  });

  it('discovers the built-in plugins through the same path', () => {
    const found = discoverPlugins([], root);
    expect(found.filter((c) => c.source === 'builtin').map((c) => c.dir.split('/').pop())).toContain('arch-rv32');
  });

  it("takes built-ins from the build's manifests.json as it would from each package.json", async () => {
    // The same two built-ins in two folders, one with the file the build writes (scripts/build.mjs).
    const [plain, indexed] = ['builtins-plain', 'builtins-indexed'].map((f) => {
      const dir = join(root, f);
      plugin(dir, 'dev-a', { name: '@rvos/dev-a', version: '0.1.0', rvos: { ...rvos, provides: ['a-dev'] } }, deviceEntry('a-dev'));
      plugin(dir, 'dev-b', { rvos: { ...rvos, drives: ['virtio'] } }, deviceEntry('b-dev')); // no name, no version
      mkdirSync(join(dir, 'chunks')); // shared code: no package.json, not a plugin
      return dir;
    });
    writeBuiltinManifests(indexed);
    expect(existsSync(join(indexed, BUILTIN_MANIFESTS))).toBe(true);
    // The file is what a start reads: a package.json changed after the build is not read again.
    writeFileSync(join(indexed, 'dev-a', 'package.json'), '{ "broken": ');
    const builtins = (dir: string) => discoverPlugins([], root, dir).filter((c) => c.source === 'builtin');
    const relative = (dir: string, v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(dir, '<builtins>'));
    for (const dir of [plain, indexed]) expect(relative(dir, builtins(dir))).toEqual([
      { dir: '<builtins>/dev-a', source: 'builtin' },
      { dir: '<builtins>/dev-b', source: 'builtin' },
    ]);
    const infos = (dir: string) => builtins(dir).map((c) => relative(dir, new PluginRegistry().readManifest(c)));
    expect(infos(indexed)).toEqual(infos(plain));
    expect(infos(plain)[1]).toMatchObject({ name: '<builtins>/dev-b', version: '0.0.0', drives: ['virtio'] });
    // Loading goes through the same entry files.
    const reg = new PluginRegistry();
    await reg.loadAll(builtins(indexed));
    expect(reg.deviceTypes()).toEqual(['a-dev', 'b-dev']);
  });

  it('rejects malformed manifests with the file named', async () => {
    const reg = new PluginRegistry();
    const bad = plugin(root, 'badjson', '{ "name": ');
    await expect(reg.load({ dir: bad, source: 'flag' })).rejects.toThrow(`${join(bad, 'package.json')}: not valid JSON`);
    const norvos = plugin(root, 'norvos', { name: 'x' });
    await expect(reg.load({ dir: norvos, source: 'flag' })).rejects.toThrow(/no "rvos" field/);
    const kind = plugin(root, 'kind', { name: 'x', rvos: { ...rvos, kind: 'gpu' } });
    await expect(reg.load({ dir: kind, source: 'flag' })).rejects.toThrow(/package\.json: rvos\.kind: /);
    const extra = plugin(root, 'extra', { name: 'x', rvos: { ...rvos, colour: 1 } });
    await expect(reg.load({ dir: extra, source: 'flag' })).rejects.toThrow(/rvos: unknown field\(s\) colour/);
  });

  it('rejects an unsupported apiVersion', async () => {
    const dir = plugin(root, 'v2', { name: 'future', rvos: { ...rvos, apiVersion: 2 } }, deviceEntry('f'));
    await expect(new PluginRegistry().load({ dir, source: 'flag' })).rejects.toThrow(/rvos\.apiVersion 2 is not supported \(this rvos speaks apiVersion 1\)/);
  });

  it('rejects a missing entry, an entry that fails to load, and one without register()', async () => {
    const reg = new PluginRegistry();
    const missing = plugin(root, 'missing', { name: 'm', rvos: { ...rvos, entry: 'nope.js' } });
    await expect(reg.load({ dir: missing, source: 'flag' })).rejects.toThrow(/rvos\.entry: nope\.js does not exist/);
    const broken = plugin(root, 'broken', { name: 'broken', rvos }, 'throw new Error("boom at import")');
    await expect(reg.load({ dir: broken, source: 'flag' })).rejects.toThrow(/^plugin broken: loading .*index\.js failed: boom at import$/);
    const syntax = plugin(root, 'syntax', { name: 'syntax', rvos }, 'export function register( {');
    await expect(reg.load({ dir: syntax, source: 'flag' })).rejects.toThrow(/^plugin syntax: loading .*index\.js failed: /);
    const noreg = plugin(root, 'noreg', { name: 'noreg', rvos }, 'export const x = 1;');
    await expect(reg.load({ dir: noreg, source: 'flag' })).rejects.toThrow(/exports no register\(api\) function/);
  });

  it('rejects two plugins providing the same type name', async () => {
    const reg = new PluginRegistry();
    await reg.load({ dir: plugin(root, 'a', { name: 'plugin-a', rvos }, deviceEntry('uart')), source: 'flag' });
    const b = plugin(root, 'b', { name: 'plugin-b', rvos }, deviceEntry('uart'));
    await expect(reg.load({ dir: b, source: 'flag' })).rejects.toThrow(/plugins plugin-a .* and plugin-b .* both provide type "uart"/);
  });

  it('keeps device plugins from defining architectures', async () => {
    const dir = plugin(root, 'sneaky', { name: 'sneaky', rvos }, `export function register(api) { api.defineArch({ type: 'rv99' }); }`);
    await expect(new PluginRegistry().load({ dir, source: 'flag' })).rejects.toThrow(/a device plugin cannot define architecture "rv99"/);
  });

  it('finds npm packages with an rvos field and folders given by path', () => {
    const project = mkdtempSync(join(tmpdir(), 'rvos-project-'));
    plugin(join(project, 'node_modules'), 'rvos-dev-npm', { name: 'rvos-dev-npm', rvos }, deviceEntry('npm-dev'));
    plugin(join(project, 'node_modules', '@acme'), 'rvos-timer', { name: '@acme/rvos-timer', rvos }, deviceEntry('acme-timer'));
    plugin(join(project, 'node_modules'), 'left-pad', { name: 'left-pad' });
    plugin(join(project, 'local'), 'one', { name: 'one', rvos }, deviceEntry('one'));
    const found = discoverPlugins([{ dir: 'local', source: 'config' }], project);
    const names = found.map((c) => `${c.source}:${c.dir.replace(project, '')}`);
    expect(names).toContain('project:/node_modules/rvos-dev-npm');
    expect(names).toContain('project:/node_modules/@acme/rvos-timer');
    expect(names).toContain('config:/local/one');
    expect(names.some((n) => n.includes('left-pad'))).toBe(false);
    expect(() => discoverPlugins([{ dir: 'nowhere', source: 'flag' }], project)).toThrow(/plugin path nowhere: no such folder/);
  });

  it('loads a package found in several places once, from the place of highest precedence', () => {
    const home = mkdtempSync(join(tmpdir(), 'rvos-precedence-'));
    const prefix = join(home, 'prefix');
    const project = join(home, 'proj');
    const sub = join(project, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-kernel' }));
    plugin(join(prefix, 'lib', 'node_modules'), 'rvos-dev-x', { name: 'rvos-dev-x', rvos }, deviceEntry('x'));
    plugin(join(prefix, 'lib', 'node_modules'), 'rvos-dev-g', { name: 'rvos-dev-g', rvos }, deviceEntry('g'));
    plugin(join(project, 'node_modules'), 'rvos-dev-x', { name: 'rvos-dev-x', rvos }, deviceEntry('x'));
    plugin(join(home, 'mine'), 'x', { name: 'rvos-dev-x', rvos }, deviceEntry('x'));
    const saved = process.env.npm_config_prefix;
    process.env.npm_config_prefix = prefix;
    try {
      const where = (found: ReturnType<typeof discoverPlugins>) => found.filter((c) => c.source !== 'builtin').map((c) => `${c.source}:${c.dir.replace(home, '')}`);
      // From a folder deep in the project: project packages shadow global ones of the same name.
      expect(where(discoverPlugins([], sub))).toEqual(['global:/prefix/lib/node_modules/rvos-dev-g', 'project:/proj/node_modules/rvos-dev-x']);
      // --plugin shadows both; built-ins load first, the flag's plugin last.
      const found = discoverPlugins([{ dir: join(home, 'mine', 'x'), source: 'flag' }], sub);
      expect(where(found)).toEqual(['global:/prefix/lib/node_modules/rvos-dev-g', 'flag:/mine/x']);
      expect(found[0].source).toBe('builtin');
      // A project that is itself a plugin (its author working in it) is found from inside it.
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'rvos-dev-self', rvos }));
      expect(where(discoverPlugins([], sub))).toContain('project:/proj');
    } finally {
      if (saved === undefined) delete process.env.npm_config_prefix;
      else process.env.npm_config_prefix = saved;
    }
  });

  it("finds global packages under a prefix set in the user's ~/.npmrc", () => {
    const home = mkdtempSync(join(tmpdir(), 'rvos-npmrc-'));
    writeFileSync(join(home, '.npmrc'), 'fund=false\nprefix = ~/.npm-global\n');
    plugin(join(home, '.npm-global', 'lib', 'node_modules'), 'rvos-dev-rc', { name: 'rvos-dev-rc', rvos }, deviceEntry('rc'));
    const saved = { home: process.env.HOME, prefix: process.env.npm_config_prefix };
    process.env.HOME = home;
    delete process.env.npm_config_prefix;
    try {
      const found = discoverPlugins([], home).filter((c) => c.source === 'global');
      expect(found.map((c) => c.dir)).toContain(join(home, '.npm-global', 'lib', 'node_modules', 'rvos-dev-rc'));
    } finally {
      process.env.HOME = saved.home;
      if (saved.prefix !== undefined) process.env.npm_config_prefix = saved.prefix;
    }
  });

  it('loads only the plugins a board needs, all when a needed type is declared nowhere', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rvos-lazy-'));
    const a = plugin(root, 'a', { name: 'pa', rvos: { ...rvos, provides: ['a'] } }, deviceEntry('a'));
    const b = plugin(root, 'b', { name: 'pb', rvos: { ...rvos, provides: ['b'] } }, deviceEntry('b'));
    const c = plugin(root, 'c', { name: 'pc', rvos }, deviceEntry('c'));
    const d = plugin(root, 'd', { name: 'pd', rvos: { ...rvos, provides: ['d-blk'], drives: ['dbus'] } }, backendEntry('d-blk', 'dbus'));
    const candidates = [a, b, c, d].map((dir) => ({ dir, source: 'flag' as const }));
    const names = async (types: string[], backends = false) => {
      const reg = new PluginRegistry();
      await reg.loadFor(candidates, new Set(types), backends);
      return reg.plugins.map((p) => p.name);
    };
    expect(await names(['a'])).toEqual(['pa', 'pc']); // pc declares nothing: it could provide anything
    // Drive models are found by interface: with drives, the plugins whose manifest lists drive interfaces too.
    expect(await names(['a'], true)).toEqual(['pa', 'pc', 'pd']);
    expect(await names(['a', 'typo'])).toEqual(['pa', 'pb', 'pc', 'pd']); // so the error can list every known type
  });

  it('runs a built-in\'s CommonJS build through the installed CLI\'s loader (its code cache), anything else by import()', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rvos-cjs-'));
    const dir = plugin(root, 'dev-x', { name: 'px', rvos }, deviceEntry('x-from-esm'));
    writeFileSync(join(dir, 'index.cjs'), '');
    const loaded: string[] = [];
    const hook = globalThis as { rvosLoadCommonJs?: (file: string) => Record<string, unknown> };
    hook.rvosLoadCommonJs = (file) => {
      loaded.push(file);
      return { register: (api: { defineDevice(t: unknown): void }) => api.defineDevice({ type: 'x-from-cjs', description: 'test', create: () => ({ name: 'x' }) }) };
    };
    try {
      expect((await new PluginRegistry().load({ dir, source: 'builtin' })).provides).toEqual(['x-from-cjs']);
      expect(loaded).toEqual([join(dir, 'index.cjs')]);
      expect((await new PluginRegistry().load({ dir, source: 'global' })).provides).toEqual(['x-from-esm']); // not a built-in
    } finally {
      delete hook.rvosLoadCommonJs;
    }
    expect((await new PluginRegistry().load({ dir, source: 'builtin' })).provides).toEqual(['x-from-esm']); // no loader: import()
    expect(loaded).toHaveLength(1);
  });

  it('refuses a drive model whose interface the manifest\'s rvos.drives does not list (a machine with drives would miss it)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rvos-drives-'));
    const dir = plugin(root, 'blk', { name: 'pblk', rvos: { ...rvos, provides: ['x-blk'] } }, backendEntry('x-blk', 'xbus'));
    await expect(new PluginRegistry().load({ dir, source: 'flag' })).rejects.toThrow(/plugin pblk: backend type "x-blk" speaks slot interface "xbus", which its manifest's rvos.drives does not list/);
    const undeclared = plugin(root, 'any', { name: 'pany', rvos }, backendEntry('y-blk', 'ybus'));
    expect((await new PluginRegistry().load({ dir: undeclared, source: 'flag' })).provides).toEqual(['y-blk']);
  });
});
