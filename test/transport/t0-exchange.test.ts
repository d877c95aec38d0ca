// The host-side T=0 rules (TS 102 221 §7.3.1.1, ISO/IEC 7816-3 §12.2). The scripted exchanges follow the
// behaviour pySim's T=0 layer is tested for (pySim's pySim/transport/pcsc.py, ISO/IEC 7816-3 §10.3.3); the last tests run against a card.

import { describe, expect, it } from 'vitest';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { exchange as exchangeApdu, transmitT0 } from '../../host/transport/t0-exchange.js';
import { makeTestCard } from '../support/card.js';

/** A card that answers a fixed script; records the TPDUs it was sent. */
function scripted(answers: string[]) {
  const sent: string[] = [];
  const send = async (tpdu: Bytes) => {
    sent.push(toHex(tpdu));
    const a = answers.shift();
    if (a === undefined) throw new Error(`unexpected TPDU ${toHex(tpdu)} after ${sent.join(' ')}`);
    return fromHex(a);
  };
  return { sent, send };
}

async function exchange(apdu: string, answers: string[], strict = false) {
  const s = scripted(answers);
  const resp = await transmitT0(s.send, fromHex(apdu), { strict });
  expect(answers, 'every scripted answer was used').toEqual([]);
  return { sent: s.sent, resp: toHex(resp) };
}

const CASE4 = '00A4040C07A000000087100200';
const CASE4_TPDU = '00A4040C07A0000000871002';
const GET_STATUS = '84F22002094F005C054F9F70C5CC00';
const GET_STATUS_TPDU = '84F22002094F005C054F9F70C5CC';

describe('T=0 APDU to TPDU mapping', () => {
  it('over a link that takes whole APDUs, a case-4 command keeps its Le and 61xx is still collected', async () => {
    const s = scripted(['6102', 'AABB9000']);
    const resp = await exchangeApdu({ transmit: s.send }, fromHex(CASE4));
    expect(s.sent).toEqual([CASE4, '00C0000002']);
    expect(toHex(resp)).toBe('AABB9000');
    // No case-4b GET RESPONSE after a warning: the command already carried its Le.
    const w = scripted(['6282']);
    expect(toHex(await exchangeApdu({ transmit: w.send }, fromHex(CASE4)))).toBe('6282');
    expect(w.sent).toEqual([CASE4]);
  });

  it('passes case 1 and case 3 unchanged', async () => {
    expect(await exchange('00200001', ['9000'])).toEqual({ sent: ['00200001'], resp: '9000' });
    const c3 = '00200001081122334455667788';
    expect(await exchange(c3, ['63C2'])).toEqual({ sent: [c3], resp: '63C2' });
  });

  it('drops Le from a case-4 command', async () => {
    expect(await exchange(CASE4, ['9000'])).toEqual({ sent: [CASE4_TPDU], resp: '9000' });
  });

  it("fetches '61xx' with GET RESPONSE, chained, and '9Fxx' (GSM) likewise", async () => {
    expect(await exchange(CASE4, ['6103', 'A1B2C39000'])).toEqual({
      sent: [CASE4_TPDU, '00C0000003'],
      resp: 'A1B2C39000',
    });
    expect(await exchange(CASE4, ['6102', 'AABB6102', 'CCDD9000'])).toEqual({
      sent: [CASE4_TPDU, '00C0000002', '00C0000002'],
      resp: 'AABBCCDD9000',
    });
    expect(await exchange('A0A40000027F20', ['9F16', `${'00'.repeat(22)}9000`])).toMatchObject({
      sent: ['A0A40000027F20', 'A0C0000016'],
    });
  });

  it('sends GET RESPONSE in the interindustry class on the logical channel of the command (TS 102 221 §10.1.1)', async () => {
    const r = await exchange(GET_STATUS, ['6102', 'AABB9000']);
    expect(r.sent).toEqual([GET_STATUS_TPDU, '00C0000002']);
    const ch5 = await exchange('C1F22002094F005C054F9F70C5CC00', ['6102', 'AABB9000']);
    expect(ch5.sent).toEqual(['C1F22002094F005C054F9F70C5CC', '41C0000002']);
  });

  it("treats '91xx' and errors as final", async () => {
    expect(await exchange(CASE4, ['9100'])).toEqual({ sent: [CASE4_TPDU], resp: '9100' });
    expect(await exchange(CASE4, ['6982'])).toEqual({ sent: [CASE4_TPDU], resp: '6982' });
  });

  it('after a warning to a case-4 command, sends one dummy GET RESPONSE (Le 00) to collect the data', async () => {
    for (const warn of ['6200', '6281', '62F1', '6300', '63F1']) {
      expect(await exchange(CASE4, [warn, '6103', 'A1B2C39000'])).toEqual({
        sent: [CASE4_TPDU, '00C0000000', '00C0000003'],
        resp: 'A1B2C39000',
      });
    }
  });

  it('keeps the warning when the dummy GET RESPONSE brings nothing, and does not loop', async () => {
    expect(await exchange(CASE4, ['6281', '6281'])).toEqual({
      sent: [CASE4_TPDU, '00C0000000'],
      resp: '6281',
    });
    expect(await exchange(CASE4, ['6281', '6985'])).toEqual({
      sent: [CASE4_TPDU, '00C0000000'],
      resp: '6281',
    });
    expect(await exchange(CASE4, ['6281', '9000'])).toEqual({
      sent: [CASE4_TPDU, '00C0000000'],
      resp: '6281',
    });
  });

  it('a warning after the data, or with data, is the final status', async () => {
    expect(await exchange(CASE4, ['6102', 'AABB6281'])).toEqual({
      sent: [CASE4_TPDU, '00C0000002'],
      resp: 'AABB6281',
    });
    expect(await exchange('00B0000004', ['010203046282'])).toEqual({
      sent: ['00B0000004'],
      resp: '010203046282',
    });
    expect(await exchange(GET_STATUS, ['6104', 'E3024F006310'])).toEqual({
      sent: [GET_STATUS_TPDU, '00C0000004'],
      resp: 'E3024F006310',
    });
  });

  it("re-sends a case-2 command with the Le from '6Cxx', also for GET RESPONSE itself", async () => {
    expect(await exchange('00B0000000', ['6C04', '010203049000'])).toEqual({
      sent: ['00B0000000', '00B0000004'],
      resp: '010203049000',
    });
    expect(await exchange(CASE4, ['6281', '6C02', 'AABB9000'])).toEqual({
      sent: [CASE4_TPDU, '00C0000000', '00C0000002'],
      resp: 'AABB9000',
    });
    // A case-3 TPDU cannot carry an Le: the 6Cxx goes to the caller.
    expect(await exchange('00D6000002AABB', ['6C02'])).toEqual({ sent: ['00D6000002AABB'], resp: '6C02' });
  });

  it('strict mode fetches only for the cases that expect data (ISO 7816-3 table 12)', async () => {
    const c3 = '00200001081122334455667788';
    expect(await exchange(c3, ['6104'], true)).toEqual({ sent: [c3], resp: '6104' });
    expect(await exchange(c3, ['6104', 'AABBCCDD9000'], false)).toEqual({
      sent: [c3, '00C0000004'],
      resp: 'AABBCCDD9000',
    });
  });

  it('passes extended-length and malformed APDUs through unchanged', async () => {
    const ext = '00B00000000100';
    expect(await exchange(ext, ['9000'])).toEqual({ sent: [ext], resp: '9000' });
    expect(await exchange('00A4', ['6700'])).toEqual({ sent: ['00A4'], resp: '6700' });
  });

  it('stops after a bounded number of follow-ups when a card keeps saying 61xx', async () => {
    let n = 0;
    const resp = await transmitT0(async () => {
      n++;
      return fromHex('AA6101');
    }, fromHex(CASE4));
    expect(n).toBeGreaterThan(256);
    expect(n).toBeLessThan(1000);
    expect(toHex(resp.subarray(resp.length - 2))).toBe('6101');
  });

  it('gets the whole FCP of the MF from the card', async () => {
    const card = makeTestCard();
    card.powerOn();
    const send = async (t: Bytes) => card.transmit(t);
    const fcp = await transmitT0(send, fromHex('00A40004023F0000'));
    expect(toHex(fcp.subarray(fcp.length - 2))).toBe('9000');
    expect(fcp[0]).toBe(0x62);
    expect(fcp.length).toBe(fcp[1]! + 4);
  });
});
