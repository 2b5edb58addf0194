/**
 * A minimal PS/2 mouse on the i8042's aux port: it answers the commands drivers probe with (QEMU's
 * hw/input/ps2.c replies) and never moves.
 */
const ACK = 0xfa;

export class Ps2Mouse {
  readonly queue: number[] = [];
  private pendingCommand = -1;
  private streaming = false;
  private sampleRate = 100;
  private resolution = 2;

  reset(): void {
    this.queue.length = 0;
    this.streaming = false;
    this.sampleRate = 100;
    this.resolution = 2;
  }

  write(value: number): void {
    const command = this.pendingCommand;
    this.pendingCommand = -1;
    if (command === 0xf3) this.sampleRate = value;
    if (command === 0xe8) this.resolution = value & 3;
    if (command >= 0) return void this.queue.push(ACK);
    switch (value) {
      case 0xff: // reset: self-test passed, ID 0
        this.reset();
        this.queue.push(ACK, 0xaa, 0x00);
        return;
      case 0xf2: // get ID: a standard mouse
        this.queue.push(ACK, 0x00);
        return;
      case 0xe9: // status: stream mode, enabled bit, resolution, rate
        this.queue.push(ACK, this.streaming ? 0x20 : 0x00, this.resolution, this.sampleRate);
        return;
      case 0xf3:
      case 0xe8:
        this.pendingCommand = value;
        this.queue.push(ACK);
        return;
      case 0xf4:
        this.streaming = true;
        this.queue.push(ACK);
        return;
      case 0xf5:
        this.streaming = false;
        this.queue.push(ACK);
        return;
      case 0xf6:
        this.reset();
        this.queue.push(ACK);
        return;
      default: // scaling, modes, resend...: acknowledged
        this.queue.push(ACK);
    }
  }
}
