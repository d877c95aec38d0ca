// OTA through the SMSC: our OTA server submits secured packets over SMPP (host/ota/smpp-delivery.ts), the
// SMSC hands them to the card as SMS-PP download (TS 31.115), the PoR comes back as deliver_sm, and the
// card really changed (EF.IMSI read locally afterwards).
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { deliverOtaSmpp } from '../../host/ota/smpp-delivery.js';
import type { Esme } from '../../host/smpp/esme.js';
import type { Smsc } from '../../host/smsc/smsc.js';
import { PIN1 } from '../support/uicc.js';
import { esmeTo, FIRST_MSISDN, imsiUpdate, NEW_IMSI, startSmsc } from './support.js';

let smsc: Smsc | undefined;
let esme: Esme | undefined;
afterEach(async () => {
  await esme?.close();
  await smsc?.close();
  esme = smsc = undefined;
});

async function readImsiOf(s: Smsc, msisdn: string): Promise<string> {
  return s.fleet.run(msisdn, async (t) => {
    await t.transmit(fromHex('00A4040C07A0000000871002'));
    await t.transmit(fromHex(`0020000108${PIN1}`));
    const r = await t.transmit(fromHex('00B0870009'));
    return toHex(r.subarray(0, r.length - 2));
  });
}

describe('OTA server -> SMPP -> SMSC -> card -> PoR deliver_sm', () => {
  for (const [label, spi2] of [
    ['PoR in the ENVELOPE response (SMS-DELIVER-REPORT)', 0x19],
    ['PoR by SMS-SUBMIT (SEND SHORT MESSAGE)', 0x39],
  ] as const) {
    it(`updates EF.IMSI, ${label}`, async () => {
      const s = await startSmsc(3);
      smsc = s.smsc;
      esme = await esmeTo(s.port);
      const msisdn = FIRST_MSISDN.replace(/0$/, '1');
      const r = await deliverOtaSmpp(esme, new OtaServer(), imsiUpdate(spi2), { msisdn });
      expect(r.por).toMatchObject({ ok: true, status: 0 });
      if (r.por?.ok) expect(toHex(r.por.data)).toBe(`039000${NEW_IMSI}`);
      expect(r.receipt).toBe('DELIVRD');
      expect(await readImsiOf(s.smsc, msisdn)).toBe(NEW_IMSI);
      // The other cards are untouched.
      expect(await readImsiOf(s.smsc, FIRST_MSISDN)).not.toBe(NEW_IMSI);
    });
  }
});
