import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs that use a board's default disk copy it here, never into the user's data folder. One folder
// per test worker: the copy is locked while a run uses it (src/core/disk/lock.ts), and test files
// in parallel workers must not refuse each other's runs.
process.env.RVOS_DATA_DIR = join(tmpdir(), `rvos-test-data-${process.pid}`);
