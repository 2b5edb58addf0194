import { createContainer, TOKENS, type PluginService } from '../../core/container.js';
import { loadConfig } from '../../core/config.js';
import { RvosCommand, table, writeOut } from '../support/base.js';

export default class Plugins extends RvosCommand {
  static override summary = 'List the loaded plugins: kind, version, provided types and where they come from.';
  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --plugin ./my-plugins'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Plugins);
    const container = createContainer({ config: loadConfig(flags.config), pluginPaths: flags.plugin ?? [] });
    const registry = await container.get<PluginService>(TOKENS.PluginService).load();
    const rows = [['NAME', 'KIND', 'VERSION', 'PROVIDES', 'SOURCE', 'PATH']];
    for (const p of registry.plugins) rows.push([p.name, p.kind, p.version, p.provides.join(','), p.source, p.dir]);
    await writeOut(table(rows));
  }
}
