/**
 * `npm run bench`'s lines for the compute kernel built for another architecture (kernels/bench/bench.c
 * for AArch64 and i386): its run on rvos (instructions, host time, MIPS), on QEMU (wall time minus
 * the start-up time of the matching empty guest) and the rvos/QEMU time ratio. QEMU's MIPS use
 * rvos' instruction count, as the RISC-V line does.
 */

export interface GuestRun {
  /** The guest's output (where its printf went). */
  output: string;
  /** Whether it ended as the bench kernel ends (its own exit convention). */
  ok: boolean;
  /** What to show when it did not. */
  why: string;
}

export interface GuestArch {
  /** Label in the output: "aarch64", "i386". */
  name: string;
  bench: string;
  empty: string;
  runRvos(kernel: string): Promise<GuestRun & { hostMs: number; instructions: number }>;
  qemuAvailable(): boolean;
  /** The QEMU binary, for the "not installed" line. */
  qemuBinary: string;
  runQemu(kernel: string): Promise<GuestRun>;
}

export const checksumOf = (out: string) => /checksum (0x[0-9a-f]{8})/.exec(out)?.[1];
const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** Prints the lines of one architecture; returns false when something failed. */
export async function benchGuestArch(arch: GuestArch, opts: { runs: number; rvos: boolean; qemu: boolean }): Promise<boolean> {
  const { name } = arch;
  let ok = true;
  let rvos: { seconds: number; instructions: number; checksum?: string } | undefined;
  if (opts.rvos) {
    try {
      let best: Awaited<ReturnType<GuestArch['runRvos']>> | undefined;
      for (let i = 0; i < opts.runs; i++) {
        const r = await arch.runRvos(arch.bench);
        if (!r.ok) throw new Error(`${arch.bench} ${r.why}; output:\n${r.output}`);
        if (!best || r.hostMs < best.hostMs) best = r;
      }
      rvos = { seconds: best!.hostMs / 1000, instructions: best!.instructions, checksum: checksumOf(best!.output) };
      console.log(
        `rvos ${name}: ${rvos.instructions} guest instructions in ${fmt(rvos.seconds, 3)} s host time = ` +
          `${fmt(rvos.instructions / rvos.seconds / 1e6, 1)} MIPS (checksum ${rvos.checksum ?? '?'})`,
      );
    } catch (err) {
      ok = false;
      console.log(`rvos ${name}: failed: ${(err as Error).message}`);
    }
  }
  if (!opts.qemu) return ok;
  if (!arch.qemuAvailable()) {
    console.log(`qemu ${name}: ${arch.qemuBinary} not installed, no comparison`);
    return ok;
  }
  try {
    const minWall = async (kernel: string, n: number) => {
      let best = Infinity;
      let output = '';
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const r = await arch.runQemu(kernel);
        const ms = performance.now() - started;
        if (!r.ok) throw new Error(`QEMU: ${kernel} ${r.why}`);
        best = Math.min(best, ms);
        output = r.output;
      }
      return { ms: best, output };
    };
    const startup = await minWall(arch.empty, 5);
    const bench = await minWall(arch.bench, Math.max(3, opts.runs));
    const qemuSeconds = Math.max(bench.ms - startup.ms, 1) / 1000;
    const qemuChecksum = checksumOf(bench.output);
    console.log(
      `qemu ${name}: ${fmt(bench.ms / 1000, 3)} s wall - ${fmt(startup.ms / 1000, 3)} s start-up = ${fmt(qemuSeconds, 3)} s` +
        (rvos ? ` = ${fmt(rvos.instructions / qemuSeconds / 1e6, 1)} MIPS` : '') +
        ` (checksum ${qemuChecksum ?? '?'})`,
    );
    if (rvos?.checksum && rvos.checksum !== qemuChecksum) {
      ok = false;
      console.log(`${name} checksum mismatch: rvos ${rvos.checksum}, QEMU ${qemuChecksum}`);
    }
    if (rvos) console.log(`ratio ${name}: rvos/QEMU time = ${fmt(rvos.seconds / qemuSeconds, 1)}x`);
  } catch (err) {
    ok = false;
    console.log(`qemu ${name}: failed: ${(err as Error).message}`);
  }
  return ok;
}
