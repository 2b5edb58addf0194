/**
 * The built-in boards parsed at build time (src/core/yaml-file.ts, dist/boards.json): the same data and the same
 * field lines as parsing the YAML at run time, and used only while the board file's text is the one parsed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { lineLookup, parseYaml, preparseBoards, preparsed, PREPARSED_BOARDS } from '../../../src/core/yaml-file.js';

const boardsDir = join(import.meta.dirname, '..', '..', '..', 'boards');
const boards = readdirSync(boardsDir).filter((f) => f.endsWith('.yaml'));

/** Every path of `data` (map keys, sequence indexes), and one that goes on past each leaf. */
function paths(data: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  const out = [path];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...paths(v, [...path, i])));
  else if (data !== null && typeof data === 'object') for (const [k, v] of Object.entries(data)) out.push(...paths(v, [...path, k]));
  else out.push([...path, 'missing', 0]);
  return out;
}

/** The line of a path as the YAML document itself tells it (its node, else its nearest ancestor's). */
function documentLine(text: string, path: Array<string | number>): number {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return 1;
}

describe('pre-parsed built-in boards', () => {
  it('has every built-in board, with the data and field lines of its YAML', () => {
    const table = preparseBoards(boardsDir, boards);
    expect(Object.keys(table).sort()).toEqual([...boards].sort());
    for (const name of boards) {
      const text = readFileSync(join(boardsDir, name), 'utf8');
      const entry = table[name];
      expect(entry.text).toBe(text);
      expect(entry.data).toEqual(parseDocument(text).toJS());
      // What dist/boards.json holds survives JSON unchanged.
      expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
      const lineOf = lineLookup(entry.lines);
      for (const p of paths(entry.data)) expect(lineOf(p), `${name} ${JSON.stringify(p)}`).toBe(documentLine(text, p));
    }
  });

  it('is used only for a board in the package\'s boards/ whose text is unchanged', () => {
    const root = mkdtempSync(join(tmpdir(), 'rvos-preparsed-'));
    mkdirSync(join(root, 'boards'));
    mkdirSync(join(root, 'dist'));
    const file = join(root, 'boards', 'b.yaml');
    const text = 'name: b\narch: rv32\nmemory: { base: 0, size: 1MiB }\n';
    writeFileSync(file, text);
    expect(preparsed(file, text, root)).toBeUndefined(); // not built
    writeFileSync(join(root, PREPARSED_BOARDS), JSON.stringify(preparseBoards(join(root, 'boards'), ['b.yaml'])));
    expect(preparsed(file, text, root)?.data).toEqual({ name: 'b', arch: 'rv32', memory: { base: 0, size: '1MiB' } });
    expect(preparsed(file, text.replace('1MiB', '2MiB'), root)).toBeUndefined(); // edited since the build
    expect(preparsed(join(root, 'b.yaml'), text, root)).toBeUndefined(); // a user's file of the same name
    writeFileSync(join(root, PREPARSED_BOARDS), '{');
    expect(preparsed(file, text, root)).toBeUndefined(); // unreadable table
  });

  it('leaves out a board whose data JSON cannot carry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-preparsed-'));
    writeFileSync(join(dir, 'odd.yaml'), 'name: odd\nwhen: !!timestamp 2001-12-14\n');
    writeFileSync(join(dir, 'inf.yaml'), 'name: inf\nx: .inf\n');
    writeFileSync(join(dir, 'ok.yaml'), 'name: ok\n');
    expect(Object.keys(preparseBoards(dir, ['odd.yaml', 'inf.yaml', 'ok.yaml']))).toEqual(['ok.yaml']);
  });

  it('reports a syntax error with its file and line, as at run time', () => {
    expect(() => parseYaml('/x/bad.yaml', 'name: a\ndevices: [\n')).toThrow(/^\/x\/bad\.yaml:\d+: /);
  });
});
