import { Args, Flags } from '@oclif/core';
import { parseSize } from '../../core/board.js';
import { DEFAULT_IMAGE_SIZE, DEFAULT_INODE_COUNT, RvfsImage, writeRvfsImage } from '../../core/disk/rvfs.js';
import { UserError } from '../../core/errors.js';
import { RvosCommand } from '../support/base.js';

export default class DiskCreate extends RvosCommand {
  static override summary = 'Create an rvfs disk image from a host folder.';
  static override description = `Builds a raw disk image in the reference kernels' file system (rvfs, docs/disk-format.md) holding
the folder's regular files and sub-folders. Use it with \`rvos run --drive file=IMAGE\`.
Limits: names of 1..27 bytes, files up to 268 KiB.`;
  static override examples = ['<%= config.bin %> disk create --from rootfs disk.img', '<%= config.bin %> disk create --from rootfs --size 16MiB --inodes 1024 disk.img'];
  static override args = {
    image: Args.string({ description: 'image file to write', required: true }),
  };
  static override flags = {
    from: Flags.string({ description: 'host folder whose contents become the root folder', required: true }),
    size: Flags.string({ description: 'image size, a multiple of 1KiB (e.g. 4MiB)', default: '4MiB' }),
    inodes: Flags.integer({ description: 'number of inodes, a multiple of 16', default: DEFAULT_INODE_COUNT, min: 16 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DiskCreate);
    const size = parseSize(flags.size);
    if (size === undefined || size === 0) throw new UserError(`--size ${flags.size}: expected a size like ${DEFAULT_IMAGE_SIZE / (1 << 20)}MiB`);
    const bytes = writeRvfsImage(flags.from, args.image, { size, inodes: flags.inodes });
    const img = new RvfsImage(bytes, args.image);
    const entries = img.list();
    const { usedBlocks, freeBlocks } = img.usage();
    process.stderr.write(
      `wrote ${args.image}: ${size} bytes, ${entries.filter((e) => e.type === 'file').length} files, ${entries.filter((e) => e.type === 'dir').length} folders, ${usedBlocks} blocks used, ${freeBlocks} free\n`,
    );
  }
}
