/** The device harness lives in rvos/testing (plugin authors unit-test their devices with it too). */
export * from '../../src/testing/device.js';
