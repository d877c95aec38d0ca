// The handset side of an OTA delivery (host/ota/deliver.ts) against the real card OS: the TERMINAL RESPONSE
// to the SEND SHORT MESSAGE that carries a PoR (published vector, short and long-form lengths), and a
// concatenated message whose ENVELOPE is turned down before the last one.
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import type { Transport } from '../../host/transport/transport.js';
import { newCard, PIN1 } from '../support/uicc.js';

/** The embedded card's transport, with every exchange written down; `answer` may stand in for the card. */
function watched(answer?: (command: Bytes) => Bytes | undefined) {
  const card = newCard({ protocol: 0 });
  const inner = embeddedTransport(card);
  const exchanges: { command: string; response: string }[] = [];
  const transport: Transport = {
    name: 'watched',
    reset: () => inner.reset(),
    atr: () => inner.atr(),
    close: () => inner.close(),
    async transmit(command) {
      const response = answer?.(command) ?? (await inner.transmit(command));
      exchanges.push({ command: toHex(command), response: toHex(response) });
      return response;
    },
  };
  return { card, transport, exchanges };
}

const request = (script: string, spi2: number) => ({
  iccid: '89882110000000000000',
  tar: 0xb00011,
  spi: decodeSpi(0x16, spi2)!,
  kic: 0x22,
  kid: 0x22,
  keysets: OTA_TEST_KEYSETS,
  script: fromHex(script),
});

const byIns = <T extends { command: string }>(exchanges: T[], ins: string) =>
  exchanges.filter((e) => e.command.slice(2, 4) === ins);

describe('PoR by SMS-SUBMIT: FETCH and TERMINAL RESPONSE (TS 102 223 §6.8)', () => {
  it('answers SEND SHORT MESSAGE with the published TERMINAL RESPONSE (onomondo-uicc SMS-PP PoR test)', async () => {
    const { transport, exchanges } = watched();
    const d = await deliverOta(transport, new OtaServer(), request('00A40004026F07', 0x39));
    expect(d.por).toMatchObject({ ok: true, status: 0 });
    expect(toHex(d.proactive[0]!.subarray(0, 1))).toBe('D0');
    expect(d.proactive[0]![1]! < 0x80).toBe(true); // short-form length
    expect(byIns(exchanges, '14').map((e) => e.command)).toEqual(['801400000C810301130082028281830100']);
    expect(d.failure).toBeUndefined();
  });

  it('copies the command details of a proactive command with a long-form length (D0 81 LL)', async () => {
    const { transport, exchanges } = watched();
    // 110 bytes of EF.5GAUTHKEYS come back in the PoR: the SEND SHORT MESSAGE is longer than 127 bytes.
    const script = `0020000108${PIN1}00A40004025FC000A40004024F0500B000006E`;
    const d = await deliverOta(transport, new OtaServer(), request(script, 0x39));
    expect(d.por).toMatchObject({ ok: true, status: 0 });
    if (d.por?.ok) expect(d.por.data.length).toBe(3 + 110);
    const sendSm = d.proactive[0]!;
    expect(toHex(sendSm.subarray(0, 2))).toBe('D081');
    // Command details 81 03 <number> 13 <qualifier>, as the card put them in the command.
    const details = toHex(sendSm.subarray(3, 8));
    expect(details).toMatch(/^81030113..$/);
    const responses = byIns(exchanges, '14');
    expect(responses.map((e) => e.command)).toEqual([`801400000C${details}82028281830100`]);
    expect(responses.every((e) => e.response === '9000')).toBe(true);
  });

  it('sends no TERMINAL RESPONSE for a proactive command it cannot read, and says so', async () => {
    // The card's FETCH answer stands in for a malformed command: a D0 template without command details.
    const bad = fromHex('D0048202818390 00'.replace(/ /g, ''));
    const { transport, exchanges } = watched((c) => (c[1] === 0x12 ? bad : undefined));
    const d = await deliverOta(transport, new OtaServer(), request('00A40004026F07', 0x39));
    expect(d.failure).toEqual({ kind: 'proactive', command: bad.subarray(0, bad.length - 2) });
    expect(byIns(exchanges, '14')).toEqual([]);
  });
});

describe('concatenated messages (several ENVELOPEs)', () => {
  // Long enough for three SMS: UPDATE BINARY of 110 bytes and a READ of them, twice.
  const body = `00D600006E${'A5'.repeat(110)}`;
  const script = `0020000108${PIN1}00A40004025FC000A40004024F05${body}${body}00B0000010`;

  it('goes through when every ENVELOPE is taken', async () => {
    const { transport, exchanges } = watched();
    const d = await deliverOta(transport, new OtaServer(), request(script, 0x19));
    expect(byIns(exchanges, 'C2').length).toBeGreaterThan(1);
    expect(d.por).toMatchObject({ ok: true, status: 0 });
    expect(d.failure).toBeUndefined();
  });

  for (const sw of ['9300', '6F00'])
    it(`stops at an ENVELOPE before the last answered ${sw}, and reports it`, async () => {
      let envelopes = 0;
      const { transport, exchanges } = watched((c) =>
        c[1] === 0xc2 && ++envelopes === 2 ? fromHex(sw) : undefined,
      );
      const d = await deliverOta(transport, new OtaServer(), request(script, 0x19));
      const count = d.failure?.kind === 'envelope' ? d.failure.count : 0;
      expect(count).toBeGreaterThan(2);
      expect(d.failure).toEqual({ kind: 'envelope', index: 1, count, sw: Number.parseInt(sw, 16) });
      expect(d.sw).toBe(Number.parseInt(sw, 16));
      expect(d.por).toBeUndefined();
      // Nothing after the refused segment was sent.
      expect(byIns(exchanges, 'C2')).toHaveLength(2);
      expect(exchanges.at(-1)!.response).toBe(sw);
    });
});
