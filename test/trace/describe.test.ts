// What a trace says about OTA and SCP11 exchanges (the ENVELOPE vectors come from pySim's tests/unittests/test_ota.py: a real
// sysmoISIM-SJA5 command and PoR, and an error PoR of a sysmoISIM-SJA2).

import { describe, expect, it } from 'vitest';
import { encodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { encodeSmsDeliver, encodeSmsSubmit, smsAddress } from '../../applets/ota/sms-tpdu.js';
import { buildUserData, IEI_CPI, IEI_RPI } from '../../applets/ota/user-data-header.js';
import { buildCommand } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, ctlv } from '../../card-os/tlv.js';
import type { RenderedExchange } from '../../host/trace/model.js';
import { TraceRenderer } from '../../host/trace/render.js';

function render(pairs: [string, string][]): RenderedExchange[] {
  const r = new TraceRenderer();
  return pairs.map(
    ([c, s], n) =>
      r.render({
        kind: 'exchange',
        t: n,
        ms: 0,
        command: fromHex(c),
        response: fromHex(s),
      }) as RenderedExchange,
  );
}

function envelope(packet: Bytes): string {
  const tpdu = encodeSmsDeliver({
    udhi: true,
    oa: smsAddress('1234'),
    pid: 0x7f,
    dcs: 0xf6,
    scts: new Uint8Array(7),
    ud: buildUserData([{ iei: IEI_CPI, data: new Uint8Array(0) }], packet),
  });
  return toHex(buildCommand(0x80, 0xc2, 0, 0, encodeSmsPpEnvelope({ tpdu })));
}

const SJA5_3DES_COMMAND = fromHex('00201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f');
const SJA5_3DES_POR = '027100001c12b000118bb989492c632529326a2f4681feb37c825bc9021c9f6d0b';

describe('OTA in traces', () => {
  it('decodes the command packet header and says a ciphered PoR needs the keys', () => {
    const [env, gr] = render([
      [envelope(SJA5_3DES_COMMAND), '6120'],
      ['00C0000020', `${SJA5_3DES_POR}9000`],
    ]);
    expect(env!.details).toContain(
      'OTA command: TAR B00011, SPI 0619 (CC, ciphered; PoR always CC ciphered), KIc 35, KID 35, CPL 32',
    );
    expect(env!.redactions).toEqual([]);
    expect(gr!.details).toContain('PoR: TAR B00011, RPL 28, ciphered (the status needs the keys)');
  });

  it('reads the status of an unprotected error PoR', () => {
    const [, gr] = render([
      [envelope(SJA5_3DES_COMMAND), '6110'],
      ['00C0000010', '027100000b0ab00010000000000000069000'],
    ]);
    expect(gr!.details).toContain('PoR: TAR B00010, CNTR 0000000000, status 06 unidentified security error');
  });

  it('reads a PoR the card sends with SEND SHORT MESSAGE (FETCH)', () => {
    const submit = encodeSmsSubmit({
      da: smsAddress('1234'),
      pid: 0x7f,
      dcs: 0xf6,
      udhi: true,
      ud: buildUserData([{ iei: IEI_RPI, data: new Uint8Array(0) }], fromHex('000b0ab0001000000000000006')),
    });
    const proactive = ber(
      0xd0,
      ctlv(0x01, fromHex('011300'), true),
      ctlv(0x02, fromHex('8183'), true),
      ctlv(0x0b, submit, true),
    );
    const [f] = render([[`80120000${toHex(Uint8Array.of(proactive.length))}`, `${toHex(proactive)}9000`]]);
    expect(f!.details).toContain('PoR: TAR B00010, CNTR 0000000000, status 06 unidentified security error');
  });
});

describe('SCP11 in traces', () => {
  it('names the steps: certificate store, OCE certificate, key agreement, answer, secure messaging', () => {
    const epk = '04' + '11'.repeat(64);
    const e = render([
      ['80CABF2106A6048302110300', '6100'],
      [`802A0310${'05'}7F2102${'0000'}`, '9000'],
      [`8082031153A60D9002110195013C8001888101105F4941${epk}00`, '6153'],
      ['00C0000053', `5F4941${epk}8610${'22'.repeat(16)}9000`],
      ['84CA00660817BD73DDD5460551', `${'AF'.repeat(16)}9000`],
    ]);
    expect(e[0]!.details).toContain('SCP11: read the certificate store of SD key KID 11 KVN 03');
    expect(e[1]!.details).toContain('SCP11: OCE certificate for key KID 10 KVN 03, last of the chain');
    expect(e[2]!.name).toBe('MUTUAL AUTHENTICATE');
    expect(e[2]!.details).toContain('SCP11a: key agreement with SD key KID 11 KVN 03, ePK.OCE.ECKA sent');
    expect(e[3]!.details).toContain(
      'SCP11: card answered ePK.SD.ECKA and the receipt; the secure channel is open',
    );
    expect(e[4]!.details).toContain('secure messaging: command and answer are wrapped (SCP session keys)');
    for (const x of e) expect(x.redactions).toEqual([]);
  });

  it('names PUT KEY and masks its key data', () => {
    const [e] = render([['80D8018117018810' + '01'.repeat(16) + '03AABBCC', '9000']]);
    expect(e!.name).toBe('PUT KEY');
    expect(e!.details).toContain('masked: PUT KEY key data [put-key.0181]');
  });
});
