// DF.5GS codecs (TS 31.102 §4.4.11): decode(bytes) -> value -> encode gives the bytes back, and malformed
// contents decode to undefined. Sources of the vectors are named per case.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { codecFor } from '../../host/codecs/table.js';

interface Case {
  ef: string;
  source: string;
  hex: string;
  value: unknown;
  length?: number;
}

const KAMF = 'daae216bc3dc9c6e0db9e56d2b744ea247d67eed51fdf2411847d056ec45a666';

const CASES: Case[] = [
  {
    ef: 'EF.SUCI_Calc_Info',
    source: 'osmocom pySim, pySim/ts_31_102.py EF_SUCI_Calc_Info encode/decode test vector',
    hex: 'A00401010000A14A80010A81204E858C4D49D1343E6181284C47CA721730C98742CB7C6182D2E8126E08088D3680010B8120D1BC365F4997D17CE4374E72181431CBFEBA9E1B98D7618F79D48561B144672A',
    value: {
      schemes: [
        { scheme: 'profile-a', keyIndex: 1 },
        { scheme: 'null', keyIndex: 0 },
      ],
      keys: [
        { id: 10, key: fromHex('4e858c4d49d1343e6181284c47ca721730c98742cb7c6182d2e8126e08088d36') },
        { id: 11, key: fromHex('d1bc365f4997d17ce4374e72181431cbfeba9e1b98d7618f79d48561b144672a') },
      ],
    },
  },
  {
    ef: 'EF.UAC_AIC',
    source: 'osmocom pySim, pySim/ts_31_102.py EF_UAC_AIC test vector 03 (MPS and MCS), file of 4 bytes',
    hex: '03000000',
    value: ['mps', 'mcs'],
    length: 4,
  },
  {
    ef: 'EF.Routing_Indicator',
    source:
      'osmocom pySim, pySim/esim/saip/templates.py: default content F0FFFFFF of the profile package template (routing indicator 0)',
    hex: 'F0FFFFFF',
    value: '0',
    length: 4,
  },
  {
    ef: 'EF.Routing_Indicator',
    source: 'TS 24.501 §9.11.3.4: routing indicator digit 1 in bits 1-4 of the first octet; RI "71"',
    hex: '17FFFFFF',
    value: '71',
    length: 4,
  },
  {
    ef: 'EF.5GS3GPPLOCI',
    source: 'TS 31.102 §4.4.11.2 coding: 5G-GUTI, TAI 001/01 TAC 000001, status 0 "updated"',
    hex: '0B0200F110010040A0000001' + '02' + '00F110000001' + '00',
    value: {
      guti: fromHex('0B0200F110010040A000000102'),
      tai: { mcc: '001', mnc: '01', tac: fromHex('000001') },
      status: 'updated',
    },
  },
  {
    ef: 'EF.5GS3GPPNSC',
    source: 'TS 31.102 §4.4.11.4 coding: ngKSI 1, KAMF, counts, NAS algorithms NEA2/NIA2',
    hex: `A0348001018120${KAMF}820400000001830400000002840122`,
    value: {
      ngKsi: 1,
      kamf: fromHex(KAMF),
      uplinkCount: fromHex('00000001'),
      downlinkCount: fromHex('00000002'),
      algorithms: fromHex('22'),
    },
  },
  {
    ef: 'EF.5GAUTHKEYS',
    source: 'TS 31.102 §4.4.11.6 coding (80 KAUSF, 81 KSEAF)',
    hex: `8020${'11'.repeat(32)}8120${'22'.repeat(32)}`,
    value: { kausf: fromHex('11'.repeat(32)), kseaf: fromHex('22'.repeat(32)) },
  },
  {
    ef: 'EF.OPL5G',
    source: 'TS 31.102 §4.4.11.9 coding: TAI range 001/01 TAC 000000..FFFFFE, PNN record 1',
    hex: '00F110000000FFFFFE01',
    value: { mcc: '001', mnc: '01', tacMin: fromHex('000000'), tacMax: fromHex('FFFFFE'), pnnRecord: 1 },
  },
  {
    ef: 'EF.SUPI_NAI',
    source: 'TS 31.102 §4.4.11.10 coding (80: network specific identifier, an RFC 7542 NAI)',
    hex: `8018${toHex(new TextEncoder().encode('user@example.3gppnetwork'))}`,
    value: { nai: 'user@example.3gppnetwork' },
  },
];

describe('DF.5GS codecs round trip', () => {
  for (const c of CASES) {
    it(`${c.ef}: ${c.source}`, () => {
      const codec = codecFor(c.ef)!;
      expect(codec.name).toBe(c.ef);
      const bytes = fromHex(c.hex);
      expect(codec.decode(bytes)).toEqual(c.value);
      expect(toHex(codec.encode(c.value, c.length ?? bytes.length))).toBe(c.hex.toUpperCase());
    });
  }

  it('malformed contents decode to undefined', () => {
    const bad: [string, string][] = [
      ['EF.SUCI_Calc_Info', 'FF'.repeat(10)],
      ['EF.SUCI_Calc_Info', 'A0030101'],
      ['EF.SUCI_Calc_Info', 'A0020102A10580010A8100'],
      ['EF.Routing_Indicator', 'A0FFFFFF'],
      ['EF.Routing_Indicator', 'FF1FFFFF'],
      ['EF.5GS3GPPLOCI', `${'FF'.repeat(19)}03`],
      ['EF.5GS3GPPLOCI', `${'FF'.repeat(16)}000001`],
      ['EF.5GS3GPPNSC', `A0038001FF${'FF'.repeat(10)}`],
      ['EF.5GAUTHKEYS', `8010${'11'.repeat(16)}`],
      ['EF.5GAUTHKEYS', `8220${'11'.repeat(32)}`],
      ['EF.UAC_AIC', '04000000'],
      ['EF.OPL5G', 'FFFFFF000000FFFFFE01'],
      ['EF.SUPI_NAI', '8002C328'],
    ];
    for (const [ef, hex] of bad) expect(codecFor(ef)!.decode(fromHex(hex)), `${ef} ${hex}`).toBeUndefined();
  });

  it('the encoder refuses a key index outside the key list', () => {
    expect(() =>
      codecFor('EF.SUCI_Calc_Info')!.encode(
        { schemes: [{ scheme: 'profile-a', keyIndex: 2 }], keys: [] },
        20,
      ),
    ).toThrow(/key index/);
  });
});
