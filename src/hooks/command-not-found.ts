import type { Hook } from '@oclif/core';
import { EXIT } from '../core/errors.js';

/**
 * `rvos rn` says what was meant instead of oclif's bare "command not found": the closest
 * command or topic by edit distance, when it is close enough to be a typo.
 */
const hook: Hook<'command_not_found'> = async function ({ id: argv, config }) {
  const shown = (name: string) => name.replaceAll(':', ' ');
  // With a space as topic separator oclif joins the arguments into the id ("disk:crate:x.img"):
  // the mistyped command is the known topics plus one more word.
  const words = argv.split(':');
  let n = 1;
  while (n < words.length && config.topics.some((t) => t.name === words.slice(0, n).join(':'))) n++;
  const id = words.slice(0, n).join(':');
  const known = [...config.commandIDs, ...config.topics.map((t) => t.name)].filter((c) => !config.findCommand(c)?.hidden);
  const best = closest(id, known);
  const hint = best ? `Did you mean "${shown(best)}"? ` : '';
  process.stderr.write(`rvos: "${shown(id)}" is not an rvos command. ${hint}\`rvos help\` lists the commands.\n`);
  process.exit(EXIT.badInput);
};

export default hook;

/** The known name nearest to `typed`, if at most a third of its letters differ. */
export function closest(typed: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(typed, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
