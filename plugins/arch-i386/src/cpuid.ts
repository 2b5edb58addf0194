/**
 * CPUID: the identity of QEMU 7.2's `qemu32` CPU (GenuineIntel, family 6 model 6 stepping 3, "QEMU
 * Virtual CPU version 2.5+", max basic leaf 4, max extended leaf 0x80000004, TCG's hypervisor leaf),
 * advertising only the features rvos implements: what QEMU's `-cpu qemu32,-mmx,-sse,-sse2,-pni,-apic`
 * reports (kernels/tests-i386/cpuid.c checks every leaf against it). Leaves 2 and 4 describe QEMU's
 * legacy caches (32 KiB L1d/L1i, 4 MiB L2, 16 MiB L3) so Linux prints the same cache size.
 */
import { EAX, EBX, ECX, EDX } from './consts.js';

/** Leaf 1 EDX bits. */
export const FEAT_FPU = 1 << 0, FEAT_VME = 1 << 1, FEAT_DE = 1 << 2, FEAT_PSE = 1 << 3, FEAT_TSC = 1 << 4, FEAT_MSR = 1 << 5,
  FEAT_PAE = 1 << 6, FEAT_MCE = 1 << 7, FEAT_CX8 = 1 << 8, FEAT_SEP = 1 << 11, FEAT_PGE = 1 << 13,
  FEAT_CMOV = 1 << 15, FEAT_PAT = 1 << 16, FEAT_FXSR = 1 << 24;

/**
 * Leaf 1 EDX: the qemu32 features rvos implements (no MMX, SSE, SSE2 or local APIC). VME (and PVI)
 * work when CR4 enables them but are not advertised: QEMU's TCG cannot do them, so its CPUs never
 * advertise VME, and kernels that test the bit take QEMU's path on rvos too.
 */
const FEATURES_EDX = FEAT_FPU | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_PAE | FEAT_MCE | FEAT_CX8 |
  FEAT_SEP | FEAT_PGE | FEAT_CMOV | FEAT_PAT | FEAT_FXSR;
/** Leaf 1 ECX: the hypervisor bit, as every QEMU guest CPU (no SSE3). */
const FEATURES_ECX = 0x80000000 | 0;

const MAX_BASIC = 4;
const MAX_EXTENDED = 0x80000004;
const BRAND = words('QEMU Virtual CPU version 2.5+', 48);
/** Leaf 0x40000000: TCG's hypervisor signature. */
const HYPERVISOR = words('TCGTCGTCGTCG', 12);
const VENDOR = words('GenuineIntel', 12);

/** Leaf 4 subleaves (EAX EBX ECX EDX): L1d, L1i, L2, L3 as QEMU's legacy cache descriptions. */
const CACHES = Int32Array.of(
  0x121, 0x01c0003f, 0x3f, 1,
  0x122, 0x01c0003f, 0x3f, 1,
  0x143, 0x03c0003f, 0xfff, 1,
  0x163, 0x03c0003f, 0x3fff, 6,
);

function words(text: string, length: number): Int32Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Int32Array(bytes.buffer);
}

/** The registers CPUID loads for leaf EAX (subleaf ECX), as QEMU's cpu_x86_cpuid. */
export function cpuid(regs: Int32Array): void {
  let leaf = regs[EAX] >>> 0;
  const sub = regs[ECX] >>> 0;
  // Past a range's maximum, Intel CPUs (and QEMU) answer with the highest basic leaf.
  if (leaf >= 0x80000000 ? leaf > MAX_EXTENDED : leaf >= 0x40000000 ? leaf > 0x40000001 : leaf > MAX_BASIC) {
    leaf = MAX_BASIC;
  }
  let a = 0, b = 0, c = 0, d = 0;
  switch (leaf) {
    case 0: a = MAX_BASIC; b = VENDOR[0]; d = VENDOR[1]; c = VENDOR[2]; break;
    case 1: a = 0x663; b = 0x800; c = FEATURES_ECX; d = FEATURES_EDX; break; // CLFLUSH size 8 qwords, as QEMU
    case 2: a = 1; c = 0x4d; d = 0x002c307d; break; // descriptors: 16 MiB L3; 32 KiB L1d, 32 KiB L1i, 2 MiB L2
    case 4: if (sub < 4) { a = CACHES[4 * sub]; b = CACHES[4 * sub + 1]; c = CACHES[4 * sub + 2]; d = CACHES[4 * sub + 3]; } break;
    case 0x40000000: a = 0x40000001; b = HYPERVISOR[0]; c = HYPERVISOR[1]; d = HYPERVISOR[2]; break;
    case 0x80000000: a = MAX_EXTENDED; b = VENDOR[0]; d = VENDOR[1]; c = VENDOR[2]; break;
    case 0x80000001: a = 0x663; break;
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const i = (leaf - 0x80000002) * 4;
      a = BRAND[i]; b = BRAND[i + 1]; c = BRAND[i + 2]; d = BRAND[i + 3];
      break;
    }
  }
  regs[EAX] = a; regs[EBX] = b; regs[ECX] = c; regs[EDX] = d;
}
