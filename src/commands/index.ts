import Addr2line from './addr2line.js';
import Boards from './boards.js';
import DiskCreate from './disk/create.js';
import DiskList from './disk/list.js';
import Dtb from './dtb.js';
import Plugins from './plugins.js';
import Run from './run.js';

/** Every command, for oclif's explicit command discovery (`disk:create` is `rvos disk create`). */
export const COMMANDS = {
  run: Run,
  boards: Boards,
  plugins: Plugins,
  dtb: Dtb,
  'disk:create': DiskCreate,
  'disk:list': DiskList,
  addr2line: Addr2line,
};
