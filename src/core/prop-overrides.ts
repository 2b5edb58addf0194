import type { DeviceType, PropSpec } from './api.js';
import type { Board, BoardDevice } from './board.js';
import { UserError } from './errors.js';
import { CORE_PROPS, problemWith } from './props.js';

/**
 * Device props set from the command line, over the board's: `rvos run --global TYPE.PROP=VALUE`
 * (QEMU's -global DRIVER.PROP=VALUE; also NAME.PROP=VALUE for one named device) and its shorthand
 * `--rtc base=...` (QEMU's -rtc), which sets the date prop of every real-time clock
 * (`DeviceType.rtcBaseProp`). Each value is checked against the device's prop schema before the
 * machine is built; a problem is one line naming the flag, the device and the prop.
 */
export interface PropOverride {
  /** The flag as given, for messages: `--global mc146818-rtc.base=utc`. */
  flag: string;
  /** A device type or a device name (every device of that type or with that name); undefined: every RTC. */
  target?: string;
  /** The prop; undefined with `target` undefined: each RTC's `rtcBaseProp`. */
  prop?: string;
  /** The text to set; undefined (`--rtc clock=vm` alone): only check that the board has an RTC. */
  value?: string;
}

const GLOBAL_FORMS = 'TYPE.PROP=VALUE, NAME.PROP=VALUE or driver=TYPE,property=PROP,value=VALUE';

/**
 * Parses one `--global` spec: `TARGET.PROP=VALUE`, or QEMU's long form `driver=T,property=P,value=V`.
 * `flag` names it in messages (a config file's line: `rvos.config.yaml:3: global[0]: ...`).
 */
export function parseGlobalSpec(spec: string, flag = `--global ${spec}`): PropOverride {
  const long = /^driver=([^,]+),property=([^,=]+),value=(.*)$/.exec(spec);
  const short = /^([A-Za-z][\w-]*)\.([A-Za-z][\w-]*)=(.*)$/.exec(spec);
  const m = long ?? short;
  if (!m) throw new UserError(`${flag}: expected ${GLOBAL_FORMS}`);
  return { flag, target: m[1], prop: m[2], value: m[3] };
}

/**
 * Parses `--rtc base=utc|localtime|DATE[,clock=vm][,driftfix=none]` (QEMU's -rtc). The date's
 * syntax is the RTC device's (its prop check); what rvos cannot do is refused here.
 */
export function parseRtcSpec(spec: string, flag = `--rtc ${spec}`): PropOverride {
  const expected = 'expected base=utc|localtime|YYYY-MM-DD[THH:MM:SS][,clock=vm][,driftfix=none]';
  let base: string | undefined;
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UserError(`${flag}: ${expected}${part && spec === part ? ` (did you mean base=${part}?)` : ''}`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'base') base = value;
    else if (key === 'clock') {
      if (value !== 'vm') {
        const known = value === 'host' || value === 'rt';
        throw new UserError(
          `${flag}: ${known ? `clock=${value} is not supported: the RTC counts the machine's time (clock=vm), which --clock realtime makes the host's` : `clock: expected vm, got "${value}"`}`,
        );
      }
    } else if (key === 'driftfix') {
      if (value !== 'none') {
        throw new UserError(`${flag}: ${value === 'slew' ? 'driftfix=slew is not supported: rvos raises every RTC interrupt at its time (driftfix=none)' : `driftfix: expected none, got "${value}"`}`);
      }
    } else throw new UserError(`${flag}: unknown option "${key}" (${expected})`);
  }
  return { flag, value: base };
}

/** The value of `text` for a prop of `spec`'s kind (as QEMU's -global: on/off for booleans), or the problem. */
export function propFromText(spec: PropSpec, text: string): { value: unknown } | { problem: string } {
  const show = JSON.stringify(text);
  switch (spec.kind) {
    case 'int': {
      const m = /^([+-]?)(0x[\da-f]+|0b[01]+|\d+)$/i.exec(text.replaceAll('_', ''));
      return m ? { value: (m[1] === '-' ? -1 : 1) * Number(m[2]) } : { problem: `expected an integer, got ${show}` };
    }
    case 'number': {
      const v = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(v) ? { value: v } : { problem: `expected a number, got ${show}` };
    }
    case 'bool':
      if (['on', 'true', 'yes'].includes(text)) return { value: true };
      if (['off', 'false', 'no'].includes(text)) return { value: false };
      return { problem: `expected on or off, got ${show}` };
    case 'string':
      return { value: text };
    case 'enum': {
      const found = spec.values!.find((v) => String(v) === text);
      return found !== undefined ? { value: found } : { problem: `expected one of ${spec.values!.join(', ')}, got ${show}` };
    }
  }
}

/**
 * The board with `overrides` applied, in order (a later one wins), each checked against the
 * device's type. Devices of unknown types are left to `checkBoard`.
 */
export function applyPropOverrides(board: Board, overrides: readonly PropOverride[], deviceType: (type: string) => DeviceType | undefined): Board {
  if (overrides.length === 0) return board;
  const devices = board.devices.map((d): BoardDevice => ({ ...d, props: { ...d.props } }));
  const rtcOf = (d: BoardDevice) => deviceType(d.type)?.rtcBaseProp;
  for (const o of overrides) {
    const targets = o.target === undefined ? devices.filter((d) => rtcOf(d) !== undefined) : devices.filter((d) => d.type === o.target || d.name === o.target);
    if (targets.length === 0) {
      if (o.target === undefined) throw new UserError(`${o.flag}: board ${board.name} has no real-time clock device`);
      throw new UserError(`${o.flag}: board ${board.name} has no device of type or name "${o.target}" (devices: ${devices.map((d) => `${d.name} (${d.type})`).join(', ')})`);
    }
    if (o.value === undefined) continue;
    for (const d of targets) {
      const type = deviceType(d.type);
      if (!type) continue;
      const prop = o.prop ?? rtcOf(d)!;
      const spec = Object.hasOwn(type.props ?? {}, prop) ? type.props![prop] : Object.hasOwn(CORE_PROPS, prop) ? CORE_PROPS[prop] : undefined;
      const device = `device ${d.name} (${d.type})`;
      if (!spec) {
        const known = Object.keys(type.props ?? {});
        throw new UserError(`${o.flag}: ${device} has no prop "${prop}" (${d.type} takes ${known.length > 0 ? known.join(', ') : 'none'}; every device takes console)`);
      }
      const parsed = propFromText(spec, o.value);
      const problem = 'problem' in parsed ? parsed.problem : problemWith(spec, parsed.value);
      if (problem !== undefined) throw new UserError(`${o.flag}: ${device}: ${prop}: ${problem}`);
      d.props[prop] = (parsed as { value: unknown }).value;
    }
  }
  return { ...board, devices };
}
