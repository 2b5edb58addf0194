import { copyFileSync, existsSync, linkSync, mkdirSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A board's default disk (`boot.drive` in the board file) is a committed image; runs never write
 * to it. The first run copies it to a per-user folder and every later run uses that copy, so what
 * the guest wrote is still there next time (delete the copy to start afresh).
 *
 * Folder: `$RVOS_DATA_DIR`, else `$XDG_DATA_HOME/rvos`, else `~/.local/share/rvos`.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RVOS_DATA_DIR) return env.RVOS_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'rvos');
  return join(homedir(), '.local', 'share', 'rvos');
}

/** Where the writable copy of board `board`'s default disk lives. */
export function defaultDiskCopyPath(board: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), `${board}-disk.img`);
}

/**
 * Returns the path of the writable copy of `image` for `board`, creating it on first use
 * (`notice` gets one line saying where), or undefined when the committed image does not exist
 * (yet) or cannot be copied (`notice` says why): the machine then runs without a drive.
 */
export function prepareDefaultDisk(board: string, image: string, notice?: (message: string) => void, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!existsSync(image)) return undefined;
  const copy = defaultDiskCopyPath(board, env);
  if (existsSync(copy)) return copy;
  const tmp = `${copy}.${process.pid}.tmp`;
  try {
    mkdirSync(dataDir(env), { recursive: true });
    copyFileSync(image, tmp);
    // link() fails when the name exists: two first runs at once agree on one complete copy
    // (a rename would replace a copy the other run may already be writing to).
    linkSync(tmp, copy);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return copy;
    // Never write the committed image; run without a disk rather than refuse to run.
    notice?.(`rvos: cannot copy the default disk ${image} to ${copy} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); running without it (set RVOS_DATA_DIR to a writable folder, or give --drive)`);
    return undefined;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
  }
  notice?.(`rvos: board ${board}: the default disk is a copy of ${image} at ${copy} (delete it to start afresh)`);
  return copy;
}
