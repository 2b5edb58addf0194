import { writeFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { createContainer, TOKENS, type MachineFactory } from '../core/container.js';
import { loadConfig } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { parseMemoryFlag } from '../core/session.js';
import { RvosCommand } from './support/base.js';

export default class Dtb extends RvosCommand {
  static override summary = 'Write the flattened device tree (DTB) generated from a board.';
  static override description = 'The same DTB the guest receives at boot (generated from the board, or the board\'s devicetree.file). Decompile it with `dtc -I dtb -O dts FILE`.';
  static override examples = ['<%= config.bin %> dtb --board virt -o virt.dtb', '<%= config.bin %> dtb -o - | dtc -I dtb -O dts', '<%= config.bin %> dtb --board virt --cpus 4 --append "console=ttyS0" -o virt4.dtb'];
  static override flags = {
    board: Flags.string({ char: 'b', description: 'board name or path' }),
    output: Flags.string({ char: 'o', description: 'output file, or - for standard output', required: true }),
    cpus: Flags.integer({ description: 'number of CPUs', min: 1, max: 64 }),
    memory: Flags.string({ char: 'm', description: 'RAM size, e.g. 256MiB' }),
    append: Flags.string({ description: 'kernel command line for /chosen/bootargs' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dtb);
    const config = loadConfig(flags.config);
    const memory = flags.memory !== undefined ? parseMemoryFlag(flags.memory) : config.memory;
    const container = createContainer({ config, pluginPaths: flags.plugin ?? [] });
    const machine = await container.get<MachineFactory>(TOKENS.MachineFactory).create(flags.board, {
      cpus: flags.cpus ?? config.cpus,
      memory,
      bootargs: flags.append ?? config.append,
      noBoot: true,
    });
    await machine.close(); // the devices were created (and may hold files or sockets); only the tree is wanted
    if (machine.dtb.length === 0) {
      const o = machine.board.origin('devicetree.mode');
      throw new UserError(`board ${machine.board.name} has no device tree (${o.file}:${o.line}: devicetree.mode: none)`);
    }
    if (flags.output === '-') {
      await new Promise<void>((resolve) => process.stdout.write(machine.dtb, () => resolve()));
      return;
    }
    try {
      writeFileSync(flags.output, machine.dtb);
    } catch (e) {
      throw new UserError(`-o ${flags.output}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stderr.write(`wrote ${flags.output} (${machine.dtb.length} bytes)\n`);
  }
}
