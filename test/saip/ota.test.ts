// Remote file management on a downloaded TS.48 profile: the security domain's SCP80 keysets (PE-SecurityDomain)
// and the RFM instances (PE-RFM: TAR B00120 in the MF, B00140 in ADF.USIM, MSL 06) configure the OTA applet,
// so the host OTA server's secured packets (TS 102 225) run their commands (TS 102 226) on the card.

import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import type { OtaKeyset } from '../../applets/subscriptions/ota-records.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { cardOf, installed } from './support.js';

// The MNO-SD keys of the TS.48 v2 packages (key version 1: 2-key 3DES, 2: AES; key id 1 ENC = KIc, 2 MAC = KID).
const ENC = fromHex('66778899AABBCCDD1122334455EEFF10');
const MAC = fromHex('112233445566778899AABBCCDDEEFF10');
const KEYSETS: OtaKeyset[] = [
  { kvn: 1, kic: { alg: '3des2', key: ENC }, kid: { alg: '3des2', key: MAC } },
  { kvn: 2, kic: { alg: 'aes', key: ENC }, kid: { alg: 'aes', key: MAC } },
];

describe('RFM over SMS-PP on an installed TS.48 profile', () => {
  for (const [name, kic] of [
    ['AES, key version 2', 0x22],
    ['2-key 3DES, key version 1', 0x15],
  ] as const) {
    it(`reads EF.IMSI through TAR B00140 (ADF.USIM) and EF.ICCID through B00120 (MF), ${name}`, async () => {
      const card = cardOf(installed('TS48v2_SAIP2.3_BERTLV.der'), 0);
      const transport = embeddedTransport(card);
      const server = new OtaServer();
      const req = {
        iccid: '89000123456789012341',
        spi: decodeSpi(0x16, 0x19)!,
        kic,
        kid: kic,
        keysets: KEYSETS,
      };
      const usim = await deliverOta(transport, server, {
        ...req,
        tar: 0xb00140,
        script: fromHex('00A40004026F0700B0000009'),
      });
      expect(usim.por).toMatchObject({ ok: true, status: 0, secured: true });
      if (usim.por?.ok) expect(toHex(usim.por.data)).toBe('029000080910101032540636');
      const mf = await deliverOta(transport, server, {
        ...req,
        tar: 0xb00120,
        script: fromHex('00A40004022FE200B000000A'),
      });
      if (mf.por?.ok) expect(toHex(mf.por.data)).toBe('02900098001032547698103214');
      expect(mf.por?.ok).toBe(true);
    });
  }

  it('a wrong key gets a PoR with an error and runs nothing', async () => {
    const card = cardOf(installed('TS48v2_SAIP2.3_BERTLV.der'), 0);
    const wrong = KEYSETS.map((k) => ({ ...k, kid: { alg: k.kid!.alg, key: fromHex('00'.repeat(16)) } }));
    const d = await deliverOta(embeddedTransport(card), new OtaServer(), {
      iccid: '89000123456789012341',
      spi: decodeSpi(0x16, 0x19)!,
      kic: 0x22,
      kid: 0x22,
      keysets: wrong,
      tar: 0xb00140,
      script: fromHex('00A40004026F0700D6000009080910101032547600'),
    });
    expect(d.por).toMatchObject({ ok: true, status: 1 });
    card.protocol = 1;
    expect(toHex(card.transmit(fromHex('00A4040C07A0000000871002')))).toBe('9000');
    expect(toHex(card.transmit(fromHex('00B0870009')))).toBe('0809101010325406369000');
  });
});
