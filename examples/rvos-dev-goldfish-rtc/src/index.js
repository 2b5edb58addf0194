// @ts-check
/**
 * rvos-dev-goldfish-rtc: the plugin's entry (package.json `rvos.entry`). rvos imports it and calls
 * `register(api)`; everything the device uses at run time comes through `api` and `ctx`, and only
 * types come from `rvos/plugin-api`, so the package has no run-time dependency on rvos.
 */
import { ACCESS, createGoldfishRtc, rtcProps } from './goldfish-rtc.js';

/** @param {import('rvos/plugin-api').PluginApi} api */
export function register(api) {
  api.defineDevice({
    type: 'goldfish-rtc',
    description: "Goldfish real-time clock with one alarm (QEMU virt's RTC)",
    compatible: ['google,goldfish-rtc'],
    nodeName: 'rtc',
    props: rtcProps(api.prop),
    outputs: { irq: { description: 'high while a fired alarm is pending and IRQ_ENABLED is 1' } },
    // The register map declares the same rules; here they also show in `rvos plugins inspect`.
    access: ACCESS,
    create: createGoldfishRtc,
  });
}
