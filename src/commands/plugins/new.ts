import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { UserError } from '../../core/errors.js';
import { compiled, packageRoot } from '../../core/paths.js';
import { deviceFiles } from '../../scaffold/device-plugin.js';
import { RvosCommand } from '../support/base.js';

export default class PluginsNew extends RvosCommand {
  static override summary = 'Create a device plugin package that works out of the box.';
  static override description = `Writes a plugin package: manifest (the "rvos" field), a TypeScript device (register map, declared props,
one interrupt output, a device-tree node), a board that extends virt to add it, a guest program that drives it
(assembly source and binary), a README and a vitest test that boots the guest. Then: cd DIR && npm install && npm test.

NAME is the npm package name; the device type is its last part without an "rvos-" or "dev-" prefix.`;
  static override examples = ['<%= config.bin %> plugins new rvos-dev-countdown', '<%= config.bin %> plugins new @acme/rvos-timer --dir ./plugins/timer'];
  static override args = { name: Args.string({ description: 'npm package name of the plugin', required: true }) };
  static override flags = {
    dir: Flags.string({ description: 'folder to create (default: ./NAME without its scope); must be empty or absent' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsNew);
    const name = args.name;
    if (!/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(name) || name.length > 214) {
      throw new UserError(`plugins new ${name}: not a valid npm package name (lower case letters, digits, - . _, optionally @scope/)`);
    }
    const type = basename(name).replace(/^rvos-/, '').replace(/^dev-/, '');
    if (!/^[a-z][a-z0-9_-]*$/.test(type)) throw new UserError(`plugins new ${name}: "${type}" cannot be a device type name (start with a letter)`);
    const dir = resolve(flags.dir ?? basename(name));
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError(`plugins new: ${dir} exists and is not empty`);
    const root = packageRoot();
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
    const files = deviceFiles({ packageName: name, type, rvosDir: root, rvosVersion: version });
    try {
      for (const [path, contents] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), contents);
      }
    } catch (e) {
      throw new UserError(`plugins new: cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const shown = relative(process.cwd(), dir) || '.';
    this.log(`Created ${name} (device type "${type}") in ${shown}:`);
    for (const path of files.keys()) this.log(`  ${path}`);
    this.log(`\nNext: cd ${shown} && npm install && npm test`);
    // The package's `rvos/testing` and `rvos/plugin-api` are its compiled dist/ (a checkout runs sources).
    if (!compiled && !existsSync(join(root, 'dist', 'src', 'testing', 'index.js'))) {
      this.log(`(rvos runs from its sources here: run \`npm run build\` in ${root} first, so rvos/testing resolves)`);
    }
  }
}
