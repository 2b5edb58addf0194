import type { BootContext, BootResult } from '../../../src/core/api.js';
export function isBzImage(file: Uint8Array): boolean {
  return file.length >= 0x206 && file[0x202] === 0x48 && file[0x203] === 0x64 && file[0x204] === 0x72 && file[0x205] === 0x53;
}
export function bootLinux(ctx: BootContext, path: string, _file: Uint8Array): BootResult {
  ctx.badInput(`${path}: Linux bzImage: not yet`);
}
