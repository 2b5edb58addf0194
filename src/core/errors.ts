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
  /** An internal emulator error (a bug in rvos or a plugin). */
  hostError: 70,
} as const;
