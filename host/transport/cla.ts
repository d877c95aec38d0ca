// CLA bytes the host builds for a logical channel (ISO/IEC 7816-4 §5.1.1, TS 102 221 §10.1.1): channels
// 0-3 in b2-b1 of a first interindustry class byte (0X), channels 4-19 as n-4 in b4-b1 of a further
// interindustry class byte (4X). Masking the command's CLA with 0x03 loses channels 4-19.

import { channelOf } from '../../card-os/apdu.js';

/** Interindustry CLA, no secure messaging, for logical channel 0..19. */
export function interindustryCla(channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 19)
    throw new RangeError(`no logical channel ${channel} (0 to 19)`);
  return channel < 4 ? channel : 0x40 | (channel - 4);
}

/**
 * `base` class byte (00 interindustry, 80 proprietary; b4-b3 secure messaging on channels 0-3) moved to logical
 * channel 0..19: channels 4-19 take the further class coding, keeping only b8 of `base`.
 */
export function claOnChannel(base: number, channel: number): number {
  const cla = interindustryCla(channel);
  return channel < 4 ? base | cla : (base & 0x80) | cla;
}

/** GSM class (TS 51.011 §9.2): a SIM takes every command, GET RESPONSE included, with CLA A0. */
const CLA_GSM = 0xa0;

/**
 * CLA of the GET RESPONSE that fetches the answer of a command sent with `cla`: interindustry class on the
 * same logical channel, or the GSM class for a GSM-class command.
 */
export function getResponseCla(cla: number): number {
  return cla === CLA_GSM ? CLA_GSM : interindustryCla(channelOf(cla));
}
