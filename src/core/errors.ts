/** Marks a UserError from any copy of this module (Symbol.for: one symbol per process). */
const USER_ERROR = Symbol.for('rvos.UserError');

/**
 * Errors caused by the user's input (board file, config, ELF, plugin, flags). The CLI prints
 * the message alone, without a stack, and exits with EXIT_BAD_INPUT.
 */
export class UserError extends Error {
  /**
   * `instanceof` across copies of this module: compiled rvos runs a bundle (dist/cli) with its own
   * copy of the core, while built-in plugins import dist/src/core/errors.js. A UserError a plugin
   * throws (a bad prop) is still the user's input, never a plugin failure.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === UserError && typeof value === 'object' && value !== null && USER_ERROR in value) return true;
    return Function.prototype[Symbol.hasInstance].call(this, value); // subclasses: the prototype chain
  }

  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
// On the prototype (not an own property): error dumps stay as they were.
Object.defineProperty(UserError.prototype, USER_ERROR, { value: true });

/** Process exit codes of `rvos run` besides the guest's own power-off code. */
export const EXIT = {
  ok: 0,
  /** --timeout or --max-insns reached before the guest powered off. */
  timeout: 124,
  /** Bad board, config, flags, image or plugin. */
  badInput: 2,
  /** An internal emulator error (a bug in rvos). */
  hostError: 70,
  /** A plugin failed (threw, returned nothing, never settled): the message names the plugin and device. */
  pluginError: 71,
  /** Every CPU waits and no event can ever wake one (no timer armed, no input source open). */
  halted: 125,
} as const;

/**
 * A plugin's code failed: it threw (in create, deviceTree, a register access, a timer, reset,
 * close, register), returned something unusable, or never finished loading. The CLI prints the
 * message alone (it names the plugin, the device, what failed and the guest pc) and exits with
 * EXIT.pluginError: the fault is the plugin's, not rvos'.
 */
export class PluginError extends Error {
  /** Guest pc when the failure happened inside (or between) CPU slices; set once known. */
  pc: number | undefined;

  constructor(
    readonly plugin: string,
    /** What the core asked the plugin to do: "create()", "read of 4 bytes at 0x10000000 (+0x0)". */
    readonly what: string,
    /** The plugin's own error message (or what was wrong with its answer). */
    readonly detail: string,
    readonly device?: string,
    options?: { pc?: number; cause?: unknown },
  ) {
    super('', options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PluginError';
    this.pc = options?.pc;
    this.message = this.format();
  }

  /** Records the guest pc (the first one given wins) and updates the message. */
  setPc(pc: number): void {
    if (this.pc !== undefined) return;
    this.pc = pc;
    this.message = this.format();
  }

  private format(): string {
    const at = this.pc !== undefined ? ` at pc=0x${(this.pc >>> 0).toString(16).padStart(8, '0')}` : '';
    return `plugin ${this.plugin}: ${this.device !== undefined ? `device ${this.device}: ` : ''}${this.what} failed${at}: ${this.detail}`;
  }

  /** Wraps whatever a plugin threw; a PluginError passes through unchanged. */
  static from(thrown: unknown, plugin: string, what: string, device?: string): PluginError {
    if (thrown instanceof PluginError) return thrown;
    const detail = thrown instanceof Error ? thrown.message : `threw ${describeThrown(thrown)}`;
    return new PluginError(plugin, what, detail, device, { cause: thrown });
  }
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}
