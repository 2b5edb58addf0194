import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Node } from 'yaml';
import { UserError } from './errors.js';
import { formatBytes, MAX_YAML_BYTES, readInput } from './input-file.js';
import { packageRoot } from './paths.js';
import { startupMark } from './startup-trace.js';

/**
 * Board and config files (YAML): their data, and the line of each field for error messages. The built-in boards are
 * also parsed at build time (scripts/build.mjs writes PREPARSED_BOARDS): a `--board virt` run then takes their data
 * from there instead of running the YAML parser (~5 % of a bare-metal hello round trip). The YAML files stay the
 * source of truth: a pre-parsed board is used only when its text is the file's text, character for character;
 * an edited board, a checkout not built since, or a user's own file is parsed. The YAML parser itself is loaded at
 * the first parse (yamlParser), so such a run does not even evaluate it.
 */

export type LineOf = (path: Array<string | number>) => number;

/** A YAML file's data and where its nodes are: JSON of a path (map keys, sequence indexes) to its line. */
export interface ParsedYaml {
  text: string;
  data: unknown;
  lines: Record<string, number>;
}

/** The pre-parsed built-in boards, by file name in boards/ ("virt.yaml"), relative to the package root. */
export const PREPARSED_BOARDS = join('dist', 'boards.json');

/**
 * Reads a YAML file (board or config), reporting syntax errors with their line. The file is read
 * up to MAX_YAML_BYTES (never all of `/dev/zero`), and aliases that expand without bound (a
 * "billion laughs" file) are refused, naming the file.
 */
export function readYaml(file: string): { data: unknown; lineOf: LineOf } {
  const text = Buffer.from(readInput(file, MAX_YAML_BYTES, `the largest board or config file rvos reads (${formatBytes(MAX_YAML_BYTES)})`)).toString('utf8');
  const pre = preparsed(file, text);
  startupMark(`${basename(file)}: ${pre ? 'pre-parsed by the build' : 'YAML parsed'}`);
  if (pre) return { data: pre.data, lineOf: lineLookup(pre.lines) };
  const parsed = parseYaml(file, text);
  return { data: parsed.data, lineOf: lineLookup(parsed.lines) };
}

type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;

/**
 * The yaml package, evaluated at the first call. In rvos' esbuild bundles (the installed CLI, a checkout's) require() is
 * the bundle's and returns its own copy of yaml, evaluated then; in unbundled ES modules (tsx, dist/src) there is no
 * require and Node loads the package.
 */
function yamlParser(): Yaml {
  if (!yaml) {
    yaml = typeof require === 'function' ? (require('yaml') as Yaml) : (createRequire(import.meta.url)('yaml') as Yaml);
    startupMark('YAML parser loaded');
  }
  return yaml;
}

/** Parses `text` (the content of `file`, named in errors). */
export function parseYaml(file: string, text: string): ParsedYaml {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlParser();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, intAsBigInt: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = lineCounter.linePos(err.pos[0]).line;
    throw new UserError(`${file}:${line}: ${err.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    // yaml's default maxAliasCount (100) bounds the expansion; it throws a ReferenceError past it.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const why = e instanceof ReferenceError && /alias/i.test(e.message) ? 'aliases expand too much (a YAML "billion laughs" file?)' : (e as Error).message;
    throw new UserError(`${file}: ${why}`);
  }
  const lines: Record<string, number> = {};
  const walk = (node: unknown, path: Array<string | number>): void => {
    const range = (node as Node | null)?.range;
    if (range) lines[JSON.stringify(path)] = lineCounter.linePos(range[0]).line;
    if (isMap(node)) {
      for (const pair of node.items) if (isScalar(pair.key)) walk(pair.value, [...path, pair.key.value as string | number]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return { text, data, lines };
}

/** The line of a path: its node's, or its nearest ancestor's present in the file (1 for none). */
export function lineLookup(lines: Record<string, number>): LineOf {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const line = lines[JSON.stringify(path.slice(0, depth))];
      if (line !== undefined) return line;
    }
    return 1;
  };
}

/**
 * The build's parse of `file` when it is a built-in board (in `root`/boards) whose text is still `text`. The table is
 * read at each call (a few KiB), so nothing stale outlives a rebuild.
 */
export function preparsed(file: string, text: string, root = packageRoot()): ParsedYaml | undefined {
  if (dirname(file) !== join(root, 'boards')) return undefined;
  const path = join(root, PREPARSED_BOARDS);
  let table: Record<string, ParsedYaml>;
  try {
    if (!existsSync(path)) return undefined;
    table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, ParsedYaml>;
  } catch {
    return undefined; // unreadable: parse the board
  }
  const entry = table[basename(file)];
  return entry?.text === text ? entry : undefined;
}

/**
 * The pre-parsed table of the YAML files in `dir` (scripts/build.mjs). A board whose data is not plain JSON (it would
 * not survive the round trip) is left out: it is parsed at each run.
 */
export function preparseBoards(dir: string, files: string[]): Record<string, ParsedYaml> {
  const out: Record<string, ParsedYaml> = {};
  for (const name of files) {
    const parsed = parseYaml(join(dir, name), readFileSync(join(dir, name), 'utf8'));
    if (isPlainJson(parsed.data)) out[name] = parsed;
  }
  return out;
}

function isPlainJson(data: unknown): boolean {
  const plain = (v: unknown): boolean =>
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)) ||
    (Array.isArray(v) && v.every(plain)) ||
    (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(plain));
  return plain(data);
}
