/**
 * Reads a module made by src/core/jit/wasm-module.ts back: its one function's body and the branch hints
 * (`metadata.code.branch_hint`) aimed at it, to check that each hint names an `if` or `br_if`.
 */
function readUleb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

export interface HintedBody {
  /** The function's body (locals and code, as the code section holds it). */
  body: Uint8Array;
  /** [offset in `body`, 1 likely / 0 unlikely], in section order. */
  hints: [number, number][];
  /** Whether the hint section came before the code section. */
  hintsFirst: boolean;
}

export function readHints(bytes: Uint8Array): HintedBody {
  let at = 8;
  let body: Uint8Array = new Uint8Array(0);
  const hints: [number, number][] = [];
  let hintsAt = -1;
  let codeAt = -1;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size: number;
    [size, at] = readUleb(bytes, at);
    const end = at + size;
    if (id === 0) {
      let [len, p] = readUleb(bytes, at);
      const name = String.fromCharCode(...bytes.subarray(p, p + len));
      p += len;
      if (name === 'metadata.code.branch_hint') {
        hintsAt = at;
        let funcs: number;
        [funcs, p] = readUleb(bytes, p);
        for (let f = 0; f < funcs; f++) {
          let n: number;
          [, p] = readUleb(bytes, p); // function index
          [n, p] = readUleb(bytes, p);
          for (let k = 0; k < n; k++) {
            let off: number;
            let dataSize: number;
            [off, p] = readUleb(bytes, p);
            [dataSize, p] = readUleb(bytes, p);
            if (dataSize !== 1) throw new Error(`hint payload of ${dataSize} bytes`);
            hints.push([off, bytes[p++]]);
          }
        }
      }
    } else if (id === 10) {
      codeAt = at;
      let p = readUleb(bytes, at)[1]; // one function
      let len: number;
      [len, p] = readUleb(bytes, p);
      body = bytes.subarray(p, p + len);
    }
    at = end;
  }
  return { body, hints, hintsFirst: hintsAt >= 0 && hintsAt < codeAt };
}
