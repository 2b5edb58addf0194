/** Calendar and BCD helpers of the RTC: times are whole seconds since 1970-01-01 UTC (may be negative). */
import { UserError } from '../../../src/core/errors.js';

export const toBcd = (v: number): number => ((Math.floor(v / 10) % 10) << 4) | v % 10;
export const fromBcd = (v: number): number => (v >> 4) * 10 + (v & 15);

export interface DateTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

export function dateTimeOf(seconds: number): DateTime {
  const d = new Date(seconds * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** Seconds of a date and time; out-of-range fields carry over (as QEMU's mktimegm does). */
export function secondsOf(t: Omit<DateTime, 'weekday'>): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return Math.floor(d.getTime() / 1000);
}

/**
 * The `base` prop, as QEMU's `-rtc base=`: `utc` (host time now), `localtime` (the host's wall
 * clock shown as if it were UTC), or a date `YYYY-MM-DD` / `YYYY-MM-DDTHH:MM:SS` (UTC).
 */
export function parseBase(base: string, hostMs: number = Date.now()): number {
  if (base === 'utc') return Math.floor(hostMs / 1000);
  if (base === 'localtime') return Math.floor(hostMs / 1000) - new Date(hostMs).getTimezoneOffset() * 60;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{1,2}):(\d{1,2}))?$/.exec(base);
  const [year, month, day, hour, minute, second] = m ? m.slice(1).map((s) => Number(s ?? 0)) : [];
  if (!m || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new UserError(`base: expected utc, localtime or a date like 2006-06-17T16:01:21, got "${base}"`);
  }
  return secondsOf({ year, month, day, hour, minute, second });
}
