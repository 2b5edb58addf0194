import { Command, Flags } from '@oclif/core';
import { EXIT, PluginError, UserError } from '../../core/errors.js';

/** Flags every command shares, and one error style: "rvos: <message>" with a clear exit code. */
export abstract class RvosCommand extends Command {
  static override baseFlags = {
    config: Flags.string({ char: 'c', description: 'config file (default: ./rvos.config.yaml when present)', helpGroup: 'GLOBAL' }),
    plugin: Flags.string({ description: 'extra plugin folder (a plugin, or a folder of plugins); repeatable', multiple: true, helpGroup: 'GLOBAL' }),
  };

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof UserError) {
      process.stderr.write(`rvos: ${err.message}\n`);
      process.exit(EXIT.badInput);
    }
    if (err instanceof PluginError) {
      process.stderr.write(`rvos: ${err.message}\n`);
      process.exit(EXIT.pluginError);
    }
    // A bad flag or argument: one line, not the whole usage (oclif prints both).
    if (err.oclif && isParseError(err)) {
      process.stderr.write(`rvos ${this.id?.replaceAll(':', ' ')}: ${parseErrorLine(err.message)} (see --help)\n`);
      process.exit(EXIT.badInput);
    }
    // oclif's other errors (this.exit()) keep oclif's handling.
    if (err.oclif) return super.catch(err);
    process.stderr.write(`rvos: internal error: ${err.stack ?? err.message}\n`);
    process.exit(EXIT.hostError);
  }
}

/** oclif's flag and argument parse errors all end with this hint. */
function isParseError(err: Error): boolean {
  return err.message.trimEnd().endsWith('See more help with --help');
}

/** Folds oclif's multi-line parse error into one line: "--cpus: Expected an integer but received: x". */
export function parseErrorLine(message: string): string {
  const lines = message
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'See more help with --help' && !/^The following errors? occurred:$/.test(l));
  const parsing = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '');
  if (parsing) return `${parsing[1]}: ${lines.slice(1).join('; ')}`;
  return lines.join('; ');
}

/** Writes to stdout and resolves once it is flushed (pipes are asynchronous). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

export function hex(x: number, width = 8): string {
  return '0x' + x.toString(16).padStart(width, '0');
}

/** Formats rows as aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}
