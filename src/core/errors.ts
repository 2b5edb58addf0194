/**
 * Errors caused by the user's input (board file, config, ELF, plugin, flags). The CLI prints
 * the message alone, without a stack, and exits with EXIT_BAD_INPUT.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

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
