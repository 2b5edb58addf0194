import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Bundle {
  dir: string;
  plugins: Record<string, string>;
}
const script = join(import.meta.dirname, '..', '..', '..', 'scripts', 'checkout-bundle.mjs');
const { checkoutBundle } = (await import(pathToFileURL(script).href)) as { checkoutBundle(root: string): Promise<Bundle | undefined> };

/** A checkout in miniature: a command, the CLI entry and one built-in plugin. */
function miniCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), 'rvos-checkout-'));
  const files: Record<string, string> = {
    'package.json': '{ "name": "mini", "type": "module" }\n',
    'tsconfig.json': '{ "compilerOptions": { "target": "ES2022" } }\n',
    'src/cli/main.ts': 'export async function main(): Promise<void> {}\n',
    'src/commands/a.ts': "export default 'command a, first version';\n",
    'src/hooks/.keep': '',
    'plugins/p/package.json': '{ "name": "p", "rvos": { "apiVersion": 1, "kind": "device", "entry": "src/index.ts" } }\n',
    'plugins/p/src/index.ts': 'export function register(): void {}\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('a checkout\'s cached bundle (scripts/checkout-bundle.mjs)', () => {
  it('is built once, reused while its sources are unchanged, and rebuilt when one changes or a command appears', async () => {
    const root = miniCheckout();
    const first = (await checkoutBundle(root))!;
    expect(readFileSync(join(first.dir, 'commands', 'a.js'), 'utf8')).toContain('command a, first version');
    const plugin = first.plugins[join(root, 'plugins', 'p', 'src', 'index.ts')];
    expect(plugin).toBe(join(first.dir, 'plugins', 'p', 'index.js'));
    expect(existsSync(plugin)).toBe(true);

    expect((await checkoutBundle(root))!.dir).toBe(first.dir);

    writeFileSync(join(root, 'src', 'commands', 'a.ts'), "export default 'command a, second version';\n");
    const edited = (await checkoutBundle(root))!;
    expect(edited.dir).not.toBe(first.dir);
    expect(readFileSync(join(edited.dir, 'commands', 'a.js'), 'utf8')).toContain('command a, second version');

    writeFileSync(join(root, 'src', 'commands', 'b.ts'), "export default 'command b';\n");
    const added = (await checkoutBundle(root))!;
    expect(added.dir).not.toBe(edited.dir);
    expect(existsSync(join(added.dir, 'commands', 'b.js'))).toBe(true);
  }, 60_000);
});
