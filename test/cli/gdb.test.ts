import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';

const hello = join(import.meta.dirname, '../../kernels/tests/build/hello.elf');
const base = ['run', '--headless', '--drive', 'none', '--bios', 'none', '--kernel', hello];

function expectBadInput(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

describe('rvos run --gdb', () => {
  it('refuses bad addresses, -S without a gdb address, and a port in use, naming the flag', async () => {
    expectBadInput(await rvos([...base, '--gdb', 'tcp::99999']), /^rvos: --gdb tcp::99999: expected tcp::PORT or tcp:HOST:PORT/m);
    expectBadInput(await rvos([...base, '--gdb', 'udp::1234']), /^rvos: --gdb udp::1234: expected tcp::PORT/m);
    expectBadInput(await rvos([...base, '-S']), /^rvos: --wait-gdb \(-S\): needs --gdb tcp::PORT or -s$/m);
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      expectBadInput(await rvos([...base, '--gdb', `tcp::${port}`]), new RegExp(`^rvos: --gdb: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use$`, 'm'));
    } finally {
      server.close();
    }
  });

  it('without a client (and without -S) the guest runs as usual; the address is one line on stderr', async () => {
    const r = await rvos([...base, '--gdb', 'tcp::0']);
    expect(r.stderr).toMatch(/^gdb: listening on 127\.0\.0\.1:\d+\n$/);
    expect(r.stdout).toMatch(/hello/i);
    expect(r.code).toBe(0);
  });
});
