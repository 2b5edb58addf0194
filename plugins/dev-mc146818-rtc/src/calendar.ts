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

/** Seconds of a `YYYY-MM-DD` / `YYYY-MM-DDTHH:MM:SS` date (UTC), or undefined when `text` is not one. */
function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{1,2}):(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => Number(s ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return secondsOf({ year, month, day, hour, minute, second });
}

/** What is wrong with a `base` value (the prop's check), or undefined when it is one. */
export function baseProblem(base: string): string | undefined {
  if (base === 'utc' || base === 'localtime' || parseDate(base) !== undefined) return undefined;
  return `expected utc, localtime or a date like 2006-06-17T16:01:21, got "${base}"`;
}

/**
 * The `base` prop, as QEMU's `-rtc base=`: `utc` (host time now), `localtime` (the host's wall
 * clock shown as if it were UTC), or a date `YYYY-MM-DD` / `YYYY-MM-DDTHH:MM:SS` (UTC).
 */
export function parseBase(base: string, hostMs: number = Date.now()): number {
  if (base === 'utc') return Math.floor(hostMs / 1000);
  if (base === 'localtime') return Math.floor(hostMs / 1000) - new Date(hostMs).getTimezoneOffset() * 60;
  const seconds = parseDate(base);
  if (seconds === undefined) throw new UserError(`base: ${baseProblem(base)}`);
  return seconds;
}
