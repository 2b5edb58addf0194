// The installed CLI's CommonJS bundles as ASCII (scripts/build.mjs). V8 holds a source with one non-ASCII character
// as a two-byte string: twice the memory to read, hash and scan at each start (the CLI's bundle is ~1 MB; oclif's
// ansis has a raw U+009B in a regular expression). esbuild's default charset escapes strings and plain template
// literals, but leaves regular expression literals, comments and tagged templates as they are: this escapes what is
// left (\uXXXX means the same character there), except inside template literals, whose raw text a tag can read.
import ts from 'typescript';

/** `text` (JavaScript) with each non-ASCII UTF-16 unit outside template literals written as a \uXXXX escape. */
export function asciiSource(text) {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  const file = ts.createSourceFile('bundle.js', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const templates = [];
  const visit = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstTemplateToken && node.kind <= ts.SyntaxKind.LastTemplateToken) templates.push([node.getStart(file), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  const inTemplate = (i) => templates.some(([start, end]) => i >= start && i < end);
  return text.replace(/(\\*)([^\x00-\x7f])/g, (whole, slashes, ch, i) => {
    const at = i + slashes.length;
    if (inTemplate(at)) return whole;
    // An identity escape (`\é` in a regular expression) is the character itself: its backslash goes.
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
