/**
 * Declarative register maps for device plugins (Renode-style): named registers and fields with
 * access modes, so that MMIO traces and the TUI can name the register a guest touched.
 * TODO(devices): implementation.
 */
import type { AccessSize } from './api.js';

export type RegisterAccess = 'rw' | 'ro' | 'wo' | 'w1c';

export interface FieldSpec {
  name: string;
  /** Bit range [msb, lsb] (inclusive). */
  bits: [number, number];
  access?: RegisterAccess;
}

export interface RegisterSpec {
  name: string;
  offset: number;
  /** Register width in bytes (default 4). */
  width?: 1 | 2 | 4;
  /** For register arrays: number of instances and byte stride; callbacks then get the index. */
  count?: number;
  stride?: number;
  access?: RegisterAccess;
  /** Value after reset for stored registers (no `read` callback). */
  reset?: number;
  /** Bits the guest can change (default all); others keep their value. */
  writeMask?: number;
  /** Computed read; when absent the stored value is returned. */
  read?: (index: number) => number;
  /** Side effect after a write; `value` is the new (masked, merged) value. */
  write?: (value: number, index: number, written: number) => void;
  fields?: FieldSpec[];
}

export interface RegisterMapSpec {
  registers: RegisterSpec[];
}

export interface RegisterMap {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** Stored value of a named register (index for arrays). */
  get(name: string, index?: number): number;
  set(name: string, value: number, index?: number): void;
  /** Name of the register at `offset` ("priority[3]"), or undefined. */
  nameAt(offset: number): string | undefined;
  reset(): void;
}
