/**
 * `rvos/testing`: the harness rvos' own tests use, for plugin authors' tests.
 *   runMachine / startMachine: boot a board with plugins and a guest, script its console.
 *   loadDevicePlugin / instantiate: one device built as the machine builder builds it, on a bus,
 *     with recording interrupt lines, a capturing chardev and a clock the test advances.
 *   rv32: an RV32IMAC + Zicsr instruction encoder, for test guests without a toolchain.
 */
export { runMachine, startMachine, type Reply, type TestMachine, type TestMachineOptions, type TestRunOptions, type TestRunResult } from './machine.js';
export {
  CapturingChardev,
  createHarnessed,
  DeviceUnderTest,
  FakeMachine,
  instantiate,
  loadDevicePlugin,
  RecordingLine,
  type Harness,
  type HarnessOptions,
} from './device.js';
export * as rv32 from './rv32asm.js';
