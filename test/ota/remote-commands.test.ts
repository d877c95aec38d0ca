// Remote file management scripts, TS 102 226 §5: compact and expanded formats, run against the fixture.

import { describe, expect, it } from 'vitest';
import { runRemoteCommands } from '../../applets/ota/remote-commands.js';
import { decodeResponsePacket } from '../../applets/ota/response-packet.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { ADM1, FixtureCard } from './fixture-card.js';
import { KEYSETS, makeEnv, sendAll } from './ota-harness.js';

function run(script: string, grants: number[] = [ADM1]): { out: string; apdus: string[]; card: FixtureCard } {
  const card = new FixtureCard();
  card.addEf(0x6f07, fromHex('0011223344556677'));
  const session = card.open('uicc', grants);
  const out = toHex(runRemoteCommands(fromHex(script), (a) => session.execute(a)));
  return { out, apdus: card.sessions[0]!.apdus.map((a) => toHex(a)), card };
}

describe('compact format (§5.1)', () => {
  it('runs every command; response = count, last SW, last data', () => {
    const r = run('00a4000c026f07 00d6000002abcd 00b0000004');
    expect(r.out).toBe('039000ABCD2233');
    // T=0 style: UPDATE's P3 is Lc, READ BINARY's P3 is Le.
    expect(r.apdus).toEqual(['00A4000C026F07', '00D6000002ABCD', '00B0000004']);
  });

  it('a case-4 command is sent without Le; its data is fetched by GET RESPONSE, which counts', () => {
    const r = run('00a40004023f00 00c0000032');
    expect(r.out.slice(0, 6)).toBe('029000');
    expect(r.out.length).toBe(6 + 0x32 * 2);
    expect(r.apdus[0]).toBe('00A40004023F00');
  });

  it('P3 = 00 on an incoming instruction is a case-1 command', () => {
    const r = run('00440000 00');
    expect(r.apdus).toEqual(['00440000']);
    expect(r.out).toBe('016D00');
  });

  it('stops at the first failing command', () => {
    expect(run('00a4000c026f07 00d6000002abcd 00b0000002', []).out).toBe('026982');
    expect(run('00a4000c026f99 00b0000002').out).toBe('016A82');
    const r = run('00a4000c026f07 00b0000002 00d6000001ff');
    expect(r.out).toBe('039000');
  });

  it('a truncated last command answers 6700 and counts', () => {
    expect(run('00a4000c026f07 00d6000004abcd').out).toBe('026700');
    expect(run('00a4000c026f07 00b000').out).toBe('026700');
  });

  it('an empty script gives empty response data', () => {
    expect(run('').out).toBe('');
  });

  it('at most 255 commands run', () => {
    const r = run('00b0000001'.repeat(300).replace(/^/, '00a4000c026f07'));
    expect(r.out.slice(0, 2)).toBe('FF');
    expect(r.apdus).toHaveLength(255);
  });
});

describe('expanded format (§5.2)', () => {
  it('AA: one R-APDU per executed command, count first', () => {
    const r = run('aa 19 2207 00a4000c026f07 2207 00d6000002beef 2205 00b0000002');
    expect(r.out).toBe('AB 11 800103 2302 9000 2302 9000 2304 BEEF9000'.replace(/ /g, ''));
  });

  it('full ISO APDUs: case 4 with Le returns the data directly', () => {
    const r = run('aa 0a 2208 00a40004023f0000');
    expect(r.out.slice(0, 10)).toBe('AB39800101');
    expect(r.out.endsWith('9000')).toBe(true);
  });

  it('stops at the first failing command', () => {
    expect(run('aa 12 2207 00a4000c026f99 2207 00d6000002beef').out).toBe('AB0780010123026A82');
  });

  it('an invalid C-APDU answers 6700 and stops', () => {
    expect(run('aa 08 2203 00a400 2201 00').out).toBe('AB0780010123026700');
  });

  it('AE indefinite length: AF response', () => {
    expect(run('ae 80 2207 00a4000c026f07 2205 00b0000001 0000').out).toBe(
      'AF80800102230290002303009000' + '0000',
    );
  });

  it('bad format: unsupported tag, wrong length, missing end of contents', () => {
    expect(run('aa 0b 2207 00a4000c026f07 8100').out).toBe('AB0A8001012302900090 0101'.replace(/ /g, ''));
    expect(run('aa 09 2208 00a4000c026f07').out).toBe('AB06800100900102');
    expect(run('aa 05 2208 00a4').out).toBe('AB06800100900102');
    expect(run('aa').out).toBe('AB06800100900103');
    expect(run('aa 04 2209 00a4').out).toBe('AB06800100900102');
    expect(run('ae 80 2207 00a4000c026f07').out).toBe('AF80800101230290009001030000');
    expect(run('ae 81').out).toBe('AF808001009001030000');
    expect(run('ae 80 0000 2201 00').out).toBe('AF808001009001020000');
  });
});

it('expanded scripts through the whole OTA path', () => {
  const t = makeEnv();
  const server = new OtaServer();
  const spi = {
    integrity: 'cc',
    ciphered: true,
    counter: 'higher',
    por: 'always',
    porIntegrity: 'cc',
    porCiphered: true,
    porViaSubmit: false,
  } as const;
  const script: Bytes = fromHex('aa10 2207 00a4000c026f07 2205 00b0000003');
  const p = server.prepare({
    iccid: 'x',
    tar: 0xb00011,
    spi,
    kic: 0x35,
    kid: 0x35,
    keysets: KEYSETS,
    script,
  });
  const r = sendAll(t, p.envelopes)[0]!;
  const por = server.readPorFromEnvelopeResponse(p.expect, r.data!);
  expect(por).toMatchObject({ ok: true, status: 0 });
  if (por.ok) expect(toHex(por.data)).toBe('AB0E80010223029000230500112290 00'.replace(/ /g, ''));
  expect(decodeResponsePacket(r.data!.subarray(3), {}).ok).toBe(false);
  expect(t.card.sessions[0]!.context).toBe('usim');
  expect(t.card.sessions[0]!.grants).toEqual([ADM1]);
});
