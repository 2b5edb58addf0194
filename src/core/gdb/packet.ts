/**
 * GDB remote serial protocol framing (GDB manual, "Overview" of the remote protocol):
 * `$data#cs` with cs the modulo-256 sum of data in two hex digits, `+`/`-` acknowledgements,
 * and a lone 0x03 byte for an interrupt (Ctrl-C). Packets longer than the size the stub
 * announced (qSupported PacketSize) are dropped unread, so a client cannot grow host memory.
 */

/** Largest packet data the stub accepts (announced as PacketSize); also bounds m/X lengths. */
export const PACKET_SIZE = 0x4000;

export type Framed =
  /** A packet whose checksum matched (escapes still in place: only binary payloads use them). */
  | { type: 'packet'; data: Uint8Array }
  /** A packet with a wrong checksum or hex digits: the stub answers `-` (in ack mode). */
  | { type: 'bad-checksum' }
  /** A packet over PACKET_SIZE: dropped; the stub answers with an error. */
  | { type: 'too-long' }
  | { type: 'interrupt' }
  | { type: 'ack' }
  | { type: 'nak' };

const DOLLAR = 0x24;
const HASH = 0x23;

/** Splits a byte stream from the client into packets, acknowledgements and interrupts. */
export class PacketDecoder {
  private state: 'idle' | 'data' | 'cs1' | 'cs2' = 'idle';
  private readonly buf = new Uint8Array(PACKET_SIZE);
  private len = 0;
  private sum = 0;
  private overflow = false;
  private cs = 0;

  feed(chunk: Uint8Array): Framed[] {
    const out: Framed[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === DOLLAR) this.begin();
          else if (b === 0x03) out.push({ type: 'interrupt' });
          else if (b === 0x2b) out.push({ type: 'ack' });
          else if (b === 0x2d) out.push({ type: 'nak' });
          // Anything else between packets is line noise: ignored.
          break;
        case 'data':
          if (b === HASH) this.state = 'cs1';
          else if (b === DOLLAR) this.begin(); // a new start abandons a partial packet
          else {
            this.sum = (this.sum + b) & 0xff;
            if (this.len < PACKET_SIZE) this.buf[this.len++] = b;
            else this.overflow = true;
          }
          break;
        case 'cs1':
          this.cs = hexDigit(b) << 4;
          this.state = 'cs2';
          break;
        case 'cs2': {
          this.state = 'idle';
          const cs = this.cs | hexDigit(b);
          if (this.overflow) out.push({ type: 'too-long' });
          else if (cs !== this.sum) out.push({ type: 'bad-checksum' });
          else out.push({ type: 'packet', data: this.buf.slice(0, this.len) });
          break;
        }
      }
    }
    return out;
  }

  private begin(): void {
    this.state = 'data';
    this.len = 0;
    this.sum = 0;
    this.overflow = false;
  }
}

/** A hex digit's value; 0x100 (never a valid checksum) for anything else. */
function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return 0x1000;
}

/** Frames reply data as `$data#cs`. */
export function encodePacket(data: string | Uint8Array): Uint8Array {
  const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(body.length + 4);
  out[0] = DOLLAR;
  out.set(body, 1);
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  out[body.length + 1] = HASH;
  const hex = sum.toString(16).padStart(2, '0');
  out[body.length + 2] = hex.charCodeAt(0);
  out[body.length + 3] = hex.charCodeAt(1);
  return out;
}

const ESCAPED = new Set([0x23, 0x24, 0x7d, 0x2a]);

/** Escapes binary data for a reply: `#`, `$`, `}` and `*` become `}` and the byte xor 0x20. */
export function escapeBinary(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of data) {
    if (ESCAPED.has(b)) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Undoes `escapeBinary` (the X packet's payload); a trailing lone `}` is dropped. */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x7d) {
      if (++i < data.length) out[n++] = data[i] ^ 0x20;
    } else out[n++] = data[i];
  }
  return out.slice(0, n);
}
