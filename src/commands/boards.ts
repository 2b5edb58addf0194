import { Args } from '@oclif/core';
import { listBoards, loadBoard } from '../core/board.js';
import { createContainer, TOKENS, type MachineFactory } from '../core/container.js';
import { loadConfig } from '../core/config.js';
import { formatIrq } from '../core/outputs.js';
import { RvosCommand, hex, table, writeOut } from './support/base.js';

export default class Boards extends RvosCommand {
  static override summary = 'List the built-in boards, or show one board\'s memory map.';
  static override examples = ['<%= config.bin %> boards', '<%= config.bin %> boards virt', '<%= config.bin %> boards ./my-board.yaml'];
  static override args = { board: Args.string({ description: 'board name or path to a board .yaml' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Boards);
    if (!args.board) {
      const rows = [['NAME', 'ARCH', 'CPUS', 'DESCRIPTION']];
      for (const name of listBoards()) {
        const b = loadBoard(name);
        rows.push([name, b.arch, String(b.cpus), b.description]);
      }
      await writeOut(table(rows));
      return;
    }
    // Built like `rvos run` and `rvos dtb` build it (without booting), so a board this command
    // shows is one they accept: the same checks, the same messages.
    const container = createContainer({ config: loadConfig(flags.config), pluginPaths: flags.plugin ?? [] });
    const { board } = await container.get<MachineFactory>(TOKENS.MachineFactory).create(args.board, { noBoot: true });
    const lines = [
      `${board.name}: ${board.description}`,
      `arch ${board.arch}, ${board.cpus} CPU(s), file ${board.files.join(' extends ')}`,
      '',
    ];
    const m = board.memory;
    const memory = [{ base: m.base, size: m.size, name: 'memory', type: 'ram', irq: '' }];
    for (const [base, size] of m.holes ?? []) memory.push({ base, size, name: '(hole)', type: 'not ram', irq: '' });
    const ports: typeof memory = [];
    for (const d of board.devices) {
      const windows = [...d.reg.map((w) => ({ w, list: memory })), ...d.io.map((w) => ({ w, list: ports }))];
      windows.forEach(({ w: [base, size], list }, i) =>
        list.push({ base, size, name: windows.length > 1 ? `${d.name}[${i}]` : d.name, type: d.type, irq: formatIrq(d.irq) }),
      );
    }
    const listing = (entries: typeof memory, first: string, digits: number) => {
      const rows = [[first, 'END', 'SIZE', 'NAME', 'TYPE', 'IRQ']];
      entries.sort((a, b) => a.base - b.base);
      for (const e of entries) rows.push([hex(e.base, digits), hex(e.base + e.size - 1, digits), hex(e.size, 0), e.name, e.type, e.irq]);
      return table(rows);
    };
    lines.push(listing(memory, 'START', 8));
    if (ports.length > 0) lines.push('I/O ports:', listing(ports, 'PORT', 4));
    const boot = board.boot;
    lines.push(
      `boot: firmware ${boot.firmware ?? 'none'}, kernel ${boot.kernel ?? '(none)'}${boot.kernelAddress !== undefined ? ` at ${hex(boot.kernelAddress)}` : ''}` +
        (boot.drive ? `, drive ${boot.drive}` : ''),
    );
    await writeOut(lines.join('\n') + '\n');
  }
}
