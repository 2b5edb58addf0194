import { Args, Flags } from '@oclif/core';
import type { ElfInfo } from '../core/api.js';
import { formatAddress, parseAddress } from '../core/address.js';
import { UserError } from '../core/errors.js';
import { formatBytes, openInput } from '../core/input-file.js';
import { elfInfo, isElf, parseElf } from '../core/loaders/elf.js';
import { describeAddress } from '../core/symbolize.js';
import { Symbolizer } from '../core/symbols.js';
import { RvosCommand, writeOut } from './support/base.js';

/** An ELF read from a pipe (no size known) is read up to this. */
const MAX_SYMBOL_FILE_BYTES = 256 << 20;

export default class Addr2line extends RvosCommand {
  static override summary = 'Turn guest addresses into function+offset using an ELF\'s symbols.';
  static override description = `Prints "0xADDRESS: function+0xOFFSET" for each address (hexadecimal, 0x optional), "??" when it is
outside the images or no symbol precedes it. The console of \`rvos run\` does the same for pc=/sepc=/mepc=/ra= values the guest prints.`;
  static override examples = ['<%= config.bin %> addr2line --kernel kernel.elf 0x80200a3c', '<%= config.bin %> addr2line --kernel kernel.elf --kernel firmware.elf 0x80200a3c 0x80000104'];
  static override strict = false;
  static override args = {
    address: Args.string({ description: 'guest address(es)', required: true }),
  };
  static override flags = {
    kernel: Flags.string({ char: 'k', description: 'ELF image with symbols; repeatable (kernel, firmware)', required: true, multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Addr2line);
    const images: ElfInfo[] = flags.kernel.map((path) => {
      const src = openInput(path, MAX_SYMBOL_FILE_BYTES, formatBytes(MAX_SYMBOL_FILE_BYTES), (head) => {
        if (!isElf(head)) throw new UserError(`${path}: not an ELF file`);
      });
      let info: ElfInfo;
      try {
        info = elfInfo(parseElf(src, path, { segmentData: false }), path);
      } finally {
        src.close();
      }
      if (info.symbols.size === 0) throw new UserError(`${path}: no symbol table (built with --strip-all?)`);
      return info;
    });
    const symbols = new Symbolizer(images);
    const lines = (argv as string[]).map((text) => {
      // Hexadecimal with or without 0x, like binutils addr2line.
      const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(text);
      const addr = m ? parseAddress(m[1]) : NaN;
      if (!Number.isSafeInteger(addr)) throw new UserError(`${text}: expected a hexadecimal address like 0x80200a3c`);
      return `0x${formatAddress(addr).padStart(8, '0')}: ${describeAddress(symbols, images, addr) ?? '??'}\n`;
    });
    await writeOut(lines.join(''));
  }
}
