// OTA end to end over the embedded card: the OTA server's ENVELOPEs through the real card OS.
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { newCard, PIN1, tx, USIM_AID } from '../support/uicc.js';

const NEW_IMSI = '080910101032547600'; // 001010123456700
const script = (...apdus: string[]) => fromHex(apdus.join(''));

function setup(protocol: 0 | 1 = 0) {
  const card = newCard({ protocol });
  return { card, transport: embeddedTransport(card), server: new OtaServer() };
}

const cases = [
  { name: 'AES (keyset 2)', kic: 0x22, kid: 0x22 },
  { name: '3DES 2-key (keyset 3)', kic: 0x35, kid: 0x35 },
];

describe('OTA RFM through the card OS', () => {
  for (const c of cases) {
    for (const [label, spi2] of [
      ['PoR in the ENVELOPE response', 0x19],
      ['PoR by SMS-SUBMIT (91xx, FETCH)', 0x39],
    ] as const) {
      it(`updates EF.IMSI with ${c.name}, ${label}, and reads it back by RFM and locally`, async () => {
        const { card, transport, server } = setup();
        const req = {
          iccid: '89882110000000000000',
          tar: 0xb00011,
          spi: decodeSpi(0x16, spi2)!,
          kic: c.kic,
          kid: c.kid,
          keysets: OTA_TEST_KEYSETS,
        };
        const upd = await deliverOta(transport, server, {
          ...req,
          script: script('00A40004026F07', `00D6000009${NEW_IMSI}`, '00B0000009'),
        });
        expect(upd.por).toMatchObject({ ok: true, status: 0, secured: true });
        // Compact format (TS 102 226 §5.1.2): commands executed, last SW, last response data.
        if (upd.por?.ok) expect(toHex(upd.por.data)).toBe(`039000${NEW_IMSI}`);
        if (spi2 === 0x39) expect(upd.proactive.length).toBeGreaterThan(0);
        // And locally, after PIN1.
        card.protocol = 1;
        tx(card, `00A4040C07${USIM_AID}`);
        tx(card, `0020000108${PIN1}`);
        expect(tx(card, '00B0870009').data).toBe(NEW_IMSI);
      });
    }
  }

  it('a wrong key gets PoR 01 and writes nothing; the counter does not move', async () => {
    const { card, transport, server } = setup();
    const keysets = OTA_TEST_KEYSETS.map((k) => ({
      ...k,
      kid: k.kid && { ...k.kid, key: k.kid.key.map((b) => b ^ 1) },
    }));
    const r = await deliverOta(transport, server, {
      iccid: '1',
      tar: 0xb00011,
      spi: decodeSpi(0x16, 0x19)!,
      kic: 0x22,
      kid: 0x22,
      keysets,
      script: script('00A40004026F07', `00D6000009${NEW_IMSI}`),
    });
    expect(r.por).toMatchObject({ ok: true, status: 0x01 });
    card.protocol = 1;
    tx(card, `00A4040C07${USIM_AID}`);
    tx(card, `0020000108${PIN1}`);
    expect(tx(card, '00B0870009').data).toBe('080910101032547698');
  });

  it('the RFM keyset has ADM1 but no more: a file whose update is "never" stays read-only', async () => {
    const { transport, server } = setup();
    const r = await deliverOta(transport, server, {
      iccid: '1',
      tar: 0xb00010,
      spi: decodeSpi(0x16, 0x19)!,
      kic: 0x22,
      kid: 0x22,
      keysets: OTA_TEST_KEYSETS,
      // EF.ICCID uses access rule 11: read always, update never (not even ADM1).
      script: script('00A40004022FE2', '00D600000198'),
    });
    expect(r.por).toMatchObject({ ok: true, status: 0 });
    // The script stops at the failing UPDATE: 2 commands, last SW 6982.
    if (r.por?.ok) expect(toHex(r.por.data)).toBe('026982');
  });
});
