// CLA bytes per logical channel (ISO/IEC 7816-4 §5.1.1, TS 102 221 §10.1.1), as GET RESPONSE needs them.
import { describe, expect, it } from 'vitest';
import { channelOf } from '../../card-os/apdu.js';
import { claOnChannel, getResponseCla, interindustryCla } from '../../host/transport/cla.js';

describe('CLA for a logical channel', () => {
  it('channels 0-3 in 0X, channels 4-19 in 4X with n-4', () => {
    expect([0, 1, 2, 3].map(interindustryCla)).toEqual([0x00, 0x01, 0x02, 0x03]);
    expect([4, 5, 12, 19].map(interindustryCla)).toEqual([0x40, 0x41, 0x48, 0x4f]);
    for (let n = 0; n <= 19; n++) expect(channelOf(interindustryCla(n))).toBe(n);
  });

  it('refuses a channel that does not exist', () => {
    for (const n of [-1, 20, 1.5]) expect(() => interindustryCla(n)).toThrow(RangeError);
  });

  it('GET RESPONSE goes on the channel of the command it follows, in the interindustry class', () => {
    expect(getResponseCla(0x00)).toBe(0x00);
    expect(getResponseCla(0x80)).toBe(0x00); // ENVELOPE, FETCH... on channel 0
    expect(getResponseCla(0x83)).toBe(0x03);
    // Channels 4-19: masking with 0x03 would put these on channels 3 and 1.
    expect(getResponseCla(0xc3)).toBe(0x43); // channel 7
    expect(getResponseCla(0x4d)).toBe(0x4d); // channel 17
    expect(getResponseCla(0xe5)).toBe(0x45); // channel 9
    expect(getResponseCla(0xa0)).toBe(0xa0); // GSM class
  });

  it('moves a class byte to a channel, keeping b8 and, on channels 0-3, the secure messaging bits', () => {
    expect(claOnChannel(0x80, 0)).toBe(0x80);
    expect(claOnChannel(0x84, 2)).toBe(0x86);
    expect(claOnChannel(0x80, 4)).toBe(0xc0);
    expect(claOnChannel(0x00, 19)).toBe(0x4f);
    for (let n = 0; n <= 19; n++) expect(channelOf(claOnChannel(0x80, n))).toBe(n);
  });
});
