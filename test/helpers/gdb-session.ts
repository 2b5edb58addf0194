import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { rvosBin, userDir } from './cli.js';

/** Debian's gdb-multiarch is on the PATH (the gdb tests skip without it). */
export const hasGdb = (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'gdb-multiarch')));

export interface GdbSessionResult {
  gdb: string;
  console: string;
  stderr: string;
  rvosCode: number | null;
}

export interface ConsoleAnswers {
  /** The guest shell's prompt. */
  prompt: string;
  /** Typed (with a newline) at the first, second, ... prompt the console shows. */
  answers: string[];
}

/**
 * Runs `rvos run ARGS --gdb tcp::0 -S --headless` and `gdb-multiarch -batch` on `elf` with the
 * script `lines`, both asynchronously. Console input is typed at the guest's prompts (`input`).
 */
export async function gdbSession(rvosArgs: string[], elf: string, lines: string[], input: ConsoleAnswers, timeoutMs = 90_000): Promise<GdbSessionResult> {
  const rvos = spawn(process.execPath, [rvosBin, 'run', '--headless', '--gdb', 'tcp::0', '-S', ...rvosArgs], { cwd: userDir });
  const console: Buffer[] = [];
  let stderr = '';
  let prompts = 0;
  rvos.stdout.on('data', (d: Buffer) => {
    console.push(d);
    const seen = Buffer.concat(console).toString('latin1').split(input.prompt).length - 1;
    for (; prompts < seen; prompts++) if (prompts < input.answers.length) rvos.stdin.write(`${input.answers[prompts]}\n`);
  });
  rvos.stdin.on('error', () => {});
  const rvosDone = exited(rvos);
  const port = await new Promise<number>((resolve, reject) => {
    rvos.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('latin1');
      const m = /gdb: listening on [\d.]+:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    rvosDone.then(() => reject(new Error(`rvos ended before listening: ${stderr}`)));
  });
  const script = ['set pagination off', 'set confirm off', 'set width 0', `target remote :${port}`, ...lines];
  // A script file (not -ex) so that while/end and commands/end blocks work.
  const file = join(mkdtempSync(join(tmpdir(), 'rvos-gdb-')), 'script.gdb');
  writeFileSync(file, script.join('\n') + '\n');
  const gdb = spawn('gdb-multiarch', ['-batch', '-nx', '-x', file, elf], { cwd: userDir });
  let out = '';
  const onOutput = (d: Buffer) => {
    out += d.toString('latin1');
  };
  gdb.stdout.on('data', onOutput);
  gdb.stderr.on('data', onOutput);
  const timer = setTimeout(() => {
    gdb.kill('SIGKILL');
    rvos.kill('SIGKILL');
  }, timeoutMs);
  try {
    await exited(gdb);
    rvos.stdin.end();
    const rvosCode = await Promise.race([rvosDone, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (rvosCode === null) rvos.kill('SIGKILL');
    return { gdb: out, console: Buffer.concat(console).toString('latin1'), stderr, rvosCode };
  } finally {
    clearTimeout(timer);
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}
