import { Args } from '@oclif/core';
import { RvfsImage } from '../../core/disk/rvfs.js';
import { RvosCommand, table, writeOut } from '../support/base.js';

export default class DiskList extends RvosCommand {
  static override summary = 'List the files of an rvfs disk image and check it.';
  static override description = `Prints every path with its type and size (bytes), after checking the superblock. Consistency problems
(blocks shared by two files, in use but free in the bitmap, leaked) are reported on standard error.`;
  static override examples = ['<%= config.bin %> disk list disk.img', '<%= config.bin %> disk list ~/.local/share/rvos/virt-disk.img'];
  static override args = {
    image: Args.string({ description: 'rvfs image file', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(DiskList);
    const img = RvfsImage.open(args.image);
    const rows = [['TYPE', 'SIZE', 'PATH']];
    for (const e of img.list()) rows.push([e.type, String(e.size), e.path]);
    await writeOut(table(rows));
    const { usedBlocks, freeBlocks, usedInodes } = img.usage();
    const sb = img.sb;
    const problems = img.check();
    process.stderr.write(
      `rvfs v${sb.version}: ${sb.totalBlocks} blocks of ${sb.blockSize} bytes (${usedBlocks} used, ${freeBlocks} free), ${usedInodes} of ${sb.inodeCount - 1} inodes used\n` +
        problems.map((p) => `warning: ${p}\n`).join(''),
    );
  }
}
