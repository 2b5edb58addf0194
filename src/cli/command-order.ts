/**
 * The order oclif gives each plugin's commands: it sorts them by id with `String.prototype.localeCompare`, whose
 * first call in a process builds ICU's collator, 15-30 ms of every start-up (a hello round trip is ~250 ms) for
 * nine ids. The installed CLI's bundle sorts with this instead (an esbuild plugin in scripts/build.mjs): the same
 * order without ICU for ids of lowercase ASCII letters, digits, '-' and ':' (rvos' and oclif's commands), where the
 * Unicode root collation puts '-' and ':' (punctuation) before digits, digits before letters, and a prefix first;
 * any other id is compared with localeCompare as before.
 */
const PLAIN_ID = /^[a-z0-9:-]*$/;

/** Where `code` (a character of a plain id) sorts: '-', ':', then digits, then letters. */
function rank(code: number): number {
  if (code === 0x2d) return 0; // '-'
  if (code === 0x3a) return 1; // ':'
  return code; // '0'-'9' (0x30-0x39) before 'a'-'z' (0x61-0x7a)
}

/** `a.localeCompare(b)`'s sign for command ids, without ICU for plain ones. */
export function compareCommandIds(a: string, b: string): number {
  if (!PLAIN_ID.test(a) || !PLAIN_ID.test(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = rank(a.charCodeAt(i)) - rank(b.charCodeAt(i));
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(a.length - b.length);
}
