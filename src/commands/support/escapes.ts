/**
 * QEMU-style console escapes on a raw terminal: Ctrl-A then a key. Ctrl-A X quits, Ctrl-A H
 * lists the escapes, Ctrl-A Ctrl-A sends a literal Ctrl-A to the guest.
 */
export const CTRL_A = 0x01;

export const ESCAPE_HELP = [
  'C-a h    print this help',
  'C-a x    exit emulator',
  'C-a p    pause/resume the machine',
  'C-a C-a  send C-a',
].join('\r\n');

export type EscapeCommand = 'help' | 'quit' | 'pause';

export class EscapeDecoder {
  private pending = false;

  /** Splits terminal input into bytes for the guest and escape commands. */
  feed(data: Uint8Array): { forward: Uint8Array; commands: EscapeCommand[] } {
    const forward: number[] = [];
    const commands: EscapeCommand[] = [];
    for (const byte of data) {
      if (this.pending) {
        this.pending = false;
        const key = String.fromCharCode(byte).toLowerCase();
        if (byte === CTRL_A) forward.push(CTRL_A);
        else if (key === 'x') commands.push('quit');
        else if (key === 'h' || key === '?') commands.push('help');
        else if (key === 'p') commands.push('pause');
        continue;
      }
      if (byte === CTRL_A) this.pending = true;
      else forward.push(byte);
    }
    return { forward: Uint8Array.from(forward), commands };
  }
}
