// One round-trip vector per EF codec of host/codecs/table.ts, keyed by the EF name, each naming where its
// bytes come from: a published example (pySim's per-file `_test_de_encode` vectors, the TCA SAIP templates'
// default contents) or the byte layout of the spec clause the codec implements. codec-table.test.ts checks
// that every codec in the table has one. Codecs an applet package declares (applets/*/package.ts) are keyed
// by the application's name and the EF name ("ISIM EF.AD"), since their names repeat USIM EF names.

import { fromHex } from '../../card-os/bytes.js';
import type { EfCodec } from '../../card-os/ef-codec.js';

export function vectorName(c: EfCodec): string {
  return c.application ? `${c.application.name} ${c.name}` : c.name;
}

export interface CodecVector {
  /** File contents (transparent EF) or one record, hex; spaces are for reading only. */
  hex: string;
  /** The decoded value. */
  value: unknown;
  source: string;
}

const ff = (n: number) => 'FF'.repeat(n);
const hexText = (t: string) => Buffer.from(t, 'utf8').toString('hex').toUpperCase();
const KAMF = 'daae216bc3dc9c6e0db9e56d2b744ea247d67eed51fdf2411847d056ec45a666';

export const CODEC_VECTORS: Record<string, CodecVector> = {
  'EF.DIR': {
    hex: `61 18 4F 10 A0000000871002FFFFFFFF8907090000 50 04 5553494D ${ff(12)}`,
    value: { aid: 'A0000000871002FFFFFFFF8907090000', label: 'USIM' },
    source: 'TS 102 221 §13.1 application template with the USIM AID of pySim EF_DIR test data',
  },
  'EF.ICCID': {
    hex: '98 88 12 01 00 00 40 03 10 F0',
    value: '8988211000000430010',
    source: 'pySim EF_ICCID test vector (TS 102 221 §13.2)',
  },
  'EF.PL': {
    hex: '656E 6465',
    value: ['en', 'de'],
    source: 'TS 102 221 §13.5: ISO 639 codes "en", "de"',
  },
  'EF.ARR': {
    hex: '80 01 5E A4 06 83 01 0A 95 01 08 FF FF',
    value: 'update: ADM1, write: ADM1, activate: ADM1, deactivate: ADM1, delete: ADM1',
    source: 'TCA SAIP template EF.ARR record 14 (TS 102 221 §9.2.4 expanded format)',
  },
  'EF.UMPC': {
    hex: '3C 0A 00 FF FF',
    value: { maxPowerMa: 60, timeoutSeconds: 10, additionalInfo: 0 },
    source: 'TS 102 221 §13.6 layout: 60 mA, operator time-out 10 s, no additional information',
  },
  'EF.ADN': {
    hex: `4D65 ${ff(8)} 07 91 990900000010FFFFFFFF FF FF`,
    value: { alpha: 'Me', number: '+999000000001' },
    source: 'TS 31.102 §4.4.2.3 layout: alpha "Me", international number 999000000001',
  },
  'EF.EXT1': {
    hex: `02 02 0102 ${ff(8)} 02`,
    value: { type: 'additional-data', data: '0102', next: 2 },
    source: 'TS 31.102 §4.4.2.4 layout: additional data 01 02, next record 2',
  },
  'EF.IMG': {
    hex: '01 08 08 11 4F01 0000 000A',
    value: [{ width: 8, height: 8, coding: 0x11, fid: '4F01', offset: 0, length: 10 }],
    source: 'TS 31.102 §4.6.1.1 layout: one 8x8 basic image in EF 4F01, 10 bytes at offset 0',
  },
  'EF.PBR': {
    hex: `A8 0A C0 03 4F3A 01 C9 03 4F39 06 ${ff(4)}`,
    value: [
      {
        template: 'A8',
        files: [
          { tag: 'C0', fid: '4F3A', sfi: 1 },
          { tag: 'C9', fid: '4F39', sfi: 6 },
        ],
      },
    ],
    source: 'TS 31.102 §4.4.2.1: type 1 template with EF.ADN (C0) and EF.UID (C9)',
  },
  'EF.PSC': { hex: '00000001', value: 1, source: 'TS 31.102 §4.4.2.12: 4-byte counter' },
  'EF.CC': { hex: '0005', value: 5, source: 'TS 31.102 §4.4.2.13: 2-byte counter' },
  'EF.PUID': { hex: '0010', value: 16, source: 'TS 31.102 §4.4.2.14: 2-byte identifier' },
  'EF.LI': {
    hex: '656E FFFF FFFF',
    value: ['en'],
    source: 'TS 31.102 §4.2.1: "en", unused entries FF',
  },
  'EF.IMSI': {
    hex: '08 29 26 10 11 60 84 57 40',
    value: '262011106487504',
    source: 'pySim EF_IMSI test vector (TS 31.102 §4.2.2)',
  },
  'EF.Keys': {
    hex: `07 ${ff(32)}`,
    value: { ksi: 7, ck: ff(16), ik: ff(16) },
    source: 'TCA SAIP template default of EF.Keys (TS 31.102 §4.2.4: KSI 07 = no key)',
  },
  'EF.KeysPS': {
    hex: '02 000102030405060708090A0B0C0D0E0F 101112131415161718191A1B1C1D1E1F',
    value: { ksi: 2, ck: '000102030405060708090A0B0C0D0E0F', ik: '101112131415161718191A1B1C1D1E1F' },
    source: 'TS 31.102 §4.2.5 layout: KSI 2, CK, IK',
  },
  'EF.HPPLMN': { hex: '0A', value: 10, source: 'TCA SAIP template default (TS 31.102 §4.2.6)' },
  'EF.ACMmax': { hex: '000100', value: 256, source: 'TS 31.102 §4.2.7: 3-byte maximum' },
  'EF.UST': {
    hex: 'FF 09',
    value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 12],
    source: 'TS 31.102 §4.2.8: service n = bit (n-1) mod 8 of byte (n-1)/8',
  },
  'EF.ACM': { hex: '000010', value: 16, source: 'TS 31.102 §4.2.9: 3-byte accumulated call meter' },
  'EF.FDN': {
    hex: 'FFFFFFFF 03 81 2143FFFFFFFFFFFFFFFF FF FF',
    value: { number: '1234' },
    source: 'TS 31.102 §4.2.24 (ADN layout of §4.4.2.3): no alpha, number 1234 of unknown type (TON/NPI 81)',
  },
  'EF.SMS': {
    hex: `03 0791448720003023 240DD0E474D81C0EBB010000111011315214000BE474D81C0EBB5DE3771B ${ff(137)}`,
    value: {
      status: 'unread',
      data: '0791448720003023240DD0E474D81C0EBB010000111011315214000BE474D81C0EBB5DE3771B',
    },
    source: 'TS 31.102 §4.2.25: status 03 (unread) + SC address and SMS-DELIVER TPDU (TS 23.040 §9.2.2.1)',
  },
  'EF.MSISDN': {
    hex: `4F776E ${ff(7)} 09 91 99090121436587F0FFFF FF FF`,
    value: { alpha: 'Own', number: '+999010123456780' },
    source: 'TS 31.102 §4.2.26 (ADN layout of §4.4.2.3)',
  },
  'EF.SMSP': {
    hex: `${ff(10)} F1 ${ff(12)} 07 91 990900000010 FFFFFFFF 00 00 FF`,
    value: { serviceCentre: '+999000000001', pid: 0, dcs: 0 },
    source: 'TS 31.102 §4.2.27: indicators F1 (service centre, PID and DCS present)',
  },
  'EF.SMSS': {
    hex: '2A FE',
    value: { lastMessageReference: 42, memoryCapacityExceeded: true },
    source: 'TS 31.102 §4.2.28: TP-MR 42, memory capacity exceeded (b1 = 0)',
  },
  'EF.CBMI': {
    hex: '1234 0032 FFFF',
    value: [0x1234, 50],
    source: 'TS 31.102 §4.2.14: message identifiers, FFFF unused',
  },
  'EF.SPN': {
    hex: `01 47534D2D52204348 ${ff(8)}`,
    value: { name: 'GSM-R CH', showPlmnName: true },
    source: 'pySim EF_SPN test vector (TS 31.102 §4.2.12)',
  },
  'EF.CBMID': {
    hex: '1000 FFFF',
    value: [0x1000],
    source: 'TS 31.102 §4.2.20: message identifiers for data download',
  },
  'EF.EXT2': {
    hex: `00 ${ff(12)}`,
    value: { type: 'unused' },
    source: 'TCA SAIP template default record of EF.EXT2 (TS 31.102 §4.2.37)',
  },
  'EF.CBMIR': {
    hex: '1000 10FF FFFF FFFF',
    value: [{ from: 0x1000, to: 0x10ff }],
    source: 'TS 31.102 §4.2.22: one range of message identifiers',
  },
  'EF.EST': { hex: '05', value: [1, 3], source: 'TS 31.102 §4.2.47: FDN and ACL enabled' },
  'EF.START-HFN': {
    hex: 'F00000 F00000',
    value: { startCs: 0xf00000, startPs: 0xf00000 },
    source: 'TCA SAIP template default (TS 31.102 §4.2.51)',
  },
  'EF.THRESHOLD': { hex: 'FFFFFF', value: 0xffffff, source: 'TCA SAIP template default (TS 31.102 §4.2.52)' },
  'EF.PLMNwAcT': {
    hex: '00F110 C884 FFFFFF 0000',
    value: [{ mcc: '001', mnc: '01', act: ['utran', 'eutran', 'ngran', 'gsm'] }],
    source: 'pySim-verified encoding of 001/01 on UTRAN, E-UTRAN, NG-RAN, GSM (TS 31.102 §4.2.5)',
  },
  'EF.OPLMNwAcT': {
    hex: '62F210 4000',
    value: [{ mcc: '262', mnc: '01', act: ['eutran'] }],
    source: 'TS 31.102 §4.2.53 (entry layout of §4.2.5): 262/01 on E-UTRAN',
  },
  'EF.HPLMNwAcT': {
    hex: '00F110 8000',
    value: [{ mcc: '001', mnc: '01', act: ['utran'] }],
    source: 'TS 31.102 §4.2.54 (entry layout of §4.2.5): 001/01 on UTRAN',
  },
  'EF.PSLOCI': {
    hex: 'C0A1B2C3 123456 00F110 1234 05 00',
    value: {
      ptmsi: 'C0A1B2C3',
      ptmsiSignature: '123456',
      rai: { plmn: { mcc: '001', mnc: '01' }, lac: 0x1234, rac: 5 },
      status: 'updated',
    },
    source: 'TS 31.102 §4.2.23 layout: P-TMSI, signature, RAI 001/01 LAC 1234 RAC 05, updated',
  },
  'EF.ACC': { hex: '0001', value: [0], source: 'pySim EF_ACC test vector (TS 31.102 §4.2.15)' },
  'EF.FPLMN': {
    hex: '62F210 FFFFFF',
    value: [{ mcc: '262', mnc: '01' }],
    source: 'TS 31.102 §4.2.16, PLMN coding of TS 24.008 §10.5.1.3',
  },
  'EF.LOCI': {
    hex: `${ff(4)} ${ff(3)} 0000 FF 01`,
    value: { tmsi: ff(4), lai: { plmn: null, lac: 0 }, status: 'not-updated' },
    source: 'TCA SAIP template default of EF.LOCI (TS 31.102 §4.2.17)',
  },
  'EF.AD': {
    hex: '80 00 01 03',
    value: { mode: 'type-approval', mncLength: 3, flags: ['ciphering-indicator'] },
    source: 'TS 31.102 §4.2.18: type approval, ciphering indicator, 3-digit MNC',
  },
  'EF.ECC': {
    hex: '19F1FF 01',
    value: { code: '911', categories: ['police'] },
    source: 'pySim-verified EF.ECC record (TS 31.102 §4.2.21): 911, police',
  },
  'EF.EHPLMN': {
    hex: '00F110 FFFFFF FFFFFF',
    value: [{ mcc: '001', mnc: '01' }],
    source: 'TS 31.102 §4.2.84: one equivalent HPLMN',
  },
  'EF.EPSLOCI': {
    hex: '0B F6 00F110 8001 01 C0A1B2C3 00F110 0001 00',
    value: {
      guti: '0BF600F110800101C0A1B2C3',
      tai: { plmn: { mcc: '001', mnc: '01' }, tac: 1 },
      status: 'updated',
    },
    source: 'TS 31.102 §4.2.91 layout with a GUTI IE of TS 24.301 §9.9.3.12 (MMEGI 8001, MMEC 01)',
  },
  'EF.EPSNSC': {
    hex: `A0 34 80 01 02 81 20 ${'00112233445566778899AABBCCDDEEFF'.repeat(2)} 82 04 00000005 83 04 00000003 84 01 11 ${ff(26)}`,
    value: {
      ksiAsme: 2,
      kAsme: '00112233445566778899AABBCCDDEEFF'.repeat(2),
      uplinkNasCount: 5,
      downlinkNasCount: 3,
      algorithms: 0x11,
    },
    source: 'TS 31.102 §4.2.92 layout: EPS NAS security context TLV, 80-byte record',
  },
  'EF.Kc': {
    hex: '0011223344556677 02',
    value: { kc: '0011223344556677', cksn: 2 },
    source: 'TS 31.102 §4.6.2.1 layout: Kc and CKSN',
  },
  'EF.KcGPRS': {
    hex: `${ff(8)} 07`,
    value: { kc: ff(8), cksn: 7 },
    source: 'TCA SAIP template default (TS 31.102 §4.6.2.2: CKSN 07 = no key)',
  },
  'EF.PUCT': {
    hex: '455552 01 B5',
    value: { currency: 'EUR', eppu: 21, ex: -5 },
    source: 'TS 31.102 §4.2.28 / TS 51.011 §10.3.8 layout: EUR, EPPU 21, EX -5 (0.00021 per unit)',
  },
  // DF.5GS (TS 31.102 §4.4.11); further cases and malformed contents in df-5gs-codecs.test.ts.
  'EF.SUCI_Calc_Info': {
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
    source: 'pySim ts_31_102.py EF_SUCI_Calc_Info test vector',
  },
  'EF.UAC_AIC': {
    hex: '03000000',
    value: ['mps', 'mcs'],
    source: 'pySim ts_31_102.py EF_UAC_AIC test vector 03 (MPS and MCS)',
  },
  'EF.Routing_Indicator': {
    hex: 'F0FFFFFF',
    value: '0',
    source: 'pySim SAIP template default content F0FFFFFF (TS 24.501 §9.11.3.4 routing indicator 0)',
  },
  'EF.5GS3GPPLOCI': {
    hex: '0B0200F110010040A000000102 00F110000001 00',
    value: {
      guti: fromHex('0B0200F110010040A000000102'),
      tai: { mcc: '001', mnc: '01', tac: fromHex('000001') },
      status: 'updated',
    },
    source: 'TS 31.102 §4.4.11.2 layout: 5G-GUTI, TAI 001/01 TAC 000001, status updated',
  },
  'EF.5GSN3GPPLOCI': {
    hex: `${ff(13)} 00F110000002 01`,
    value: { tai: { mcc: '001', mnc: '01', tac: fromHex('000002') }, status: 'not-updated' },
    source:
      'TS 31.102 §4.4.11.3 layout (as §4.4.11.2): no 5G-GUTI, TAI 001/01 TAC 000002, status not updated',
  },
  'EF.5GS3GPPNSC': {
    hex: `A0 34 800101 8120 ${KAMF} 820400000001 830400000002 840122`,
    value: {
      ngKsi: 1,
      kamf: fromHex(KAMF),
      uplinkCount: fromHex('00000001'),
      downlinkCount: fromHex('00000002'),
      algorithms: fromHex('22'),
    },
    source: 'TS 31.102 §4.4.11.4 layout: ngKSI 1, KAMF, counts, NEA2/NIA2',
  },
  'EF.5GSN3GPPNSC': {
    hex: `A0 34 800102 8120 ${KAMF} 820400000003 830400000004 840111`,
    value: {
      ngKsi: 2,
      kamf: fromHex(KAMF),
      uplinkCount: fromHex('00000003'),
      downlinkCount: fromHex('00000004'),
      algorithms: fromHex('11'),
    },
    source: 'TS 31.102 §4.4.11.5 layout (as §4.4.11.4): ngKSI 2, NEA1/NIA1',
  },
  'EF.5GAUTHKEYS': {
    hex: `8020${'11'.repeat(32)} 8120${'22'.repeat(32)}`,
    value: { kausf: fromHex('11'.repeat(32)), kseaf: fromHex('22'.repeat(32)) },
    source: 'TS 31.102 §4.4.11.6 layout: 80 KAUSF, 81 KSEAF',
  },
  'EF.OPL5G': {
    hex: '00F110 000000 FFFFFE 01',
    value: { mcc: '001', mnc: '01', tacMin: fromHex('000000'), tacMax: fromHex('FFFFFE'), pnnRecord: 1 },
    source: 'TS 31.102 §4.4.11.9 layout: TAI range 001/01 TAC 000000..FFFFFE, PNN record 1',
  },
  'EF.SUPI_NAI': {
    hex: '8018 75736572406578616D706C652E33677070 6E6574776F726B',
    value: { nai: 'user@example.3gppnetwork' },
    source: 'TS 31.102 §4.4.11.10 layout: 80 network specific identifier (an RFC 7542 NAI)',
  },
  // ADF.ISIM, TS 31.103 §4.2 (declared by applets/isim/package.ts)
  'ISIM EF.IMPI': {
    hex: `80 31 ${hexText('001010123456789@ims.mnc001.mcc001.3gppnetwork.org')} FF FF`,
    value: '001010123456789@ims.mnc001.mcc001.3gppnetwork.org',
    source:
      'TS 31.103 §4.2.2: tag 80, the NAI in UTF-8; the IMPI TS 23.003 §13.3 derives from IMSI 001010123456789',
  },
  'ISIM EF.DOMAIN': {
    hex: `80 21 ${hexText('ims.mnc001.mcc001.3gppnetwork.org')}`,
    value: 'ims.mnc001.mcc001.3gppnetwork.org',
    source: 'TS 31.103 §4.2.3: tag 80, the home domain name TS 23.003 §13.2 derives for MCC 001, MNC 01',
  },
  'ISIM EF.IMPU': {
    hex: `80 14 ${hexText('tel:+001010123456789')} ${ff(10)}`,
    value: 'tel:+001010123456789',
    source: 'TS 31.103 §4.2.4: tag 80, a tel URI (TS 23.003 §13.4) in UTF-8, record padded with FF',
  },
  'ISIM EF.AD': {
    hex: '00 00 00',
    value: { mode: 'normal' },
    source: 'TS 31.103 §4.2.5: normal operation, additional information RFU (the TCA SAIP template default)',
  },
  'ISIM EF.IST': {
    hex: 'A1 00',
    value: [1, 6, 8],
    source: 'TS 31.103 §4.2.7: services 1 (P-CSCF address), 6 (SMS) and 8 (SM-over-IP), bit (n-1) mod 8',
  },
  'ISIM EF.P-CSCF': {
    hex: `80 28 00 ${hexText('pcscf.ims.mnc001.mcc001.3gppnetwork.org')} ${ff(6)}`,
    value: { fqdn: 'pcscf.ims.mnc001.mcc001.3gppnetwork.org' },
    source: 'TS 31.103 §4.2.8: tag 80, address type 00 (FQDN), the FQDN; record padded with FF',
  },
};
