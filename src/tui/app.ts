import { existsSync, writeFileSync } from 'node:fs';
import { ConsoleSymbolizer, symbolizeAddress } from '../core/symbolize.js';
import type { IrqLine } from '../core/api.js';
import type { Machine, RunLimits, RunResult } from '../core/machine.js';
import { ATTR_INVERSE, ConsoleModel, DEFAULT_ATTR } from './console-model.js';
import { RingBuffer, formatTrap, type LoggedTrap } from './event-log.js';
import { KeyDecoder, type Action } from './keys.js';
import { computeLayout, type Layout } from './layout.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { HELP_TEXT, consoleText, interruptsText, registersHeight, registersText, statusText } from './panes.js';
import { RateTracker } from './rates.js';
import { RegisterTracker, type RegCell } from './register-view.js';
import { applyLayout, createWidgets, destroyWidgets, showFocus, type PaneName, type Widgets } from './screen.js';
import { screenText } from './screen-view.js';
import type { SerialPort } from './session.js';
import type { TextScreen } from '../core/api.js';

/** A display device's text screen as a console tab; keys typed there go to its keyboard device's port. */
interface ScreenTab {
  name: string;
  screen(): TextScreen | undefined;
  keyboard(): SerialPort | undefined;
}
type ConsoleTab = SerialPort | ScreenTab;
const isScreen = (t: ConsoleTab | undefined): t is ScreenTab => t !== undefined && 'screen' in t;

/** Frames are at least this far apart: at most 20 redraws a second, whatever the guest prints. */
const FRAME_MS = 50;
/** Counters, rates and registers refresh this often while nothing else asks for a frame. */
const STATS_MS = 100;
const TRAP_LOG = 256;
const PANES: PaneName[] = ['console', 'registers', 'interrupts'];
const NOTE_ATTR = DEFAULT_ATTR | ATTR_INVERSE;

export interface TuiIo {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * The TUI controller: owns the panes' state, turns keys into machine control, and redraws from
 * counters on a timer. Guest output only updates the terminal models and marks a frame due.
 */
export class TuiApp {
  private readonly models = new Map<SerialPort, ConsoleModel>();
  /** Ports that printed something: each gets a tab (the console always has one). */
  private readonly written = new Set<SerialPort>();
  private tabs: ConsoleTab[] = [];
  /** Display devices with a text screen (VGA): a tab each, always there. */
  private readonly screens: ScreenTab[];
  private tab = 0;
  private focus = 0;
  private cpu = 0;
  private paused = false;
  private helpVisible = false;
  private consoleScroll = 0;
  private scrollAnchor = 0;
  private logScroll = 0;
  private resets = 0;
  private dirty = true;
  private lastStats = -Infinity;
  private lastFrame = -Infinity;
  private finished: Outcome | undefined;
  private readonly lines: IrqLine[];
  private readonly rates = new RateTracker();
  private readonly registers = new RegisterTracker();
  private readonly traps = new RingBuffer<LoggedTrap>(TRAP_LOG);
  private readonly keys = new KeyDecoder();
  private widgets!: Widgets;
  private layout!: Layout;
  private timer: NodeJS.Timeout | undefined;
  private readonly cleanups: Array<() => void> = [];
  private keyWaiter: (() => void) | undefined;
  private uiError: Error | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly ports: SerialPort[],
    private readonly io: TuiIo,
    /** Append `<function+offset>` after pc=/sepc=/mepc=/ra= addresses the guest prints. */
    private readonly symbolize = true,
  ) {
    this.lines = machine.devices.flatMap((d) => d.outputs);
    this.screens = machine.devices
      .filter((d) => d.device.textScreen)
      .map((d) => ({
        name: d.entry.name,
        screen: () => d.device.textScreen!(),
        keyboard: () => {
          const name = d.device.textScreen!()?.keyboard;
          return name === undefined ? undefined : this.ports.find((p) => p.name === name);
        },
      }));
  }

  async run(limits: RunLimits): Promise<number> {
    this.start();
    let result: RunResult;
    try {
      result = await this.machine.run(limits);
    } catch (e) {
      result = { reason: 'error', message: `internal error: ${(e as Error).message}`, instructions: this.machine.instructions, hostMs: 0, error: e as Error };
    }
    if (this.uiError) result = { ...result, reason: 'error', message: `TUI error: ${this.uiError.message}`, error: this.uiError };
    const outcome = outcomeOf(result);
    for (const port of this.ports) port.backend.flush(); // the guest's last words before the message
    try {
      if (outcome.title && !this.uiError) {
        this.finished = outcome;
        this.showMessage(outcome);
        await new Promise<void>((resolve) => (this.keyWaiter = resolve));
      }
    } finally {
      this.stop();
    }
    if (outcome.report) process.stderr.write(`rvos: ${outcome.report}\n`);
    return outcome.code;
  }

  // ------------------------------------------------------------------ set-up and tear-down

  private start(): void {
    const { input, output } = this.io;
    this.widgets = createWidgets(output, this.io.env);
    for (const port of this.ports) {
      this.models.set(port, new ConsoleModel());
      const show = (bytes: Uint8Array) => this.onOutput(port, bytes);
      if (this.symbolize) {
        const filter = new ConsoleSymbolizer((addr) => symbolizeAddress(this.machine, addr), show, 50, this.machine.arch.consoleAddressKeywords);
        port.backend.onOutput((bytes) => filter.write(bytes));
        this.cleanups.push(() => filter.flush());
      } else port.backend.onOutput(show);
    }
    this.refreshTabs();
    this.cleanups.push(this.machine.events.on('trap', (e) => this.traps.push({ ...e, timeNs: this.machine.clock.now() })));

    const onData = (chunk: Buffer) => this.guard(() => this.onInput(new Uint8Array(chunk)));
    if (input.isTTY) input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    this.cleanups.push(() => {
      input.off('data', onData);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
    });
    const onSignal = () => this.machine.stop('terminated by a signal');
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, onSignal);
      this.cleanups.push(() => process.off(sig, onSignal));
    }
    this.widgets.screen.on('resize', () => this.guard(() => this.relayout()));
    this.relayout();
    this.timer = setInterval(() => this.guard(() => this.frame()), FRAME_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    for (const fn of this.cleanups.splice(0)) fn();
    destroyWidgets(this.widgets, this.io.output);
  }

  /** A failure in the UI stops the machine (reported as an error) instead of killing the process with the terminal in raw mode. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.uiError ??= e instanceof Error ? e : new Error(String(e));
      clearInterval(this.timer);
      this.machine.stop('TUI error');
      this.keyWaiter?.();
    }
  }

  // ------------------------------------------------------------------ events

  private onOutput(port: SerialPort, bytes: Uint8Array): void {
    this.models.get(port)!.write(bytes);
    if (!this.written.has(port)) {
      this.written.add(port);
      this.refreshTabs();
    }
    if (port === this.tabs[this.tab]) this.dirty = true;
  }

  private refreshTabs(): void {
    const current = this.tabs[this.tab];
    this.tabs = [...this.ports.filter((p) => p.console || this.written.has(p)), ...this.screens];
    this.tab = Math.max(0, current ? this.tabs.indexOf(current) : 0);
    this.dirty = true;
  }

  private onInput(data: Uint8Array): void {
    this.dirty = true;
    if (this.finished) {
      // The machine is gone, the screen stays: browsing keys work, any other key exits.
      const r = this.keys.feed(data, false);
      if (this.helpVisible && (r.actions.length > 0 || r.ignored > 0)) this.helpVisible = false;
      else {
        const browse = r.actions.filter(isBrowsing);
        for (const a of browse) this.act(a);
        if (r.ignored > 0 || r.actions.length > browse.length) this.keyWaiter?.();
      }
      this.frame();
      return;
    }
    if (this.helpVisible) {
      const r = this.keys.feed(data, false);
      if (r.actions.length > 0 || r.ignored > 0) this.helpVisible = false; // any key only closes it
    } else {
      const r = this.keys.feed(data, PANES[this.focus] === 'console');
      if (r.guest.length > 0) {
        const tab = this.tabs[this.tab];
        (isScreen(tab) ? tab.keyboard() : tab)?.backend.input(r.guest);
        this.consoleScroll = 0;
      }
      for (const a of r.actions) this.act(a);
    }
    this.frame();
  }

  /** A line from rvos in every console tab (reset, screenshot). */
  private note(text: string): void {
    for (const model of this.models.values()) model.note(text, NOTE_ATTR);
  }

  private act(a: Action): void {
    const focused = PANES[this.focus];
    switch (a) {
      case 'pause':
        this.setPaused(!this.paused);
        break;
      case 'step':
        if (!this.paused) this.setPaused(true);
        this.machine.singleStep();
        break;
      case 'reset':
        this.machine.reset('reset from the TUI');
        this.resets++;
        this.note('[rvos: machine reset]');
        if (this.paused) this.machine.applyPendingReset();
        this.machine.notifyInput(); // wake a loop idling in WFI
        break;
      case 'quit':
        this.machine.stop('quit from the TUI');
        this.keyWaiter?.();
        break;
      case 'focus-next':
      case 'focus-prev':
        this.focus = (this.focus + (a === 'focus-next' ? 1 : PANES.length - 1)) % PANES.length;
        break;
      case 'next-cpu':
        this.cpu = (this.cpu + 1) % this.machine.cpus.length;
        break;
      case 'next-tab':
        this.tab = this.tabs.length > 0 ? (this.tab + 1) % this.tabs.length : 0;
        this.consoleScroll = 0;
        break;
      case 'help':
        this.helpVisible = !this.helpVisible;
        break;
      case 'screenshot':
        this.note(saveScreenshot(this.machine));
        break;
      default: {
        const page = Math.max(1, (focused === 'interrupts' ? this.layout.interrupts.height : this.layout.console.height) - 3);
        const by = a === 'page-up' ? page : a === 'page-down' ? -page : a === 'scroll-up' ? 3 : -3;
        if (focused === 'interrupts') this.logScroll = Math.max(0, Math.min(this.traps.size - 1, this.logScroll + Math.sign(by) * Math.max(1, Math.abs(by) / 3)));
        else this.consoleScroll = Math.max(0, this.consoleScroll + by);
      }
    }
    this.dirty = true;
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    this.machine.setPaused(paused);
  }

  // ------------------------------------------------------------------ drawing

  private relayout(): void {
    const { screen } = this.widgets;
    const probe = computeLayout(screen.width as number, screen.height as number);
    const want = registersHeight(this.registerCells(), probe.registers.width - 2);
    this.layout = computeLayout(screen.width as number, screen.height as number, want);
    applyLayout(this.widgets, this.layout);
    this.dirty = true;
    this.frame(true);
  }

  private registerCells(): RegCell[] {
    const cpu = this.machine.cpus[this.cpu];
    return this.registers.update(this.cpu, `${this.machine.instructions}/${this.resets}`, cpu.inspect());
  }

  /** Redraws when something changed or the counters are due, never more often than FRAME_MS. */
  private frame(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastFrame < FRAME_MS - 5) return; // (timer jitter)
    const statsDue = now - this.lastStats >= STATS_MS;
    if (!this.dirty && !statsDue && !force) return;
    this.lastFrame = now;
    if (statsDue) {
      this.lastStats = now;
      const counters = [this.machine.instructions];
      for (const l of this.lines) counters.push(l.raised);
      this.rates.sample(now, counters);
    }
    this.draw();
    this.widgets.screen.render();
    this.dirty = false;
  }

  /** blessed re-parses content on every setContent: skip it when nothing changed. */
  private readonly shown = new Map<object, string>();
  private setContent(el: Widgets['console'], text: string): void {
    if (this.shown.get(el) === text) return;
    this.shown.set(el, text);
    el.setContent(text);
  }

  private draw(): void {
    const w = this.widgets;
    const L = this.layout;
    const focus = PANES[this.focus];
    showFocus(w, focus);

    const port = this.tabs[this.tab];
    const model = port && !isScreen(port) ? this.models.get(port)! : undefined;
    if (isScreen(port)) {
      const screen = port.screen();
      this.setContent(w.console, screen ? screenText(screen, L.console.width - 2, L.console.height - 2) : '(not in a text mode)');
    } else if (model) {
      if (this.consoleScroll > 0) this.consoleScroll += model.linesStarted - this.scrollAnchor;
      this.scrollAnchor = model.linesStarted;
      const width = L.console.width - 2;
      const height = L.console.height - 2;
      this.consoleScroll = Math.min(this.consoleScroll, model.viewport(width, height, Infinity).maxScroll);
      this.setContent(w.console, consoleText(model, width, height, this.consoleScroll, focus === 'console' && !this.finished));
    }
    const tabs = this.tabs.map((p, i) => (i === this.tab ? `[${p.name}]` : p.name)).join(' ');
    const scrolled = this.consoleScroll > 0 ? ` - scrolled back ${this.consoleScroll} rows (PgDn)` : '';
    w.console.setLabel(` console ${tabs || '(none)'}${scrolled} `);

    const cpu = this.machine.cpus[this.cpu];
    const cells = this.registerCells();
    this.setContent(
      w.registers,
      registersText({
        cpu: cpu.id,
        cpuCount: this.machine.cpus.length,
        mode: cpu.privilegeName(),
        cells,
        symbol: this.symbolOf(cpu.pc),
        paused: this.paused || this.finished !== undefined,
        width: L.registers.width - 2,
      }).join('\n'),
    );

    const stats = this.lines.map((l, i) => ({ name: l.name, count: l.raised, rate: this.rates.rate(i + 1), history: this.rates.history(i + 1) }));
    const symbolize = (pc: number) => this.symbolOf(pc);
    const room = Math.max(0, L.interrupts.height - 2);
    const traps = this.traps.latest(this.logScroll + room).slice(this.logScroll).map((t) => formatTrap(t, symbolize));
    this.setContent(w.interrupts, interruptsText(stats, traps, this.traps.total, L.interrupts.width - 2, L.interrupts.height - 2).join('\n'));

    this.setContent(
      w.status,
      statusText(
        {
          board: this.machine.board.name,
          arch: this.machine.arch.type,
          state: this.finished ? this.finished.state : this.paused || this.machine.halted ? 'paused' : 'running',
          mips: this.rates.rate(0) / 1e6,
          instructions: this.machine.instructions,
          timeNs: this.machine.clock.now(),
          focus,
          devices: this.machine.devices.map((d) => d.device.status?.()).filter((t) => t !== undefined).join(' '),
          debug: this.machine.debugStatus?.(),
        },
        L.status.width,
      ),
    );
    if (this.helpVisible) {
      this.setContent(w.help, HELP_TEXT.join('\n'));
      w.help.show();
      w.help.setFront();
    } else w.help.hide();
  }

  /** `<function+0x1c>` for a pc inside a loaded image (not for a user program's addresses past the kernel's `_end`). */
  private symbolOf(pc: number): string {
    const d = symbolizeAddress(this.machine, pc);
    return d === undefined ? '' : `<${d.replace(/\+0x0$/, '')}>`;
  }

  private showMessage(o: Outcome): void {
    const m = this.widgets.message;
    m.setLabel(` ${o.title} `);
    m.setContent([` ${o.detail ?? ''}`, '', ` exit code ${o.code}. Enter exits; Tab, c, PgUp/PgDn still browse.`].join('\n'));
    // Over the top of the console: the guest's last output (bottom) and the counters stay visible.
    const c = this.layout.console;
    m.width = Math.max(20, Math.min(c.width - 4, Math.max(60, (o.detail ?? '').length + 4)));
    m.left = c.left + Math.max(0, Math.floor((c.width - (m.width as number)) / 2));
    m.top = c.top + 1;
    m.show();
    m.setFront();
    this.dirty = true;
    this.frame(true);
  }
}

/** Keys that only change what is shown (still live once the machine has stopped). */
const BROWSING: ReadonlySet<Action> = new Set<Action>(['scroll-up', 'scroll-down', 'page-up', 'page-down', 'next-cpu', 'next-tab', 'focus-next', 'focus-prev', 'help']);
const isBrowsing = (a: Action) => BROWSING.has(a);

/** Saves the machine's framebuffer as the first free rvos-screenshot-N.png here; says what it did. */
export function saveScreenshot(machine: Machine, dir = process.cwd()): string {
  const shot = machine.screenshot();
  if (!shot) return '[rvos: no device shows a framebuffer]';
  let n = 1;
  while (existsSync(`${dir}/rvos-screenshot-${n}.png`)) n++;
  const file = `${dir}/rvos-screenshot-${n}.png`;
  try {
    writeFileSync(file, shot.png);
  } catch (e) {
    return `[rvos: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}]`;
  }
  return `[rvos: ${shot.device} ${shot.width}x${shot.height} saved to ${file}]`;
}
