import { rmSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { ENGINES, type Engine } from '../core/api.js';
import { StdioBackend, type Backend } from '../core/chardev.js';
import { EXIT, UserError } from '../core/errors.js';
import { IDLE_MODES, type IdleMode } from '../core/idle.js';
import { exitCodeOf, type Machine, type RunResult } from '../core/machine.js';
import { OutputFile } from '../core/output-file.js';
import { createSession, type SessionOptions } from '../core/session.js';
import { startupMark } from '../core/startup-trace.js';
import { parseGdbAddress } from '../core/gdb/address.js';
import { GdbServer } from '../core/gdb/server.js';
import { attachTrace, parseTraceCategories } from '../core/trace.js';
import { tuiSessionOptions, wantsTui } from '../tui/session.js';
import { RvosCommand } from './support/base.js';
import { ESCAPE_HELP, EscapeDecoder } from './support/escapes.js';

export default class Run extends RvosCommand {
  static override summary = 'Boot a machine and attach its console.';

  static override description = `Builds the machine described by a board file, loads firmware and kernel like QEMU does, and runs it.
The console UART is on standard input/output (raw mode on a terminal: Ctrl-A X quits, Ctrl-A H lists escapes).
Piped standard input feeds the UART; its end does not stop a running guest, but a guest that then waits for an
interrupt with no timer armed is stopped, since nothing can wake it.

While every CPU waits for an interrupt, deterministic time passes at the host's pace (--idle sleep, the default),
or jumps to the next timer at once (--idle warp: exact and fast, for scripts). --max-insns counts executed
instructions only, never idle time; bound idle time with --timeout.

Exit status: the guest's power-off code (0 on a clean power-off), ${EXIT.timeout} when --timeout or --max-insns
stopped it, ${EXIT.halted} when every CPU waits for an interrupt that nothing can raise (no timer armed, no input
open), ${EXIT.badInput} for bad input (board, config, image, plugin, flags), ${EXIT.pluginError} when a plugin failed
(the message names it), ${EXIT.hostError} for an internal error.`;

  static override examples = [
    '<%= config.bin %> run --board virt --bios none --kernel hello.elf',
    '<%= config.bin %> run --board boards/my-board.yaml --kernel kernel.elf --append "console=ttyS0"',
    'echo "ls" | <%= config.bin %> run --kernel kernel.elf --timeout 10',
    '<%= config.bin %> run --kernel test.elf --max-insns 1000000 --trace trap,unmapped --trace-file trace.log',
    '<%= config.bin %> run --kernel kernel.elf --drive file=disk.img --drive file=ro.img,readonly=on',
    '<%= config.bin %> run --kernel kernel.elf --drive file=disk.img,transport=modern',
    '<%= config.bin %> run --kernel kernel.elf -s -S   # then: gdb-multiarch kernel.elf -ex "target remote :1234"',
  ];

  static override flags = {
    board: Flags.string({ char: 'b', description: 'board name (see `rvos boards`) or path to a board .yaml' }),
    kernel: Flags.string({ char: 'k', description: 'kernel image (ELF, or raw binary loaded at the board\'s kernel address), or "none"' }),
    bios: Flags.string({ description: 'firmware image, or "none" to run the kernel directly in the most privileged mode' }),
    cpus: Flags.integer({ description: 'number of CPUs (overrides the board)', min: 1, max: 64 }),
    memory: Flags.string({ char: 'm', description: 'RAM size, e.g. 256MiB (overrides the board)' }),
    append: Flags.string({ description: 'kernel command line (device tree /chosen/bootargs)' }),
    dtb: Flags.string({ description: 'give the guest this device tree blob instead of the board\'s (QEMU\'s -dtb)' }),
    initrd: Flags.string({ description: 'initial ramdisk for a Linux kernel: the boot protocol places it and tells the kernel where (QEMU\'s -initrd)' }),
    module: Flags.string({ description: 'boot module for a multiboot kernel, FILE[,cmdline] (the command line is what follows the first comma), as GRUB\'s module2; repeatable, in order', multiple: true }),
    'no-reboot': Flags.boolean({ description: 'exit with code 0 when the guest resets the machine, instead of rebooting it (QEMU\'s -no-reboot)', default: false }),
    screenshot: Flags.string({ description: 'when the machine stops, save the framebuffer a display device shows (e.g. the Pi\'s) as a PNG file' }),
    semihosting: Flags.boolean({ description: 'the guest\'s semihosting calls reach the host (output on stderr, exit with the guest\'s code), like QEMU\'s -semihosting; for architectures that define it', default: false }),
    serial: Flags.string({
      description: 'console backend: stdio, null, file:PATH or tcp:PORT (127.0.0.1 only); repeatable like QEMU\'s -serial: the next ones go to the next serial ports in board order',
      multiple: true,
    }),
    debugcon: Flags.string({ description: 'backend of the board\'s isa-debugcon (port 0xe9 on pc): stdio, null (default), file:PATH or tcp:PORT, like QEMU\'s -debugcon' }),
    drive: Flags.string({
      description:
        'disk image in a drive slot of the board (virtio on virt): file=PATH[,format=raw][,readonly=on][,if=INTERFACE][,transport=legacy|modern][,serial=ID][,locking=off]; locked against a second writer unless locking=off; repeatable (the first takes the highest-addressed free slot); "none": no drive, not even the board\'s default disk',
      multiple: true,
    }),
    'virtio-version': Flags.string({ description: 'virtio transport of drives without transport=: legacy (1, QEMU 7.2\'s default) or modern (2)', options: ['legacy', 'modern', '1', '2'] }),
    symbolize: Flags.boolean({ description: 'append <function+offset> after code addresses the guest prints (RV32: pc=/sepc=/mepc=/ra=; stdio console and TUI)', default: true, allowNo: true }),
    clock: Flags.string({ description: 'deterministic: time from instruction count; realtime: host time', options: ['deterministic', 'realtime'] }),
    rtc: Flags.string({
      description: 'date of the board\'s real-time clock at machine start, like QEMU\'s -rtc: base=utc (host time, the default of pc), localtime, or a date YYYY-MM-DD[THH:MM:SS] (UTC; the same date every run); clock=vm and driftfix=none are accepted (what rvos does)',
    }),
    global: Flags.string({
      description: 'set a device prop over the board\'s, like QEMU\'s -global: TYPE.PROP=VALUE (every device of that type) or NAME.PROP=VALUE (one device); checked against the device\'s props (`rvos plugins inspect`); repeatable, the last wins',
      multiple: true,
    }),
    idle: Flags.string({
      description: 'while every CPU waits (deterministic clock): sleep = time passes at the host\'s pace (default), warp = jump to the next timer at once',
      options: [...IDLE_MODES],
    }),
    engine: Flags.string({
      description: 'how CPUs run guest code: jit = translate hot code (rv32, aarch64 and i386 each have a translator), interp = interpreter only; both give the same instruction counts and output (default: jit, unless the board sets cpu.jit: false)',
      options: [...ENGINES],
    }),
    'max-insns': Flags.integer({ description: 'stop after exactly this many executed instructions (all CPUs together; idle time is not counted)', min: 1 }),
    timeout: Flags.string({ description: 'stop after this many host seconds' }),
    trace: Flags.string({ description: 'event categories to trace: trap,irq,mmio,unmapped,power,log or all' }),
    'trace-file': Flags.string({ description: 'file for --trace output', default: 'rvos-trace.log' }),
    gdb: Flags.string({ description: 'serve the GDB remote protocol on tcp::PORT (127.0.0.1) or tcp:HOST:PORT, like QEMU\'s -gdb (see docs/debugging.md)' }),
    'gdb-default': Flags.boolean({ char: 's', description: 'shorthand for --gdb tcp::1234 (QEMU\'s -s)', default: false }),
    'wait-gdb': Flags.boolean({ char: 'S', description: 'halt before the first instruction until gdb continues (QEMU\'s -S); also when gdb detaches', default: false }),
    headless: Flags.boolean({ description: 'plain console on stdio instead of the TUI (also when stdout is not a terminal or CI=true)', default: false }),
  };

  async run(): Promise<void> {
    startupMark('run: command loaded');
    const { flags } = await this.parse(Run);
    startupMark('run: flags parsed');
    let timeoutMs: number | undefined;
    if (flags.timeout !== undefined) {
      const s = Number(flags.timeout);
      if (!Number.isFinite(s) || s <= 0) throw new UserError(`--timeout ${flags.timeout}: expected a number of seconds`);
      timeoutMs = s * 1000;
    }
    const categories = flags.trace ? parseTraceCategories(flags.trace) : [];
    const gdbSpec = flags.gdb ?? (flags['gdb-default'] ? 'tcp::1234' : undefined);
    const gdbFlag = flags.gdb !== undefined ? '--gdb' : '-s';
    const gdbAddress = gdbSpec !== undefined ? parseGdbAddress(gdbSpec, gdbFlag) : undefined;
    if (flags['wait-gdb'] && !gdbAddress) throw new UserError('--wait-gdb (-S): needs --gdb tcp::PORT or -s');

    // In a terminal the TUI shows the console (captured); --headless, CI or a pipe keep stdio.
    const tui = wantsTui({ headless: flags.headless, serial: flags.serial?.[0] });
    const options: SessionOptions = {
      board: flags.board,
      config: flags.config,
      plugins: flags.plugin,
      kernel: flags.kernel,
      bios: flags.bios,
      cpus: flags.cpus,
      memory: flags.memory,
      append: flags.append,
      dtb: flags.dtb,
      initrd: flags.initrd,
      modules: flags.module,
      noReboot: flags['no-reboot'],
      semihosting: flags.semihosting,
      serial: flags.serial?.[0],
      moreSerial: flags.serial?.slice(1),
      debugcon: flags.debugcon,
      clock: flags.clock as 'deterministic' | 'realtime' | undefined,
      globals: flags.global,
      rtc: flags.rtc,
      idle: flags.idle as IdleMode | undefined,
      engine: flags.engine as Engine | undefined,
      defaultIdle: 'sleep',
      drives: flags.drive,
      virtioVersion: flags['virtio-version'],
      symbolize: flags.symbolize,
      notice: (message) => process.stderr.write(`${message}\n`),
    };
    // Opened before anything runs, so an unwritable path stops rvos before the guest starts.
    let traceFile = categories.length > 0 ? new OutputFile(flags['trace-file'], `--trace-file ${flags['trace-file']}`) : undefined;
    const screenshotFile = flags.screenshot !== undefined ? new OutputFile(flags.screenshot, `--screenshot ${flags.screenshot}`) : undefined;
    let session;
    try {
      session = await createSession(tui ? tuiSessionOptions(options) : options);
    } catch (e) {
      traceFile?.close();
      screenshotFile?.close();
      throw e;
    }
    const { machine } = session;
    startupMark('run: session ready (backends open)');
    // The --trace file, opened before the session; `monitor trace on` opens it when first used.
    let traceWatched = false;
    const openTrace = (): OutputFile => {
      traceFile ??= new OutputFile(flags['trace-file'], `--trace-file ${flags['trace-file']}`);
      if (!traceWatched) {
        traceWatched = true;
        traceFile.onError((message) => session.fail(message));
      }
      return traceFile;
    };
    if (categories.length > 0) {
      const file = openTrace();
      attachTrace(machine.events, categories, () => machine.clock.now(), (line) => file.append(line));
    }
    let gdb: GdbServer | undefined;
    if (gdbAddress) {
      try {
        // `monitor trace on` writes to the --trace-file, opened when first used.
        gdb = await GdbServer.listen(machine, { ...gdbAddress, waitGdb: flags['wait-gdb'], flag: gdbFlag, traceLine: (line) => openTrace().append(line) });
      } catch (e) {
        await session.close();
        traceFile?.close();
        screenshotFile?.close();
        throw e;
      }
      process.stderr.write(`gdb: listening on ${gdb.address}\n`);
    }
    const endTrace = async () => {
      await gdb?.close();
      traceFile?.close();
      if (screenshotFile) saveScreenshot(machine, screenshotFile);
      // A host file that could not be written (ENOSPC) stopped the machine: one line, exit 2.
      if (session.failure !== undefined) throw new UserError(session.failure);
    };
    if (tui) {
      // blessed and the TUI load only when they are used: start-up time matters to scripts.
      const { runTui } = await import('../tui/index.js');
      let code: number;
      try {
        code = await runTui(session, { maxInsns: flags['max-insns'], timeoutMs, symbolize: flags.symbolize });
      } finally {
        await session.close();
        await endTrace();
      }
      process.exit(code);
    }

    const detach = session.console instanceof StdioBackend ? attachStdin(session.console, machine) : () => {};
    let result: RunResult | undefined;
    try {
      result = await machine.run({ maxInsns: flags['max-insns'], timeoutMs });
      startupMark(`run: guest ran ${result.instructions} instructions (${result.reason})`);
    } finally {
      detach();
      await session.close();
      await endTrace();
    }
    startupMark('run: machine closed');
    await this.finish(result);
  }

  private async finish(result: RunResult): Promise<never> {
    const code = exitCodeOf(result);
    if (result.reason === 'poweroff') {
      if (code !== 0) process.stderr.write(`\nrvos: guest powered off with code ${code} (${result.message})\n`);
    } else if (result.reason === 'error') process.stderr.write(`\nrvos: ${result.message}\n${result.error?.stack ?? ''}\n`);
    else if (result.reason !== 'stopped') process.stderr.write(`\nrvos: ${result.message}\n`);
    await new Promise<void>((r) => process.stdout.write('', () => r()));
    process.exit(code);
  }
}

/** Writes the machine's framebuffer as PNG into the file opened at start, or says there is none. */
function saveScreenshot(machine: Machine, file: OutputFile): void {
  const shot = machine.screenshot();
  if (shot) file.write(shot.png);
  file.close();
  if (!shot) {
    rmSync(file.path, { force: true });
    process.stderr.write(`rvos: --screenshot ${file.path}: no device shows a framebuffer (nothing saved)\n`);
  }
}

/** Feeds standard input to the console; on a terminal, raw mode with Ctrl-A escapes. */
function attachStdin(console: Backend, machine: Machine): () => void {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  const decoder = new EscapeDecoder();
  let paused = false;
  const onData = (chunk: Buffer) => {
    if (!tty) {
      console.input(chunk);
      return;
    }
    const { forward, commands } = decoder.feed(new Uint8Array(chunk));
    if (forward.length > 0) console.input(forward);
    for (const c of commands) {
      if (c === 'quit') machine.stop('quit from the console (C-a x)');
      if (c === 'help') process.stdout.write(`\r\n${ESCAPE_HELP}\r\n`);
      if (c === 'pause') {
        paused = !paused;
        machine.setPaused(paused);
        process.stderr.write(paused ? '\r\n[rvos: paused, C-a p resumes]\r\n' : '\r\n[rvos: resumed]\r\n');
      }
    }
  };
  if (tty) stdin.setRawMode(true);
  const onEnd = () => console.endInput();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.on('error', () => {});
  stdin.on('error', onEnd);
  // A pipe or file waits while the guest is not reading (back-pressure); a terminal is always
  // read, so the Ctrl-A escapes work however full the queue is.
  if (!tty) console.setSource(stdin);
  stdin.resume();
  return () => {
    if (!tty) console.setSource(undefined);
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onEnd);
    if (tty) stdin.setRawMode(false);
    stdin.pause();
  };
}
