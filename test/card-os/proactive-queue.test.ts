// The proactive queue is bounded (TS 102 223 §6.1, TS 102 221 §7.4.2.2): the card holds the commands of one
// proactive session. While one waits for FETCH the card answers ENVELOPE with 9300 (toolkit busy, TS 102 221
// §10.2.1.1; the handset then retries or answers RP-ERROR, TS 31.111 §7.1.1.2) and processes nothing of it,
// so a terminal that never FETCHes cannot make the card queue more, however many SMS-PP downloads come in.
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { MAX_PROACTIVE_PENDING } from '../../card-os/card.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { newCard, tx } from '../support/uicc.js';

/** A secured packet that asks for its PoR by SMS-SUBMIT (SPI2 39: the PoR is a proactive command). */
const REQUEST = {
  iccid: '89882110000000000000',
  tar: 0xb00011,
  spi: decodeSpi(0x16, 0x39)!,
  kic: 0x22,
  kid: 0x22,
  keysets: OTA_TEST_KEYSETS,
  script: fromHex('00A40004026F07'),
};

/** The SMS-PP download ENVELOPE of REQUEST, with a fresh counter. */
function smsPpWithPorBySubmit(server: OtaServer): string {
  const prepared = server.prepare(REQUEST);
  expect(prepared.envelopes).toHaveLength(1);
  return `${toHex(prepared.envelopes[0]!)}00`; // with Le: the response data comes directly under T=1
}

describe('proactive queue bound', () => {
  it('30,000 SMS-PP downloads with no FETCH: the first queues its PoR, the others get 9300 and change nothing', () => {
    const card = newCard({ protocol: 1 });
    const server = new OtaServer();
    expect(tx(card, smsPpWithPorBySubmit(server)).sw).toMatch(/^91/);
    const nvm = JSON.stringify(card.nvm.snapshot());
    const next = smsPpWithPorBySubmit(server); // a fresh counter: it would be accepted if processed
    const answers = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const sw = tx(card, next).sw;
      answers.set(sw, (answers.get(sw) ?? 0) + 1);
    }
    expect(Object.fromEntries(answers)).toEqual({ '9300': 30_000 });
    expect(JSON.stringify(card.nvm.snapshot())).toBe(nvm); // the OTA counter did not move
    // Other commands go on as usual, still telling the terminal that a proactive command waits.
    expect(tx(card, '00A4000C022FE2').sw).toMatch(/^91/);
    // All the card holds is the first PoR: one SEND SHORT MESSAGE.
    const fetched: string[] = [];
    for (let f = tx(card, '80120000FF'); f.sw === '9000'; f = tx(card, '80120000FF')) fetched.push(f.data);
    expect(fetched).toHaveLength(1);
    expect(fetched[0]!.slice(0, 2)).toBe('D0');
    expect(fetched[0]).toMatch(/^D0..8103011300/); // command details: SEND SHORT MESSAGE
    // Once the terminal has FETCHed and answered, the card takes ENVELOPEs again: the same one is now processed.
    expect(tx(card, '801400000C810301130082028281830100').sw).toBe('9000');
    expect(tx(card, next).sw).toMatch(/^91/);
  });

  it('an applet cannot add to proactive commands pending from an earlier exchange, nor beyond the bound', () => {
    const card = newCard({ protocol: 1 });
    const applet = card.applets[0];
    // Commands queued within one exchange (e.g. the segments of one PoR) form one session, up to the bound.
    for (let i = 0; i < MAX_PROACTIVE_PENDING; i++)
      expect(card.queueProactive(fromHex('D009810301130082028183'), applet)).toBe(true);
    expect(card.queueProactive(fromHex('D009810301130082028183'), applet)).toBe(false);
    expect(card.pendingProactive).toBe(MAX_PROACTIVE_PENDING);
    // After a terminal exchange, the pending session is not joined by a new command.
    tx(card, '00A40004022FE2');
    tx(card, '80120000FF');
    expect(card.queueProactive(fromHex('D009810301130082028183'), applet)).toBe(false);
    expect(card.pendingProactive).toBe(MAX_PROACTIVE_PENDING - 1);
  });

  it('the OTA server side sees the refused ENVELOPE as a failed delivery, not as a missing PoR', async () => {
    const card = newCard({ protocol: 1 });
    const server = new OtaServer();
    expect(tx(card, smsPpWithPorBySubmit(server)).sw).toMatch(/^91/);
    const d = await deliverOta(embeddedTransport(card), server, REQUEST);
    expect(d.por).toBeUndefined();
    expect(d.failure).toEqual({ kind: 'envelope', index: 0, count: 1, sw: 0x9300 });
  });
});
