import type { ElfInfo } from './api.js';
import { StdioBackend } from './chardev.js';
import type { Symbolizer } from './symbols.js';
import { parseAddress } from './address.js';

/**
 * Symbols for addresses: `rvos addr2line`, and the console filter that appends
 * ` <function+0x1c>` after `KEYWORD=0x...` in what the guest prints (panic messages, trap dumps),
 * the way a kernel developer would run addr2line by hand. The keywords come from the architecture
 * (`ArchType.consoleAddressKeywords`: `sepc`, `mepc`, `pc`, `ra` on RISC-V).
 */

/** `name+0xoff` for `addr` when it lies inside one of `images` and a symbol precedes it. */
export function describeAddress(symbols: Symbolizer, images: readonly ElfInfo[], addr: number): string | undefined {
  const inside = (img: ElfInfo) => (addr >= img.low && addr < img.high) || (img.vlow !== undefined && img.vhigh !== undefined && addr >= img.vlow && addr < img.vhigh);
  if (!images.some(inside)) return undefined;
  const s = symbols.lookup(addr);
  return s ? `${s.name}+0x${s.offset.toString(16)}` : undefined;
}

/** The same for a running machine's loaded images. */
export function symbolizeAddress(machine: { symbols: Symbolizer; images: ElfInfo[] }, addr: number): string | undefined {
  return describeAddress(machine.symbols, machine.images, addr);
}

/** Keywords when the architecture names none. */
export const DEFAULT_ADDRESS_KEYWORDS: readonly string[] = ['pc'];
const MAX_HEX = 16;
const WORD = /[A-Za-z0-9_]/;
const escape = (k: string) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The patterns for one set of keywords. */
class Keywords {
  /** A keyword at a word start, `=0x`, 1..16 hex digits, and the character that ends the number. */
  readonly complete: RegExp;
  /** A whole `keyword=0x<hex>` (held text at a flush). */
  readonly whole: RegExp;
  readonly longest: number;

  constructor(readonly list: readonly string[]) {
    const alt = list.map(escape).join('|');
    this.complete = new RegExp(`(?<![A-Za-z0-9_])(${alt})=0x([0-9a-fA-F]{1,${MAX_HEX}})(?=[^0-9a-fA-F])`, 'g');
    this.whole = new RegExp(`^(?:${alt})=0x([0-9a-fA-F]{1,${MAX_HEX}})$`);
    this.longest = Math.max(...list.map((k) => k.length)) + 3 + MAX_HEX;
  }

  /** Whether `s` could still grow into `keyword=0x<hex>` (or already is one, waiting for its end). */
  couldMatch(s: string): boolean {
    for (const k of this.list) {
      const head = `${k}=0x`;
      if (s.length <= head.length) {
        if (head.startsWith(s)) return true;
      } else if (s.startsWith(head)) {
        const hex = s.slice(head.length);
        if (hex.length <= MAX_HEX && /^[0-9a-fA-F]*$/.test(hex)) return true;
      }
    }
    return false;
  }
}

/**
 * A line-aware text filter: bytes pass straight through, except a tail that may be the start of
 * `pc=0x...`, held until the number ends (or `holdMs` passes, so a prompt is never kept back).
 */
export class ConsoleSymbolizer {
  private held = '';
  /** The last character passed on, for the word-boundary check across chunks. */
  private prev = '\n';
  private timer: NodeJS.Timeout | undefined;
  private readonly keywords: Keywords;

  constructor(
    private readonly lookup: (addr: number) => string | undefined,
    private readonly out: (bytes: Uint8Array) => void,
    private readonly holdMs = 50,
    keywords: readonly string[] = DEFAULT_ADDRESS_KEYWORDS,
  ) {
    this.keywords = new Keywords(keywords.length > 0 ? keywords : DEFAULT_ADDRESS_KEYWORDS);
  }

  write(bytes: Uint8Array): void {
    const text = this.held + Buffer.from(bytes).toString('latin1');
    this.held = '';
    const ctx = this.prev;
    const all = ctx + text;
    let out = '';
    let last = ctx.length;
    const complete = this.keywords.complete;
    complete.lastIndex = 0;
    for (let m = complete.exec(all); m; m = complete.exec(all)) {
      if (m.index < ctx.length) {
        // Starts in the context character, which was already passed on as plain text.
        complete.lastIndex = m.index + 1;
        continue;
      }
      const end = m.index + m[0].length;
      out += all.slice(last, end) + this.annotation(m[2]);
      last = end;
    }
    const rest = all.slice(last);
    // Hold back the shortest-starting tail that may become a match.
    let hold = rest.length;
    for (let i = Math.max(0, rest.length - this.keywords.longest); i < rest.length; i++) {
      const before = i > 0 ? rest[i - 1] : last > 0 ? all[last - 1] : '\n';
      if (!WORD.test(before) && this.keywords.couldMatch(rest.slice(i))) {
        hold = i;
        break;
      }
    }
    out += rest.slice(0, hold);
    this.held = rest.slice(hold);
    this.emit(out);
    if (this.held && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.holdMs);
      this.timer.unref?.();
    }
  }

  /** Passes on anything held (annotated if it is a whole `pc=0x...`). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.held) return;
    const m = this.keywords.whole.exec(this.held);
    const text = this.held + (m ? this.annotation(m[1]) : '');
    this.held = '';
    this.emit(text);
  }

  private annotation(hex: string): string {
    const addr = parseAddress(hex);
    const name = Number.isSafeInteger(addr) ? this.lookup(addr) : undefined;
    return name ? ` <${name}>` : '';
  }

  private emit(text: string): void {
    if (!text) return;
    this.prev = text[text.length - 1];
    this.out(new Uint8Array(Buffer.from(text, 'latin1')));
  }
}

/** The `stdio` console with the symbolizing filter between the guest and standard output. */
export class SymbolizingStdioBackend extends StdioBackend {
  private filter: ConsoleSymbolizer | undefined;

  /** `keywords` is asked at the first output: the backend exists before the machine (and its arch). */
  constructor(
    private readonly lookup: (addr: number) => string | undefined,
    private readonly keywords: () => readonly string[] | undefined,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    super(stream);
  }

  protected override output(bytes: Uint8Array): void {
    this.filter ??= new ConsoleSymbolizer(this.lookup, (b) => this.stream.write(b), 50, this.keywords());
    this.filter.write(bytes);
  }

  override close(): void {
    super.close();
    this.filter?.flush();
  }
}
