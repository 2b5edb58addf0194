import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CaptureBackend, INPUT_QUEUE_LIMIT, TcpBackend, type InputSource } from '../../../src/core/chardev.js';

/** A host input source that records the backend's flow control. */
class FakeSource implements InputSource {
  readonly calls: string[] = [];
  paused = false;
  pause(): void {
    this.calls.push('pause');
    this.paused = true;
  }
  resume(): void {
    this.calls.push('resume');
    this.paused = false;
  }
}

const chunk = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

describe('chardev input queue', () => {
  it('hands input to the device byte by byte, in order, and tells it when input arrives', () => {
    const b = new CaptureBackend();
    let told = 0;
    b.onInput(() => told++);
    expect(b.read()).toBe(-1);
    b.input(new Uint8Array([1, 2]));
    b.input(new Uint8Array([3]));
    expect(told).toBe(2);
    expect(b.available).toBe(3);
    expect([b.read(), b.read(), b.read(), b.read()]).toEqual([1, 2, 3, -1]);
    expect(b.available).toBe(0);
  });

  it('pauses its source while the queue is full and resumes it once the device drained half', () => {
    const b = new CaptureBackend();
    const src = new FakeSource();
    b.setSource(src);
    b.input(chunk(INPUT_QUEUE_LIMIT - 1));
    expect(src.calls).toEqual([]);
    b.input(chunk(4096)); // the source's chunk in flight is kept: nothing is dropped
    expect(src.calls).toEqual(['pause']);
    expect(b.available).toBe(INPUT_QUEUE_LIMIT - 1 + 4096);
    while (b.available > INPUT_QUEUE_LIMIT / 2 + 1) b.read();
    expect(src.calls).toEqual(['pause']);
    b.read();
    expect(src.calls).toEqual(['pause', 'resume']);
    while (b.read() >= 0);
    expect(src.calls).toEqual(['pause', 'resume']);
  });

  it('does not pause when the device takes the input as it arrives', () => {
    const b = new CaptureBackend();
    const src = new FakeSource();
    b.setSource(src);
    let taken = 0;
    b.onInput(() => {
      while (b.read() >= 0) taken++;
    });
    for (let i = 0; i < 10; i++) b.input(chunk(INPUT_QUEUE_LIMIT));
    expect(taken).toBe(10 * INPUT_QUEUE_LIMIT);
    expect(src.calls).toEqual([]);
  });

  it('resumes a paused source when it is detached', () => {
    const b = new CaptureBackend();
    const src = new FakeSource();
    b.setSource(src);
    b.input(chunk(INPUT_QUEUE_LIMIT));
    expect(src.paused).toBe(true);
    b.setSource(undefined);
    expect(src.paused).toBe(false);
    expect(b.available).toBe(INPUT_QUEUE_LIMIT);
  });

  it('stops reading a TCP client while the queue is full, losing nothing', async () => {
    const backend = new TcpBackend(0);
    const server = (backend as unknown as { server: import('node:net').Server }).server;
    if (!server.listening) await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    try {
      await once(server, 'connection');
      const total = 4 * 1024 * 1024;
      const data = new Uint8Array(total);
      for (let i = 0; i < total; i++) data[i] = (i * 7) & 0xff;
      client.write(data);
      // Once the queue is full the socket is paused: it then holds the limit plus at most the
      // chunk that filled it, however long the client keeps sending.
      while (backend.available < INPUT_QUEUE_LIMIT) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 200));
      expect(backend.available).toBeLessThanOrEqual(INPUT_QUEUE_LIMIT + 64 * 1024);
      // A slow guest drains it all, in order.
      let got = 0;
      let ok = true;
      while (got < total) {
        const byte = backend.read();
        if (byte < 0) {
          await new Promise((r) => setImmediate(r));
          continue;
        }
        if (byte !== ((got * 7) & 0xff)) ok = false;
        got++;
      }
      expect(ok).toBe(true);
    } finally {
      client.destroy();
      backend.close();
    }
  });
});
