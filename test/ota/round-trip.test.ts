// Card core <-> OTA server round trips for every SPI combination that makes sense: integrity (none, CRC16,
// CRC32, CC), ciphering, the four counter modes, the three PoR requests, PoR integrity and ciphering, PoR in
// the ENVELOPE response or by SMS-SUBMIT, for each algorithm (DES, 3DES 2/3 keys, AES-128/256).

import { describe, expect, it } from 'vitest';
import { blockKeyByte, crcKeyByte } from '../../applets/ota/kic-kid.js';
import type { EnvelopeResult } from '../../applets/ota/ota-applet-core.js';
import { POR } from '../../applets/ota/por-status.js';
import { decodeSendShortMessage } from '../../applets/ota/send-short-message.js';
import { addressDigits, decodeSmsSubmit, smsAddress } from '../../applets/ota/sms-tpdu.js';
import type { CounterMode, Integrity, PorRequest, Spi } from '../../applets/ota/spi.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer, type PorResult, type PreparedCommand } from '../../host/ota/ota-server.js';
import { EF, KEYSETS, makeEnv, sendAll, type TestEnv } from './ota-harness.js';

const ICCID = '8988211000000000001';
const TAR = 0xb00010;

type IntegrityChoice = 'none' | 'crc16' | 'crc32' | 'cc';
const INTEGRITY: IntegrityChoice[] = ['none', 'crc16', 'crc32', 'cc'];
const COUNTERS: CounterMode[] = ['none', 'available', 'higher', 'one-higher'];
const PORS: PorRequest[] = ['none', 'always', 'on-error'];
const kindOf = (c: IntegrityChoice): Integrity => (c === 'none' ? 'none' : c === 'cc' ? 'cc' : 'rc');

/** SELECT EF (no response), UPDATE BINARY with `value`, READ BINARY it back. */
function script(value: Bytes): Bytes {
  const n = value.length;
  return fromHex(
    `00a4000c02${EF.toString(16)} 00d60000${n.toString(16).padStart(2, '0')}${toHex(value)} 00b00000${n.toString(16).padStart(2, '0')}`,
  );
}

/** Reads the PoR the way a network would: from the ENVELOPE response, or from the SEND SHORT MESSAGEs. */
function readPor(server: OtaServer, p: PreparedCommand, r: EnvelopeResult): PorResult {
  if (r.proactive) {
    const notice = server.readPorFromEnvelopeResponse(p.expect, r.data!);
    expect(notice).toMatchObject({ ok: true, status: POR.SENT_BY_SMS_SUBMIT });
    return server.readPorFromSendShortMessages(p.expect, r.proactive);
  }
  return server.readPorFromEnvelopeResponse(p.expect, r.data!);
}

function roundTrip(
  t: TestEnv,
  server: OtaServer,
  kvn: number,
  ic: IntegrityChoice,
  pc: IntegrityChoice,
  spi: Spi,
  value: Bytes,
) {
  const alg = KEYSETS.find((k) => k.kvn === kvn)!.kic!.alg;
  // The KID codes a CRC when either integrity is an RC, otherwise the keyset's block algorithm.
  const crc = ic === 'crc16' || ic === 'crc32' ? ic : pc === 'crc16' || pc === 'crc32' ? pc : undefined;
  const kid = crc ? crcKeyByte(crc) : blockKeyByte(kvn, alg);
  const p = server.prepare({
    iccid: ICCID,
    tar: TAR,
    spi,
    kic: blockKeyByte(kvn, alg),
    kid,
    keysets: KEYSETS,
    script: script(value),
  });
  const answers = sendAll(t, p.envelopes);
  return { p, answers, last: answers[answers.length - 1]! };
}

describe.each(KEYSETS.map((k) => [`${k.kic!.alg}-${k.kic!.key.length * 8} (KVN ${k.kvn})`, k.kvn] as const))(
  'round trips with %s',
  (_name, kvn) => {
    for (const ic of INTEGRITY)
      for (const ciphered of [false, true])
        it(`integrity ${ic}, ${ciphered ? 'ciphered' : 'clear'}: every counter mode and PoR setting`, () => {
          const t = makeEnv();
          const server = new OtaServer();
          let n = 0;
          for (const counter of COUNTERS)
            for (const por of PORS)
              for (const pc of INTEGRITY) {
                // One KID serves both the command and the PoR: RC and CC cannot be mixed, nor two CRCs.
                if (ic !== 'none' && pc !== 'none' && ic !== pc) continue;
                for (const porCiphered of [false, true])
                  for (const porViaSubmit of [false, true]) {
                    const spi: Spi = {
                      integrity: kindOf(ic),
                      ciphered,
                      counter,
                      por,
                      porIntegrity: kindOf(pc),
                      porCiphered,
                      porViaSubmit,
                    };
                    const value = Uint8Array.of(n & 0xff, (n >> 8) & 0xff, 0xa5, kvn);
                    const label = JSON.stringify(spi);
                    // Only a CC or ciphering proves knowledge of a key, so only then is ADM1 granted.
                    const authenticated = ic === 'cc' || ciphered;
                    const before = toHex(t.card.files.get(EF)!.data.subarray(0, 4));
                    const expected = authenticated ? `039000${toHex(value)}` : '026982';
                    const { p, last } = roundTrip(t, server, kvn, ic, pc, spi, value);
                    expect(last.sw, label).toBe(0x9000);
                    expect(toHex(t.card.files.get(EF)!.data.subarray(0, 4)), label).toBe(
                      authenticated ? toHex(value) : before,
                    );
                    if (counter === 'higher' || counter === 'one-higher')
                      expect(t.counters.get(TAR), label).toBe(p.cntr);
                    if (por !== 'always') {
                      expect(last.data, label).toBeUndefined();
                      expect(last.proactive, label).toBeUndefined();
                    } else {
                      expect(Boolean(last.proactive), label).toBe(porViaSubmit);
                      const r = readPor(server, p, last);
                      expect(r, label).toMatchObject({ ok: true, status: POR.OK, cntr: p.cntr, tar: TAR });
                      if (r.ok) {
                        expect(toHex(r.data), label).toBe(expected);
                        expect(r.secured, label).toBe(pc !== 'none' || porCiphered);
                      }
                    }
                    n++;
                  }
              }
          expect(n).toBeGreaterThan(0);
        });
  },
);

describe('long packets and PoRs (concatenated SMS)', () => {
  for (const [kvn, ref16] of [
    [2, false],
    [3, true],
    [4, false],
  ] as const)
    it(`KVN ${kvn}, ${ref16 ? '16' : '8'}-bit reference: 3-segment command, PoR by concatenated SMS-SUBMIT`, () => {
      const t = makeEnv();
      const server = new OtaServer();
      const alg = KEYSETS.find((k) => k.kvn === kvn)!.kic!.alg;
      const value = Uint8Array.from({ length: 250 }, (_, i) => (i * 7) & 0xff);
      const scr = fromHex(`00a4000c026f08 00d60000fa${toHex(value)} 00b00000fa`);
      const spi: Spi = {
        integrity: 'cc',
        ciphered: true,
        counter: 'higher',
        por: 'always',
        porIntegrity: 'cc',
        porCiphered: true,
        porViaSubmit: true,
      };
      const originator = smsAddress('+491701234567');
      const smsc = fromHex('9144871000');
      const p = server.prepare(
        {
          iccid: ICCID,
          tar: TAR,
          spi,
          kic: blockKeyByte(kvn, alg),
          kid: blockKeyByte(kvn, alg),
          keysets: KEYSETS,
          script: scr,
        },
        { ref16, originator, smsc },
      );
      expect(p.tpdus.length).toBe(3);
      const answers = sendAll(t, p.envelopes);
      // Intermediate segments are only acknowledged and change nothing.
      expect(answers.slice(0, -1)).toEqual([{ sw: 0x9000 }, { sw: 0x9000 }]);
      const last = answers[2]!;
      expect(last.proactive!.length).toBeGreaterThan(1);
      for (const cmd of last.proactive!) {
        const ssm = decodeSendShortMessage(cmd)!;
        expect(ssm.address).toEqual(smsc);
        const submit = decodeSmsSubmit(ssm.tpdu)!;
        expect(addressDigits(submit.da)).toBe('491701234567');
        expect(submit.da.type).toBe(0x91);
        expect([submit.pid, submit.dcs]).toEqual([0x7f, 0xf6]);
        expect(submit.ud.length).toBeLessThanOrEqual(140);
      }
      const r = readPor(server, p, last);
      expect(r).toMatchObject({ ok: true, status: POR.OK, secured: true });
      if (r.ok) expect(toHex(r.data)).toBe(`039000${toHex(value)}`);
      expect(t.card.files.get(0x6f08)!.data.subarray(0, 250)).toEqual(value);
    });

  it('segments may arrive out of order and repeated', () => {
    const t = makeEnv();
    const server = new OtaServer();
    const value = new Uint8Array(200).fill(0x5a);
    const spi: Spi = {
      integrity: 'cc',
      ciphered: true,
      counter: 'none',
      por: 'always',
      porIntegrity: 'cc',
      porCiphered: true,
      porViaSubmit: false,
    };
    const p = server.prepare({
      iccid: ICCID,
      tar: TAR,
      spi,
      kic: 0x22,
      kid: 0x22,
      keysets: KEYSETS,
      script: fromHex(`00a4000c026f08 00d60000c8${toHex(value)}`),
    });
    expect(p.envelopes.length).toBe(2);
    const [a, b] = p.envelopes as [Bytes, Bytes];
    const answers = sendAll(t, [b, b, a]);
    expect(answers[0]).toEqual({ sw: 0x9000 });
    expect(answers[1]).toEqual({ sw: 0x9000 });
    expect(server.readPorFromEnvelopeResponse(p.expect, answers[2]!.data!)).toMatchObject({
      ok: true,
      status: 0,
    });
  });
});
