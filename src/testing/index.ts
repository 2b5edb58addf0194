/**
 * `rvos/testing`: the harness rvos' own tests use, for plugin authors' tests.
 *   runMachine / startMachine: boot a board with plugins and a guest, script its console.
 */
export { runMachine, startMachine, type Reply, type TestMachine, type TestMachineOptions, type TestRunOptions, type TestRunResult } from './machine.js';
export * as rv32 from './rv32asm.js';
