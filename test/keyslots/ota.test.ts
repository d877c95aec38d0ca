// Key-slot commands over the air: secured packets (TS 102 225) with remote command scripts (TS 102 226)
// through the card OS, the PoR carrying the applet's answer, and the REFRESH the terminal acts on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANGE_STATE, DEFAULT_KEYSLOT_AID } from '../../applets/keyslots/protocol.js';
import type { OtaKeyset } from '../../applets/ota/ota-config.js';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { decodeRefresh } from '../../card-os/cat-refresh.js';
import { prepareProfile } from '../../host/card-factory.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import {
  changeOutcome,
  commitScript,
  plainOutcome,
  readScriptResult,
  stageScript,
  statusOutcome,
  statusScript,
} from '../../host/keyslots/remote.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { M2M_PROFILE, presentedImsi } from './support.js';

const KEYSET1: OtaKeyset[] = [
  {
    kvn: 1,
    kic: { alg: 'aes', key: fromHex('D05B94BB90293AD559E42877D49E6F3C') },
    kid: { alg: 'aes', key: fromHex('48BC2746418F21211BD04F1B53CD33DF') },
  },
];
const AID = DEFAULT_KEYSLOT_AID;
const TXID = fromHex('A1A2A3A4');
const IMSI_B = encodeImsi('001020000000042');

/** The m2m profile with a second TAR, in the USIM context, that grants PIN1 only (not the admin right). */
function card(): CardOs {
  const text = readFileSync(M2M_PROFILE, 'utf8').replace(
    '      keysets: [{kvn: 1, grants: [0A]}]   # ADM1: what the key-slot commands need\n',
    '      keysets: [{kvn: 1, grants: [0A]}]   # ADM1: what the key-slot commands need\n' +
      '    - tar: B00011\n      context: usim\n      msl: {check: cc, cipher: true, counter: higher}\n      keysets: [{kvn: 1, grants: [01]}]\n',
  );
  const t = prepareProfile(text, 'm2m-two-tars.yaml');
  return createCard(t.spec, { applets: t.applets });
}

function sender(c: CardOs) {
  const server = new OtaServer();
  const transport = embeddedTransport(c);
  return (script: Uint8Array, o: { tar?: number; spi2?: number } = {}) =>
    deliverOta(transport, server, {
      iccid: 'test',
      tar: o.tar ?? 0xb00010,
      spi: decodeSpi(0x16, o.spi2 ?? 0x19)!,
      kic: 0x12,
      kid: 0x12,
      keysets: KEYSET1,
      script,
    });
}

describe('key-slot commands in secured packets', () => {
  it('STAGE and COMMIT: the answer comes back in the PoR, REFRESH resets the card, the new IMSI shows', async () => {
    const c = card();
    const send = sender(c);
    const s = await send(stageScript(AID, { imsi: IMSI_B, index: 1, txid: TXID }));
    expect(s.por).toMatchObject({ ok: true, status: 0, secured: true });
    const r = readScriptResult(s.por!.ok ? s.por!.data : new Uint8Array(0))!;
    expect(r.count).toBe(3); // SELECT, STAGE, GET RESPONSE
    expect(changeOutcome(r)).toEqual({
      ok: true,
      answer: { index: 1, txid: TXID, state: CHANGE_STATE.STAGED },
    });
    expect(s.reset).toBe(false);
    const m = await send(commitScript(AID, TXID));
    expect(m.por).toMatchObject({ ok: true, status: 0 });
    expect(m.reset).toBe(true);
    expect(decodeRefresh(m.proactive[0]!)).toEqual({ commandNumber: 1, qualifier: 4 });
    c.protocol = 1;
    expect(presentedImsi(c)).toBe(toHex(IMSI_B));
  });

  it('STATUS in two rounds: the length, then the data', async () => {
    const c = card();
    const send = sender(c);
    const p = (await send(statusScript(AID))).por;
    const first = statusOutcome(readScriptResult(p?.ok ? p.data : new Uint8Array(0))!);
    expect(first).toEqual({ length: 10 }); // A0 08 { 80 03 010000, 81 01 00 }
    const d = await send(statusScript(AID, (first as { length: number }).length));
    const r = statusOutcome(readScriptResult((d.por as { data: Uint8Array }).data)!);
    expect(r).toEqual({ status: { states: [1, 0, 0], active: 0 } });
  });

  it('with the PoR by SMS-SUBMIT the REFRESH comes first and the reset drops the PoR (only the 0B notice is left)', async () => {
    const c = card();
    const send = sender(c);
    await send(stageScript(AID, { imsi: IMSI_B, index: 1, txid: TXID }));
    const m = await send(commitScript(AID, TXID), { spi2: 0x39 });
    expect(m.reset).toBe(true);
    expect(m.proactive).toHaveLength(1);
    // TS 31.115 §7: the ENVELOPE response says "PoR sent by SMS-SUBMIT"; that SMS died with the reset.
    expect(m.por).toMatchObject({ ok: true, status: 0x0b });
    c.protocol = 1;
    expect(presentedImsi(c)).toBe(toHex(IMSI_B));
  });

  it('a TAR whose keyset lacks the admin right: 6982, nothing staged', async () => {
    const c = card();
    const send = sender(c);
    const d = await send(stageScript(AID, { imsi: IMSI_B, index: 1, txid: TXID }), { tar: 0xb00011 });
    const r = readScriptResult((d.por as { data: Uint8Array }).data)!;
    expect(plainOutcome(r)).toBe(0x6982);
    expect(c.nvm.has('slot/staged')).toBe(false);
  });

  it('a packet under other keys never reaches the applet (PoR 01)', async () => {
    const c = card();
    const server = new OtaServer();
    const wrong = KEYSET1.map((k) => ({ ...k, kid: { alg: 'aes' as const, key: new Uint8Array(16) } }));
    const d = await deliverOta(embeddedTransport(c), server, {
      iccid: 'x',
      tar: 0xb00010,
      spi: decodeSpi(0x16, 0x19)!,
      kic: 0x12,
      kid: 0x12,
      keysets: wrong,
      script: stageScript(AID, { imsi: IMSI_B, index: 1, txid: TXID }),
    });
    expect(d.por).toMatchObject({ ok: true, status: 0x01 });
    expect(c.nvm.has('slot/staged')).toBe(false);
  });
});
