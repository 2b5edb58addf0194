import type { EventSink, IrqLine } from './api.js';

/**
 * A level-triggered interrupt wire. The receiver's `onChange` runs only on a level change, so
 * devices may call `set()` from their one `updateInterrupts()` place as often as they like.
 */
export class Line implements IrqLine {
  level = false;
  raised = 0;
  /** Vectored interrupts: the driving controller's acknowledge cycle (`DeviceContext.onAcknowledge`). */
  answer: (() => number) | undefined;

  constructor(
    readonly name: string,
    private readonly onChange: (level: boolean) => void = () => {},
    private readonly events?: EventSink,
  ) {}

  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    if (level) this.raised++;
    this.changed(level);
    if (this.events?.wants('irq')) this.events.emit('irq', { line: this.name, level });
  }

  protected changed(level: boolean): void {
    this.onChange(level);
  }
}

/** A device output whose receiving input is connected after every controller exists. */
export class Wire extends Line {
  private sink: IrqLine | undefined;

  connect(sink: IrqLine): void {
    this.sink = sink;
    sink.set(this.level);
  }

  protected override changed(level: boolean): void {
    this.sink?.set(level);
  }
}
