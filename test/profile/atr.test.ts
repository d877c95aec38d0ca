// ATR structure checks (ISO/IEC 7816-3 §8.2) used by the profile loader.

import { describe, expect, it } from 'vitest';
import { fromHex } from '../../card-os/bytes.js';
import { describeAtr, parseAtr } from '../../host/profile/atr.js';

describe('parseAtr', () => {
  it('reads the brief example (T=0 with T=15 global bytes, TCK A5)', () => {
    const a = parseAtr(fromHex('3B9F96801FC78031A073BE21136743200718000001A5'));
    expect(a).toMatchObject({ protocols: [0], ta1: 0x96, t15: 0xc7 });
    expect(typeof a !== 'string' && a.historical.length).toBe(15);
  });
  it('describes the default ATR', () => {
    const a = parseAtr(fromHex('3B9C9680B1FE451FC78031E073FE211F6475696363C2'));
    if (typeof a === 'string') throw new Error(a);
    expect(describeAtr(a)).toEqual([
      'protocols T=0 (default), T=1',
      'TA1 96: Fi 512 (f max 5 MHz), Di 32',
      'T=1: IFSC 254, BWI 4, CWI 5',
      'clock stop no preference; supply classes A (5 V), B (3 V), C (1.8 V)',
      'historical bytes 80 31 E0 73 FE 21 1F 64 75 69 63 63',
    ]);
  });
  it('accepts a T=0-only ATR without TCK', () => {
    expect(parseAtr(fromHex('3B00'))).toMatchObject({ protocols: [0] });
    expect(parseAtr(fromHex('3B0241 42'))).toMatchObject({ protocols: [0] });
  });
  it('rejects malformed ATRs', () => {
    expect(parseAtr(fromHex('3A00'))).toMatch(/TS must be 3B/);
    expect(parseAtr(fromHex('3B'))).toMatch(/at least TS and T0/);
    expect(parseAtr(fromHex('3B9796801FC78031E073FE211F'))).toMatch(/TCK is missing/);
    expect(parseAtr(fromHex('3B9796801FC78031E073FE211F00'))).toMatch(/TCK is 00, should be BB/);
    expect(parseAtr(fromHex('3B0541'))).toMatch(/announces 5 historical bytes, only 1 follow/);
    expect(parseAtr(fromHex('3B004142'))).toMatch(/should be 2 bytes long, not 4/);
    expect(parseAtr(fromHex('3B80'))).toMatch(/interface bytes run past the end/);
  });
});
