/**
 * scripts/ascii-source.mjs: the build's bundles made ASCII (a one-byte source string in V8) without changing what
 * the code does: regular expressions and comments get \uXXXX escapes, template literals (a tag reads their raw text)
 * are left as they are.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a build script in JavaScript, without type declarations
import { asciiSource } from '../../../scripts/ascii-source.mjs';

const escape = asciiSource as (text: string) => string;
/** What a snippet's variables hold, run as a function. */
const values = (code: string, names: string) => new Function(`${code}; return [${names}];`)() as unknown[];

describe('asciiSource', () => {
  it('leaves ASCII text as it is', () => {
    const text = 'var a = /[\\x1b\\x9b]/g; // plain\n';
    expect(escape(text)).toBe(text);
  });

  it('escapes regular expression literals and comments: the same matches, ASCII text', () => {
    // oclif's ansis: a raw U+009B (CSI) in a character class, which esbuild's charset leaves.
    const code = 'var strip = /[\x1b\x9b][[()#;?]*[0-9]*m/, id = /\\é/, emoji = /😀/u; /* é */ // ü\n';
    const out = escape(code);
    expect(out).toMatch(/^[\x00-\x7f]*$/);
    expect(out).toContain('[\x1b\\u009b]');
    const probe = 'strip.test("\\x9b1m"), id.test("é"), emoji.test("😀"), strip.test("x")';
    expect(values(out, probe)).toEqual(values(code, probe));
    expect(values(out, probe)).toEqual([true, true, true, false]);
  });

  it('leaves template literals (String.raw reads them) and escapes what their substitutions hold', () => {
    const code = 'var a = String.raw`é ${/ü/.test("ü")}`, b = `ö`;';
    const out = escape(code);
    expect(out).toBe('var a = String.raw`é ${/\\u00fc/.test("\\u00fc")}`, b = `ö`;');
    expect(values(out, 'a, b')).toEqual(values(code, 'a, b'));
  });
});
