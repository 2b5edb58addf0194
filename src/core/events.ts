import type { EventSink, MachineEventName, MachineEvents } from './api.js';

type Listener<K extends MachineEventName> = (payload: MachineEvents[K]) => void;

/**
 * The machine's typed event stream. Producers call `wants()` first so that nothing is built
 * when nobody listens; the TUI and `--trace` subscribe.
 */
export class EventStream implements EventSink {
  private readonly listeners: { [K in MachineEventName]?: Listener<K>[] } = {};

  on<K extends MachineEventName>(type: K, fn: Listener<K>): () => void {
    const list = (this.listeners[type] ??= []) as Listener<K>[];
    list.push(fn);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  wants(type: MachineEventName): boolean {
    const list = this.listeners[type];
    return list !== undefined && list.length > 0;
  }

  emit<K extends MachineEventName>(type: K, payload: MachineEvents[K]): void {
    const list = this.listeners[type] as Listener<K>[] | undefined;
    // Indexed: events come per trap and interrupt, and `for...of` allocates an iterator per call in V8's baseline tier.
    if (list) for (let i = 0; i < list.length; i++) list[i](payload);
  }
}
