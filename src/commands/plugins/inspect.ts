import { Args } from '@oclif/core';
import type { AccessRules } from '../../core/api.js';
import { createContainer, TOKENS, type PluginService } from '../../core/container.js';
import { loadConfig } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { describeProps } from '../../core/props.js';
import { RvosCommand, writeOut } from '../support/base.js';

export default class PluginsInspect extends RvosCommand {
  static override summary = 'Show one plugin: where it was found, and each type it provides with its props, outputs and access rules.';
  static override description = 'NAME is a plugin package name (see `rvos plugins`) or a type it provides (a device, arch or backend type).';
  static override examples = ['<%= config.bin %> plugins inspect plic', '<%= config.bin %> plugins inspect @rvos/dev-ns16550', '<%= config.bin %> plugins inspect countdown --plugin ./rvos-dev-countdown'];
  static override args = { name: Args.string({ description: 'plugin package name or type name', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsInspect);
    const container = createContainer({ config: loadConfig(flags.config), pluginPaths: flags.plugin ?? [] });
    const registry = await container.get<PluginService>(TOKENS.PluginService).load();
    const plugin = registry.plugins.find((p) => p.name === args.name) ?? registry.providerOf(args.name);
    if (!plugin) {
      const names = registry.plugins.map((p) => p.name).join(', ');
      throw new UserError(`plugins inspect ${args.name}: no plugin or type of that name (plugins: ${names})`);
    }
    const out = [
      `${plugin.name} ${plugin.version}`,
      `  kind       ${plugin.kind}`,
      `  found      ${plugin.source} (${plugin.dir})`,
      `  entry      ${plugin.entry}`,
      `  provides   ${plugin.provides.join(', ') || '(nothing)'}`,
    ];
    for (const name of plugin.provides) {
      out.push('');
      if (registry.deviceTypes().includes(name)) {
        const t = registry.device(name);
        out.push(`device ${name}: ${t.description}`);
        if (t.compatible?.length) out.push(`  compatible ${t.compatible.join(', ')}`);
        const props = describeProps(t.props);
        out.push(props.length ? '  props' : '  props      (none)');
        for (const p of props) out.push(`    ${p.name.padEnd(22)} ${p.type}${p.description ? `: ${p.description}` : ''}`);
        const outputs = Object.entries(t.outputs ?? {});
        out.push(outputs.length ? '  outputs' : '  outputs    (none)');
        for (const [o, spec] of outputs) {
          const how = [spec.perCpu ? 'one per CPU' : '', spec.required ? 'required' : ''].filter(Boolean).join(', ');
          out.push(`    ${o.padEnd(22)} ${how ? `(${how}) ` : ''}${spec.description}`);
        }
        if (t.access) out.push(`  access     ${describeAccess(t.access)}`);
      } else if (registry.archTypes().includes(name)) {
        const a = registry.arch(name);
        out.push(`arch ${name}: ${a.description}`, `  ELF        class ${a.elfClass === 2 ? 64 : 32}, e_machine ${a.elfMachine}`);
      } else if (registry.bootProtocols().includes(name)) {
        const b = registry.bootProtocol(name)!;
        out.push(`boot protocol ${name}: ${b.description}`, `  archs      ${b.archs?.join(', ') ?? 'any'}`);
      } else {
        out.push(`backend ${name}`);
      }
    }
    await writeOut(out.join('\n') + '\n');
  }
}

function describeAccess(a: AccessRules): string {
  const parts = [`sizes ${(a.sizes ?? [1, 2, 4]).join(',')}`];
  if (a.aligned) parts.push('aligned');
  if (a.extent !== undefined) parts.push(`decodes 0x${a.extent.toString(16)} bytes`);
  return parts.join(', ');
}
