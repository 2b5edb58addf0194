import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The rvos package folder (holds boards/, plugins/, kernels/). */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
