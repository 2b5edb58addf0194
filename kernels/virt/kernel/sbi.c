/*
 * SBI calls (RISC-V Supervisor Binary Interface v2.0): only standard extensions, so the kernel
 * also runs on OpenSBI. Console output uses DBCN when the firmware has it, else the legacy
 * putchar; the timer uses TIME (else legacy set_timer); power-off uses SRST (else legacy shutdown).
 */
#include "kernel.h"

#define EID_LEGACY_SET_TIMER 0x00
#define EID_LEGACY_PUTCHAR 0x01
#define EID_LEGACY_SHUTDOWN 0x08
#define EID_BASE 0x10
#define EID_TIME 0x54494D45
#define EID_HSM 0x48534D
#define EID_SRST 0x53525354
#define EID_DBCN 0x4442434E

int sbi_has_dbcn, sbi_has_time, sbi_has_srst, sbi_has_hsm;
u32 sbi_spec_version, sbi_impl_id, sbi_impl_version;

struct sbiret sbi_call(u32 eid, u32 fid, u32 a0, u32 a1, u32 a2) {
  register u32 r0 asm("a0") = a0;
  register u32 r1 asm("a1") = a1;
  register u32 r2 asm("a2") = a2;
  register u32 r6 asm("a6") = fid;
  register u32 r7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){(long)r0, (long)r1};
}

static int probe(u32 eid) {
  struct sbiret r = sbi_call(EID_BASE, 3, eid, 0, 0);
  return r.error == 0 && r.value != 0;
}

void sbi_init(void) {
  struct sbiret r = sbi_call(EID_BASE, 0, 0, 0, 0);
  if (r.error != 0) return; /* SBI v0.1: legacy calls only */
  sbi_spec_version = r.value;
  sbi_impl_id = sbi_call(EID_BASE, 1, 0, 0, 0).value;
  sbi_impl_version = sbi_call(EID_BASE, 2, 0, 0, 0).value;
  sbi_has_dbcn = probe(EID_DBCN);
  sbi_has_time = probe(EID_TIME);
  sbi_has_srst = probe(EID_SRST);
  sbi_has_hsm = probe(EID_HSM);
}

void sbi_console_write(const char *s, size_t n) {
  while (n && sbi_has_dbcn) {
    /* DBCN takes a physical address: kernel memory is identity mapped. */
    struct sbiret r = sbi_call(EID_DBCN, 0, n, (u32)s, 0);
    if (r.error != 0) break;
    s += r.value;
    n -= r.value;
  }
  while (n--) sbi_call(EID_LEGACY_PUTCHAR, 0, (u8)*s++, 0, 0);
}

void sbi_set_timer(u64 t) {
  if (sbi_has_time) sbi_call(EID_TIME, 0, (u32)t, (u32)(t >> 32), 0);
  else sbi_call(EID_LEGACY_SET_TIMER, 0, (u32)t, (u32)(t >> 32), 0);
}

void sbi_shutdown(int failure) {
  if (sbi_has_srst) sbi_call(EID_SRST, 0, 0 /* shutdown */, failure ? 1 : 0 /* reason */, 0);
  sbi_call(EID_LEGACY_SHUTDOWN, 0, 0, 0, 0);
  for (;;) wfi();
}

/* HSM hart_get_status: 0 started, 1 stopped, ...; -1 without HSM. */
long sbi_hart_status(u32 hart) {
  if (!sbi_has_hsm) return -1;
  struct sbiret r = sbi_call(EID_HSM, 2, hart, 0, 0);
  return r.error ? r.error : r.value;
}
