/**
 * Register offsets and bits of the BCM2835 "EMMC" controller (BCM2835 ARM Peripherals §5.4, names
 * as there) = an Arasan SDHCI (SD Host Controller Simplified Spec v3.00 §2.2, names in comments).
 */
export const ARG2 = 0x00; // SDMA System Address / Argument 2
export const BLKSIZECNT = 0x04; // Block Size [11:0] (+ SDMA boundary [14:12]), Block Count [31:16]
export const ARG1 = 0x08; // Argument
export const CMDTM = 0x0c; // Transfer Mode [15:0], Command [31:16]
export const RESP0 = 0x10; // Response 0..3 at 0x10..0x1c
export const DATA = 0x20; // Buffer Data Port
export const STATUS = 0x24; // Present State
export const CONTROL0 = 0x28; // Host Control 1, Power, Block Gap, Wakeup
export const CONTROL1 = 0x2c; // Clock Control, Timeout Control, Software Reset
export const INTERRUPT = 0x30; // Normal [15:0] and Error [31:16] Interrupt Status
export const IRPT_MASK = 0x34; // ... Status Enable
export const IRPT_EN = 0x38; // ... Signal Enable
export const CONTROL2 = 0x3c; // Auto CMD Error Status [15:0], Host Control 2 [31:16]
export const CAPABILITIES = 0x40; // Capabilities [31:0]; 0x44 [63:32]
export const MAX_CURRENT = 0x48;
export const FORCE_IRPT = 0x50; // Force Event for Auto CMD Error / Error Interrupt
export const SLOTISR_VER = 0xfc; // Slot Interrupt Status [15:0], Host Controller Version [31:16]

// Transfer Mode (CMDTM[15:0], §2.2.5).
export const TM_DMA = 1 << 0;
export const TM_BLKCNT_EN = 1 << 1;
export const TM_AUTO_CMD_SHIFT = 2; // 01 Auto CMD12, 10 Auto CMD23
export const TM_READ = 1 << 4;
export const TM_MULTI = 1 << 5;

// Command (CMDTM[31:16], §2.2.6), as bits of the whole register.
export const CMD_RSP_SHIFT = 16; // 00 none, 01 136-bit, 10 48-bit, 11 48-bit with busy
export const CMD_DATA = 1 << 21;
export const CMD_TYPE_SHIFT = 22; // 11: abort (CMD12, CMD52 to abort)
export const CMD_INDEX_SHIFT = 24;
export const RSP_NONE = 0;
export const RSP_136 = 1;
export const RSP_48 = 2;
export const RSP_48_BUSY = 3;

// Present State (§2.2.9).
export const SR_CMD_INHIBIT = 1 << 0;
export const SR_DAT_INHIBIT = 1 << 1;
export const SR_DAT_ACTIVE = 1 << 2;
export const SR_WRITE_ACTIVE = 1 << 8;
export const SR_READ_ACTIVE = 1 << 9;
export const SR_WRITE_AVAILABLE = 1 << 10;
export const SR_READ_AVAILABLE = 1 << 11;
export const SR_CARD_INSERTED = 1 << 16;
export const SR_CARD_STABLE = 1 << 17;
export const SR_CARD_DETECT = 1 << 18;
export const SR_WRITE_ENABLED = 1 << 19; // write-protect switch: 1 = writable
/** DAT[3:0] and CMD line levels (high when idle). */
export const SR_LINES = 0x01f00000;

// Clock Control / Software Reset (CONTROL1, §2.2.14-16).
export const C1_CLK_INTLEN = 1 << 0;
export const C1_CLK_STABLE = 1 << 1;
export const C1_CLK_EN = 1 << 2;
export const C1_SRST_HC = 1 << 24;
export const C1_SRST_CMD = 1 << 25;
export const C1_SRST_DATA = 1 << 26;

// Interrupt status (§2.2.17-18).
export const INT_CMD_DONE = 1 << 0;
export const INT_DATA_DONE = 1 << 1;
export const INT_BLOCK_GAP = 1 << 2;
export const INT_DMA = 1 << 3;
export const INT_WRITE_RDY = 1 << 4;
export const INT_READ_RDY = 1 << 5;
export const INT_CARD_INSERT = 1 << 6;
export const INT_CARD_REMOVE = 1 << 7;
export const INT_ERR = 1 << 15;
export const INT_CMD_TIMEOUT = 1 << 16;
export const INT_DATA_TIMEOUT = 1 << 20;
export const INT_AUTO_CMD_ERR = 1 << 24;

/**
 * QEMU 7.2's raspi capabilities (BCM2835_SDHC_CAPAREG): 52 MHz base and timeout clocks, 1 KiB max
 * block, high speed, 3.3 V and 1.8 V, no SDMA/ADMA.
 */
export const BCM2835_CAPABILITIES = 0x052134b4;
/** Vendor 0x24, specification version 3.00 (QEMU's SD_HOST_SPECv3_VERS). */
export const HOST_VERSION_V3 = 0x2402;
