/*
 * SBI constants (RISC-V Supervisor Binary Interface, spec v2.0): extension and function IDs,
 * error codes, HSM states. Shared by the firmware and its S-mode test kernel.
 */
#ifndef SBI_H
#define SBI_H

/* Legacy extensions (v0.1): the EID is the function. */
#define SBI_LEGACY_SET_TIMER 0x00
#define SBI_LEGACY_CONSOLE_PUTCHAR 0x01
#define SBI_LEGACY_CONSOLE_GETCHAR 0x02
#define SBI_LEGACY_CLEAR_IPI 0x03
#define SBI_LEGACY_SEND_IPI 0x04
#define SBI_LEGACY_REMOTE_FENCE_I 0x05
#define SBI_LEGACY_REMOTE_SFENCE_VMA 0x06
#define SBI_LEGACY_REMOTE_SFENCE_VMA_ASID 0x07
#define SBI_LEGACY_SHUTDOWN 0x08

#define SBI_EXT_BASE 0x10
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

#define SBI_EXT_TIME 0x54494D45 /* "TIME" */
#define SBI_TIME_SET_TIMER 0

#define SBI_EXT_IPI 0x735049 /* "sPI" */
#define SBI_IPI_SEND_IPI 0

#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC" */
#define SBI_RFENCE_FENCE_I 0
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_SFENCE_VMA_ASID 2
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_GVMA 4
#define SBI_RFENCE_HFENCE_VVMA_ASID 5
#define SBI_RFENCE_HFENCE_VVMA 6

#define SBI_EXT_HSM 0x48534D /* "HSM" */
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3

#define SBI_HSM_STATE_STARTED 0
#define SBI_HSM_STATE_STOPPED 1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING 3
#define SBI_HSM_STATE_SUSPENDED 4
#define SBI_HSM_STATE_SUSPEND_PENDING 5
#define SBI_HSM_STATE_RESUME_PENDING 6

#define SBI_HSM_SUSPEND_RET_DEFAULT 0x00000000u
#define SBI_HSM_SUSPEND_NON_RET_DEFAULT 0x80000000u

#define SBI_EXT_SRST 0x53525354 /* "SRST" */
#define SBI_SRST_SYSTEM_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_SYSFAIL 1

#define SBI_EXT_PMU 0x504D55 /* "PMU" (not implemented) */
#define SBI_EXT_SUSP 0x53555350 /* "SUSP" (not implemented) */

#define SBI_EXT_DBCN 0x4442434E /* "DBCN" */
#define SBI_DBCN_CONSOLE_WRITE 0
#define SBI_DBCN_CONSOLE_READ 1
#define SBI_DBCN_CONSOLE_WRITE_BYTE 2

/* Error codes (returned in a0). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

/* This implementation: "RVOS" in ASCII, outside the range of registered implementation IDs. */
#define RVOS_SBI_IMPL_ID 0x52564F53
#define RVOS_SBI_IMPL_VERSION 0x00000001 /* v0.1: major << 16 | minor */
#define RVOS_SBI_SPEC_VERSION 0x02000000 /* v2.0: major << 24 | minor */

/* Memory the firmware keeps for itself (PMP-protected from S/U, reserved in the DTB). */
#define RVOS_SBI_BASE 0x80000000u
#define RVOS_SBI_SIZE 0x00040000u

/* sifive_test exit codes used by the firmware. */
#define RVOS_SBI_EXIT_SYSFAIL 1 /* SRST shutdown with reason "system failure" */
#define RVOS_SBI_EXIT_TRAP 3    /* a trap the firmware cannot handle */
#define RVOS_SBI_EXIT_NO_KERNEL 4 /* fw_dynamic_info.next_addr is not S-mode RAM (no -kernel) */

#endif
