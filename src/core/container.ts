import 'reflect-metadata';
import { Container, inject, injectable } from 'inversify';
import type { Board } from './board.js';
import { loadBoard, resolveBoardFile } from './board.js';
import { buildMachine, type BuildOptions } from './builder.js';
import { loadConfig, type RvosConfig } from './config.js';
import { UserError } from './errors.js';
import type { Machine } from './machine.js';
import { discoverPlugins, PluginRegistry, type PluginCandidate } from './plugins.js';
import { startupMark } from './startup-trace.js';

/**
 * Start-up wiring. Services are resolved once, when a command starts; nothing on the execution
 * path goes through the container. Constructor parameters name their token explicitly because
 * esbuild (tsx, vitest) emits no decorator metadata.
 */
export const TOKENS = {
  Settings: Symbol.for('rvos.Settings'),
  PluginService: Symbol.for('rvos.PluginService'),
  BoardService: Symbol.for('rvos.BoardService'),
  MachineFactory: Symbol.for('rvos.MachineFactory'),
} as const;

/** What the command line contributed before the container was built. */
export interface Settings {
  config: RvosConfig;
  /** `--plugin` paths. */
  pluginPaths: string[];
  cwd: string;
}

@injectable()
export class PluginService {
  private registry: PluginRegistry | undefined;

  constructor(@inject(TOKENS.Settings) private readonly settings: Settings) {}

  candidates(): PluginCandidate[] {
    const extra: PluginCandidate[] = [
      ...this.settings.config.plugins.map((dir) => ({ dir, source: 'config' as const })),
      ...this.settings.pluginPaths.map((dir) => ({ dir, source: 'flag' as const })),
    ];
    return discoverPlugins(extra, this.settings.cwd);
  }

  /** Discovers and loads every plugin once (`rvos plugins`). */
  async load(): Promise<PluginRegistry> {
    if (!this.registry) {
      const registry = new PluginRegistry();
      await registry.loadAll(this.candidates());
      this.registry = registry;
    }
    return this.registry;
  }

  /** Loads the plugins a board needs (its arch, boot protocol and device types; drive models when asked). */
  async loadFor(board: Board, backends: boolean): Promise<PluginRegistry> {
    if (this.registry) return this.registry;
    const types = new Set([board.arch, ...board.devices.map((d) => d.type), ...(board.boot.protocol ? [board.boot.protocol] : [])]);
    const registry = new PluginRegistry();
    await registry.loadFor(this.candidates(), types, backends);
    return (this.registry = registry);
  }
}

@injectable()
export class BoardService {
  constructor(@inject(TOKENS.Settings) private readonly settings: Settings) {}

  /** Loads a board by name or path; defaults to the config's board, then `virt`. */
  load(nameOrPath?: string): Board {
    const { config, cwd } = this.settings;
    const name = nameOrPath ?? config.board ?? 'virt';
    if (nameOrPath === undefined && config.board !== undefined && config.where) {
      // A board the config names but that does not exist: say so with the config's file and line.
      try {
        resolveBoardFile(name, cwd);
      } catch (e) {
        if (e instanceof UserError) throw new UserError(`${config.where(['board'])}: ${e.message}`);
        throw e;
      }
    }
    return loadBoard(name, cwd);
  }
}

@injectable()
export class MachineFactory {
  constructor(
    @inject(TOKENS.PluginService) private readonly plugins: PluginService,
    @inject(TOKENS.BoardService) private readonly boards: BoardService,
  ) {}

  async create(board: string | undefined, opts: BuildOptions): Promise<Machine> {
    const b = this.boards.load(board);
    startupMark('board file read');
    // Drive models are needed when drives are given, or the board's default disk may be used.
    const drives = !opts.noBoot && (opts.drives !== undefined ? opts.drives.length > 0 : opts.kernel === undefined && !!b.boot.drive);
    const registry = await this.plugins.loadFor(b, drives);
    startupMark(`plugins found and loaded (${registry.plugins.length})`);
    const machine = buildMachine(registry, b, opts);
    startupMark('machine built');
    return machine;
  }

  /** The plugins the last machine was built with. */
  registry(): Promise<PluginRegistry> {
    return this.plugins.load();
  }
}

export function createContainer(settings: Partial<Settings> = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const full: Settings = {
    cwd: settings.cwd ?? process.cwd(),
    pluginPaths: settings.pluginPaths ?? [],
    config: settings.config ?? loadConfig(undefined, settings.cwd ?? process.cwd()),
  };
  container.bind<Settings>(TOKENS.Settings).toConstantValue(full);
  container.bind(TOKENS.PluginService).to(PluginService);
  container.bind(TOKENS.BoardService).to(BoardService);
  container.bind(TOKENS.MachineFactory).to(MachineFactory);
  return container;
}
