// SMPP message -> SMS-DELIVER TPDU for SMS-PP data download (host/smsc/sms-pp.ts): the TPDU of TS 23.040
// §9.2.2.1 around the AES command packet of the sysmoISIM-SJA5 interop vector (pySim tests/unittests/
// test_ota.py; TP-UDL 2D for the 45 octets of user data), the class 2 data codings of TS 23.038 §4,
// concatenation of a long payload (TS 23.040 §9.2.3.24.8) and the statuses for what cannot be delivered.
import { describe, expect, it } from 'vitest';
import { decodeSmsDeliver } from '../../applets/ota/sms-tpdu.js';
import { concatInfo, parseUserData } from '../../applets/ota/user-data-header.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { TLV } from '../../host/smpp/pdu.js';
import { STATUS } from '../../host/smpp/status.js';
import { isClass2Data, type MessageIn, smsDeliverTpdus } from '../../host/smsc/sms-pp.js';

const AES_COMMAND = '00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e5058';
const SCTS_DATE = new Date(Date.UTC(2022, 6, 25, 0, 0, 0)); // TP-SCTS 22 70 52 00 00 00 00

const msg = (o: Partial<MessageIn> = {}): MessageIn => ({
  source: { ton: 0, npi: 1, addr: '12345678' },
  esmClass: 0x40,
  protocolId: 0x7f,
  dataCoding: 0xf6,
  userData: fromHex(`027000${AES_COMMAND}`),
  tlvs: [],
  ...o,
});

describe('SMS-DELIVER for SMS-PP data download (TS 23.040 §9.2.2.1, TS 31.115 §4)', () => {
  it('builds the TPDU of the interop vector byte for byte', () => {
    const r = smsDeliverTpdus(msg(), 0, SCTS_DATE);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.tpdus.map((t) => toHex(t))).toEqual([
        `400881214365877FF6227052000000002D027000${AES_COMMAND}`.toUpperCase(),
      ]);
  });

  it('accepts exactly the 8-bit class 2 data codings (TS 23.038 §4)', () => {
    const ok = [0xf6, 0x16, 0x56];
    for (const d of ok) expect(isClass2Data(d), d.toString(16)).toBe(true);
    for (const d of [0x00, 0x04, 0xf4, 0xf5, 0xf2, 0x12, 0x08, 0x18, 0x36])
      expect(isClass2Data(d), d.toString(16)).toBe(false);
  });

  it('splits a long payload into concatenated SMS, the CPI in the first only', () => {
    const payload = concat(fromHex('027000'), new Uint8Array(300).fill(0xab));
    const r = smsDeliverTpdus(msg({ userData: payload }), 0x1234, SCTS_DATE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tpdus).toHaveLength(3);
    const uds = r.tpdus.map((t) => parseUserData(decodeSmsDeliver(t)!.ud, true)!);
    expect(uds.map((u) => concatInfo(u.ies))).toEqual(
      [1, 2, 3].map((seq) => ({ ref: 0x1234, total: 3, seq })),
    );
    expect(uds[0]!.ies.some((ie) => ie.iei === 0x70)).toBe(true);
    expect(uds[1]!.ies.some((ie) => ie.iei === 0x70)).toBe(false);
    expect(concat(...uds.map((u) => u.payload)).length).toBe(300);
  });

  it('turns SAR optional parameters into a 16-bit concatenation IE', () => {
    const tlvs = [
      { tag: TLV.sar_msg_ref_num, value: Uint8Array.of(0, 7) },
      { tag: TLV.sar_total_segments, value: Uint8Array.of(2) },
      { tag: TLV.sar_segment_seqnum, value: Uint8Array.of(2) },
    ];
    const r = smsDeliverTpdus(msg({ userData: fromHex('AABB'), esmClass: 0, tlvs }), 0, SCTS_DATE);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const d = decodeSmsDeliver(r.tpdus[0]!)!;
      expect(d.udhi).toBe(true);
      expect(toHex(d.ud)).toBe('06080400070202AABB');
    }
  });

  it.each([
    ['PID 00', { protocolId: 0 }, STATUS.RSUBMITFAIL],
    ['7-bit DCS', { dataCoding: 0 }, STATUS.RSUBMITFAIL],
    ['SME acknowledgement esm_class', { esmClass: 0x48 }, STATUS.RINVESMCLASS],
    ['alphanumeric source', { source: { ton: 5, npi: 0, addr: 'OTA' } }, STATUS.RINVSRCADR],
    ['header overrunning', { userData: fromHex('0570') }, STATUS.RINVMSGLEN],
    ['over 255 segments', { userData: new Uint8Array(40000) }, STATUS.RINVMSGLEN],
  ] as const)('refuses %s', (_n, o, status) => {
    expect(smsDeliverTpdus(msg(o as Partial<MessageIn>), 0, SCTS_DATE)).toMatchObject({ ok: false, status });
  });
});
