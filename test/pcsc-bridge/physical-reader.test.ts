// A real card in a physical reader, through the system's pcscd: runs only when UICC_TEST_READER names the
// reader (e.g. UICC_TEST_READER="HID Global OMNIKEY 3x21 Smart Card Reader [OMNIKEY 3x21 Smart Card Reader] 00 00").

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { listReaders, openReader } from '../../pcsc-bridge/pcsc-transport.js';

const READER = process.env.UICC_TEST_READER;
const REASON =
  'set UICC_TEST_READER to the name of a PC/SC reader holding a UICC to run the physical-reader tests';

describe('physical reader (UICC_TEST_READER)', () => {
  it('lists the reader with a card in it', async (ctx) => {
    if (!READER) ctx.skip(REASON);
    const r = (await listReaders()).find((x) => x.name === READER);
    expect(r, `reader "${READER}"`).toBeDefined();
    expect(r!.cardPresent).toBe(true);
    expect(r!.atr?.[0]).toBeOneOf([0x3b, 0x3f]); // TS: direct or inverse convention (ISO 7816-3 §8.1)
  });

  it('selects the MF and reads EF.ICCID with the T=0 rules applied', async (ctx) => {
    if (!READER) ctx.skip(REASON);
    const t = await openReader(READER!);
    try {
      const fcp = await t.transmit(fromHex('00A40004023F0000'));
      expect(toHex(fcp.subarray(-2))).toBe('9000');
      expect(fcp[0]).toBe(0x62); // FCP template, TS 102 221 §11.1.1.3
      expect(toHex(await t.transmit(fromHex('00A4000C022FE2')))).toBe('9000');
      const iccid = await t.transmit(fromHex('00B000000A'));
      expect(toHex(iccid.subarray(-2))).toBe('9000');
      expect(iccid.length).toBe(12);
      const atr = await t.reset();
      expect(atr).toEqual(t.atr());
    } finally {
      await t.close();
    }
  });
});
