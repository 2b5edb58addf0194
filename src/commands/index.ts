import Boards from './boards.js';
import Dtb from './dtb.js';
import Plugins from './plugins.js';
import Run from './run.js';

/** Every command, for oclif's explicit command discovery. */
export const COMMANDS = {
  run: Run,
  boards: Boards,
  plugins: Plugins,
  dtb: Dtb,
};
