/**
 * `RVOS_STARTUP_TRACE=1 rvos ...`: where a start-up's time goes. bin/rvos.js then keeps the marks in
 * `globalThis.rvosStartupTrace` (label, milliseconds since the process started) and prints them to
 * stderr when the process exits; without it a mark costs one property read.
 */
export function startupMark(label: string): void {
  (globalThis as { rvosStartupTrace?: Array<[string, number]> }).rvosStartupTrace?.push([label, performance.now()]);
}
