// GET IDENTITY (TS 31.102 §7.5) through the card: the TS 33.501 Annex C.4 vectors byte for byte with the
// card's random source fixed (the test hook of usimApplet), and every malformed input or file content
// answered with a status word, never an exception.
import { describe, expect, it } from 'vitest';
import { usimApplet } from '../../applets/usim/applet.js';
import {
  decodeSuci,
  decodeSuciCalcInfo,
  encodeSuci,
  encodeSuciCalcInfo,
  msinBcd,
} from '../../applets/usim/suci.js';
import { eciesDeconceal } from '../../applets/usim/suci-ecies.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { openCard } from '../../host/card-factory.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import { concealSupi, deconcealSuci, parseSuci } from '../../host/network/sidf.js';
import { ADM1, PIN1, tx, txData, USIM_AID } from '../support/uicc.js';
import { ANNEX_C4, outputA, outputB } from './vectors.js';

/** A default-profile card whose random source hands out `random` (the ephemeral private key). */
function cardWithRandom(random?: (n: number) => Bytes): CardOs {
  const base = openCard().card;
  const applets = base.applets.map((a) => (a.name === 'USIM' && random ? usimApplet(a.aid!, { random }) : a));
  return createCard(base.spec, { applets });
}

const fixed = (hex: string) => () => fromHex(hex);

function open(c: CardOs, adm = false) {
  expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
  expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
  if (adm) expect(tx(c, `0020000A08${ADM1}`).sw).toBe('9000');
}

/** UPDATE BINARY of an EF under ADF.USIM by path (needs ADM1), then back to the ADF. */
function write(c: CardOs, path: string[], content: Bytes) {
  for (const fid of path) expect(tx(c, `00A4000C02${fid}`).sw).toBe('9000');
  const h = toHex(content);
  expect(tx(c, `00D60000${content.length.toString(16).padStart(2, '0')}${h}`).sw).toBe('9000');
  expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
}

/** The Annex C.4 subscriber: IMSI 274 012 001002086 with a 3-digit MNC (EF.AD byte 4 = 03). */
function annexSubscriber(c: CardOs) {
  write(c, ['6F07'], encodeImsi(`${ANNEX_C4.mcc}${ANNEX_C4.mnc}${ANNEX_C4.msin}`, 9));
  write(c, ['6FAD'], fromHex('00000003'));
}

function calcInfo(schemes: [number, number][]): Bytes {
  return encodeSuciCalcInfo(
    {
      schemes: schemes.map(([scheme, keyIndex]) => ({ scheme, keyIndex })),
      keys: [
        { id: 1, key: fromHex(ANNEX_C4.a.hnPublic) },
        { id: 2, key: fromHex(ANNEX_C4.b.hnPublic) },
      ],
    },
    100,
  );
}

/** GET IDENTITY with Le = 00: under T=0 the card names the length (6Cxx) and the command is repeated. */
function getId(c: CardOs, p2 = '01') {
  const a = txData(c, `807800${p2}00`);
  return a.sw.startsWith('6C') ? tx(c, `807800${p2}${a.sw.slice(2)}`) : a;
}

const SUCI_HEAD = '01722410F0FF'; // SUCI/IMSI, PLMN 274/012, routing indicator "0"

describe('GET IDENTITY, SUCI context: TS 33.501 Annex C.4 through the card', () => {
  it('C.4.3 Profile A (the default profile lists it first)', () => {
    const c = cardWithRandom(fixed(ANNEX_C4.a.ephPrivate));
    open(c, true);
    annexSubscriber(c);
    const r = getId(c);
    expect(r.sw).toBe('9000');
    expect(r.data).toBe(`A1${(8 + 45).toString(16).toUpperCase()}${SUCI_HEAD}0101${outputA.toUpperCase()}`);
    // The handset calculation on the host (service 124 path) gives the same SUCI from the same files.
    const host = concealSupi({
      imsi: `${ANNEX_C4.mcc}${ANNEX_C4.mnc}${ANNEX_C4.msin}`,
      mncLength: 3,
      info: decodeSuciCalcInfo(calcInfo([[1, 1]]))!,
      ephemeralPrivate: fromHex(ANNEX_C4.a.ephPrivate),
    });
    expect(toHex(encodeSuci(host))).toBe(r.data.slice(4));
    // And the host SIDF recovers the SUPI from the card's answer.
    expect(
      deconcealSuci(parseSuci(r.data)!, [
        { id: 1, scheme: 'profile-a', private: fromHex(ANNEX_C4.a.hnPrivate) },
      ]),
    ).toEqual({
      ok: true,
      imsi: '274012001002086',
      supi: 'imsi-274012001002086',
    });
  });

  it('C.4.4 Profile B', () => {
    const c = cardWithRandom(fixed(ANNEX_C4.b.ephPrivate));
    open(c, true);
    annexSubscriber(c);
    write(c, ['5FC0', '4F07'], calcInfo([[2, 2]]));
    const r = getId(c);
    expect(r.sw).toBe('9000');
    expect(r.data).toBe(`A1${(8 + 46).toString(16).toUpperCase()}${SUCI_HEAD}0202${outputB.toUpperCase()}`);
  });

  it('C.4.2 null scheme, and the routing indicator from EF.Routing_Indicator', () => {
    const c = cardWithRandom();
    open(c, true);
    annexSubscriber(c);
    write(c, ['5FC0', '4F07'], calcInfo([[0, 0]]));
    write(c, ['5FC0', '4F0A'], fromHex('17FFFFFF'));
    const r = getId(c);
    expect(r.sw).toBe('9000');
    expect(r.data).toBe(`A10D0172241017FF0000${ANNEX_C4.nullOutput.toUpperCase()}`);
  });

  it('the default card conceals its own IMSI with a fresh key each time; the SIDF recovers the MSIN', () => {
    const c = cardWithRandom();
    open(c);
    const outs = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = getId(c);
      expect(r.sw).toBe('9000');
      const suci = decodeSuci(fromHex(r.data).subarray(2))!;
      expect(suci).toMatchObject({ mcc: '001', mnc: '01', routingIndicator: '0', scheme: 1, keyId: 1 });
      outs.add(toHex(suci.output));
      expect(eciesDeconceal('A', fromHex(ANNEX_C4.a.hnPrivate), suci.output)).toEqual(msinBcd('0123456789'));
    }
    expect(outs.size).toBe(3);
  });
});

describe('GET IDENTITY: status words for bad commands and bad file contents (never a crash)', () => {
  it('command coding, PIN, service 125', () => {
    const c = cardWithRandom();
    expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
    expect(tx(c, '8078000100').sw).toBe('6982'); // PIN1 not verified
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
    expect(tx(c, '8078010100').sw).toBe('6A86'); // P1
    expect(tx(c, '8078000300').sw).toBe('6A86'); // RFU context
    expect(tx(c, '8078000000').sw).toBe('6A86');
    expect(tx(c, '8078000200').sw).toBe('9864'); // SUCI for 5G NSWO: not run by this USIM
    expect(tx(c, '807800010100').sw).toBe('6700'); // data where none belongs
    expect(tx(c, '0078000100').sw).toBe('6D00'); // an ISO class: no such command
    // Service 125 off: the handset computes the SUCI (TS 31.102 §4.2.8).
    expect(tx(c, `0020000A08${ADM1}`).sw).toBe('9000');
    const ust = txData(c, '00B0840011'); // EF.UST by SFI 04
    const u = fromHex(ust.data);
    u[15]! &= ~(1 << 4); // service 125 = byte 16 b5
    write(c, ['6F38'], u);
    expect(tx(c, '8078000100').sw).toBe('6985');
    // 125 without 124 counts as not available (TS 31.102 §4.2.8).
    u[15]! = (u[15]! | (1 << 4)) & ~(1 << 3);
    write(c, ['6F38'], u);
    expect(tx(c, '8078000100').sw).toBe('6985');
    u[15]! |= 1 << 3;
    write(c, ['6F38'], u);
    expect(getId(c).sw).toBe('9000');
  });

  const badCalcInfo: [string, string][] = [
    ['all FF (no A0 tag)', 'FF'.repeat(100)],
    ['A0 running past the end', `A0FF${'00'.repeat(98)}`],
    ['odd priority list', `A003010100${'FF'.repeat(95)}`],
    ['key index beyond the key list', `A0020103A10480010181${'FF'.repeat(90)}`],
    ['null scheme with a key index', `A0020001${'FF'.repeat(96)}`],
    ['A1 with a truncated key', `A0020101A1078001018120AABB${'FF'.repeat(87)}`],
    ['garbage after the key list', `A0020000A100${'00'.repeat(94)}`],
  ];
  for (const [what, content] of badCalcInfo) {
    it(`EF.SUCI_Calc_Info ${what}: 6F00, nothing changes`, () => {
      const c = cardWithRandom();
      open(c, true);
      write(c, ['5FC0', '4F07'], fromHex(content));
      expect(tx(c, '8078000100').sw).toBe('6F00');
      expect(tx(c, '8078000100').sw).toBe('6F00');
    });
  }

  it('no usable entry: unknown scheme, wrong key length for the profile: 6A88', () => {
    const c = cardWithRandom();
    open(c, true);
    write(
      c,
      ['5FC0', '4F07'],
      encodeSuciCalcInfo(
        {
          schemes: [
            { scheme: 3, keyIndex: 1 },
            { scheme: 1, keyIndex: 2 },
            { scheme: 2, keyIndex: 1 },
          ],
          keys: [
            { id: 1, key: fromHex(ANNEX_C4.a.hnPublic) }, // 32 bytes: not a P-256 point
            { id: 2, key: fromHex(ANNEX_C4.b.hnPublic) }, // 33 bytes: not an X25519 key
          ],
        },
        100,
      ),
    );
    expect(tx(c, '8078000100').sw).toBe('6A88');
  });

  it('a P-256 key that is not on the curve: 6F00', () => {
    const c = cardWithRandom();
    open(c, true);
    const off = fromHex(ANNEX_C4.b.hnPublicUncompressed);
    off[64]! ^= 1;
    write(
      c,
      ['5FC0', '4F07'],
      encodeSuciCalcInfo({ schemes: [{ scheme: 2, keyIndex: 1 }], keys: [{ id: 9, key: off }] }, 100),
    );
    expect(tx(c, '8078000100').sw).toBe('6F00');
  });

  it('malformed EF.Routing_Indicator, EF.IMSI, EF.AD: 6F00', () => {
    for (const [path, content] of [
      [['5FC0', '4F0A'], 'A1FFFFFF'],
      [['5FC0', '4F0A'], 'FF1FFFFF'],
      [['6F07'], '08FFFFFFFFFFFFFFFF'],
      [['6F07'], '0809101010A0000000'],
      [['6FAD'], '00000004'],
    ] as const) {
      const c = cardWithRandom();
      open(c, true);
      write(c, [...path], fromHex(content));
      expect(tx(c, '8078000100').sw, `${path.join('/')} ${content}`).toBe('6F00');
    }
  });
});
