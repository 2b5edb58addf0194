/**
 * The "sd" slot interface: what an SD host controller hands a card model and what it expects
 * back. It is the SD bus seen from the host (SD Physical Layer Simplified Spec §3.6, §4.7): a
 * command with a 32-bit argument gets no response, a 48-bit one or a 136-bit one; data then
 * flows on the DAT lines in blocks whose length the card decides. Transfers are synchronous: a
 * block written is in the card (and its image) when `write` returns.
 */

/** Interface name shared by the SDHCI slot, the card backend and `--drive if=sd`. */
export const SD_INTERFACE = 'sd';

/** What the card gets from its host at creation (`BackendType.create(host, drive)`). */
export interface SdHost {
  /** A `log` event from the slot (unsupported guest use and the like). */
  log(message: string): void;
  /** Virtual nanoseconds (the machine clock), for card-side delays such as power-up. */
  now(): number;
}

/** Response lengths `SdCard.command` returns, in bytes of content (start, index and CRC stripped). */
export const SD_NO_RESPONSE = 0;
export const SD_SHORT_RESPONSE = 4;
export const SD_LONG_RESPONSE = 16;

/** An SD card model plugged into an SD slot. */
export interface SdCard {
  /**
   * Sends command `index` (0..63) with `arg`; the card interprets it as an application command
   * when the previous one was CMD55. Returns the response length: 0 (the card does not answer:
   * an illegal command, or one without a response), 4 (R1/R1b/R3/R6/R7: `resp[0]` holds bits
   * [39:8] of the 48-bit response) or 16 (R2: `resp[0..3]` hold bits [127:0] of the CID/CSD,
   * resp[3] the top word, CRC7 in bits [7:1] of resp[0]).
   */
  command(index: number, arg: number, resp: Uint32Array): number;
  /** True while the card has data to send (after a read command, until its last byte or CMD12). */
  readonly sending: boolean;
  /** True while the card takes data (after a write command, until its last block or CMD12). */
  readonly receiving: boolean;
  /** Reads up to `dst.length` bytes of the current transfer; returns how many the card gave. */
  read(dst: Uint8Array): number;
  /** Writes `src` into the current transfer; returns how many bytes the card took. */
  write(src: Uint8Array): number;
  /** The write-protect switch (read-only image). */
  readonly readOnly: boolean;
  /** Power-on reset (machine reset). */
  reset(): void;
  close?(): void;
  inspect?(): Record<string, number | string>;
}
