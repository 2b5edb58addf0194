/** The encoder lives in rvos/testing (plugin authors assemble test guests with it too). */
export * from '../../src/testing/rv32asm.js';
