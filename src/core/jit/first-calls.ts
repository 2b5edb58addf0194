/**
 * How long an interpreter's first calls run (FirstCalls in api.ts). The first `singleCalls` run one
 * instruction each, so that the interpreter's exit path has type feedback (V8 allocates feedback
 * vectors lazily, after a few calls) before V8 compiles its loop on-stack; otherwise the cached OSR
 * code deopts on every return. Then calls stop at `warmUpAt` retired instructions, where `warmUp`
 * runs (a CPU type's interpreter warm-up, once per process): a short run (a hello kernel) never
 * pays for it nor for the optimizing compile it starts, which Node waits for at exit.
 */
import type { FirstCalls } from '../api.js';

export class FirstCallGate implements FirstCalls {
  done = false;
  private calls = 0;

  constructor(
    private readonly singleCalls: number,
    private readonly warmUpAt: number,
    private readonly warmUp: () => void,
  ) {}

  steps(retired: number, steps: number): number {
    if (this.calls < this.singleCalls) {
      this.calls++;
      return 1;
    }
    const left = this.warmUpAt - retired;
    if (left > 0) return left < steps ? left : steps;
    this.done = true;
    this.warmUp();
    return steps;
  }

  skip(): void {
    this.done = true;
  }
}
