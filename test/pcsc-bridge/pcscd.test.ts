// The emulated card in the real PC/SC stack: a private pcscd with Debian's vpcd driver, the card connected to
// it, and host tools on the other side (the `smartcard` transport, scriptor, opensc-tool). Skipped with the
// reason when the stack is missing; under CI a missing stack fails instead.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import { transmitT0 } from '../../host/transport/t0-exchange.js';
import { listReaders, openReader, waitForReader } from '../../pcsc-bridge/pcsc-transport.js';
import { type PcscdHarness, startPcscd } from '../../pcsc-bridge/pcscd-harness.js';
import { connectCardToVpcd, type VpcdCardConnection } from '../../pcsc-bridge/vpcd-card.js';
import { makeTestCard } from '../support/card.js';
import { byteRelay, needs, pcscdGate, run, spyCard, toolGate, withAtr } from './support.js';

const gate = await pcscdGate();
const scriptorGate = await toolGate('scriptor', ['-h'], 'pcsc-tools');
const openscGate = await toolGate('opensc-tool', ['--version'], 'opensc');

/** TS=3B, T0=80 (TD1 follows), TD1=01 (T=1 only), TCK=81. */
const T1_ATR = fromHex('3B800181');

/** Commands every UICC answers (MF, EF.ICCID, EF.PL), plus errors; compared, never hard-coded. */
const SEQUENCE = [
  '00A40004023F00', // SELECT MF, FCP, no Le (case 3)
  '00C0000000', // GET RESPONSE
  '00A40004023F0000', // SELECT MF, FCP, Le (case 4)
  '00A4000C022FE2', // SELECT EF.ICCID, no data
  '00B000000A', // READ BINARY 10 bytes
  '00B0000000', // READ BINARY, Le 00
  '00B0000204', // READ BINARY at offset 2
  '00A4000C022F05', // SELECT EF.PL
  '00D6000002656E', // UPDATE BINARY
  '00B0000002', // read it back
  '00A4000C021234', // SELECT a file that does not exist
  '00EE000000', // unknown instruction
];

/** A fresh twin of the card under test: same commands in-process, to compare with. */
function freshTwin(atr?: Bytes): IccCard {
  const twin = atr ? withAtr(makeTestCard(), atr) : makeTestCard();
  twin.powerOn();
  return twin;
}

/** OpenSC's hex dump: "XX XX .. ascii", n bytes take 3n + n characters. */
function parseOpenscOutput(stdout: string): string[] {
  const out: string[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^Received \(SW1=0x([0-9a-f]{2}), SW2=0x([0-9a-f]{2})\)(:?)/i.exec(lines[i]!);
    if (!m) continue;
    let data = '';
    if (m[3] === ':') {
      while (i + 1 < lines.length && lines[i + 1]!.length > 0 && !/^(Sending|Received)/.test(lines[i + 1]!)) {
        const line = lines[++i]!;
        const n = Math.floor(line.length / 4);
        data += line.slice(0, 3 * n).replace(/ /g, '');
      }
    }
    out.push(`${data}${m[1]}${m[2]}`.toUpperCase());
  }
  return out;
}

/** scriptor prints "< XX XX ... : meaning" for every response ("< OK: <ATR>" for a reset). */
function parseScriptorOutput(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('< '))
    .map((l) => l.slice(2).split(' : ')[0]!.replace(/ /g, ''));
}

describe.sequential('the emulated card in a real PC/SC stack (pcscd + vpcd)', () => {
  let harness: PcscdHarness | undefined;
  let conn: VpcdCardConnection | undefined;
  let calls: string[] = [];
  let card: IccCard;

  beforeAll(async () => {
    if (!gate.ok) return;
    harness = await startPcscd();
    const spied = spyCard(makeTestCard());
    calls = spied.calls;
    card = spied.card;
    conn = await connectCardToVpcd({ card, mode: 'client', port: harness.port });
    await waitForReader(harness.readerName, { cardPresent: true });
  });

  afterAll(async () => {
    await conn?.close();
    await harness?.stop();
  });

  it('shows the card as a PC/SC reader with its ATR; slot 1 is an empty reader', async (ctx) => {
    needs(ctx, gate);
    const readers = await listReaders();
    const r0 = readers.find((r) => r.name === harness!.readerNames[0]);
    const r1 = readers.find((r) => r.name === harness!.readerNames[1]);
    expect(r0).toMatchObject({ cardPresent: true, atr: card.atr() });
    expect(r1).toMatchObject({ cardPresent: false });
    // The default ATR offers T=0 and T=1. pcsc-lite fixes the protocol at the first connect of an insertion
    // (T=1 when the application allows both); vpcd passes no PPS to the card, so these tests ask for T=0,
    // the mode the card runs in here (`uicc serve` follows the ATR and the --protocol option).
    const t = await openReader(r0!.index, { protocol: 'T0' });
    try {
      expect(t.atr()).toEqual(card.atr());
      expect(t.protocol).toBe('T0');
      expect(t.name).toBe(harness!.readerName);
    } finally {
      await t.close();
    }
    await expect(t.transmit(fromHex('00A40004023F00'))).rejects.toThrow(/is closed/);
    await expect(openReader('No Such Reader')).rejects.toThrow(
      /no reader named "No Such Reader" \(readers: .*UICC/,
    );
    await expect(openReader(99)).rejects.toThrow(/no reader #99/);
    await expect(openReader(harness!.readerNames[1])).rejects.toThrow(/cannot connect to the card in/);
  });

  it('gives through PC/SC (T=0) the same responses as in-process: raw TPDUs and with the host T=0 rules', async (ctx) => {
    needs(ctx, gate);
    const tpdus: string[] = [];
    const t = await openReader(harness!.readerName, {
      protocol: 'T0',
      onExchange: (e) => tpdus.push(toHex(e.command)),
    });
    try {
      await t.reset();
      let twin = freshTwin();
      for (const c of SEQUENCE) {
        expect(toHex(await t.transmitRaw(fromHex(c))), c).toBe(toHex(twin.transmit(fromHex(c))));
      }
      await t.reset();
      twin = freshTwin();
      tpdus.length = 0;
      for (const c of SEQUENCE) {
        const inProcess = await transmitT0(async (x) => twin.transmit(x), fromHex(c));
        expect(toHex(await t.transmit(fromHex(c))), c).toBe(toHex(inProcess));
      }
      // Case-4 commands went without Le, and response data came with GET RESPONSE.
      expect(tpdus).toContain('00A40004023F00');
      expect(tpdus).not.toContain('00A40004023F0000');
    } finally {
      await t.close();
    }
  });

  it('passes APDUs unchanged to a card whose ATR offers only T=1 (slot 1)', async (ctx) => {
    needs(ctx, gate);
    const t1 = await connectCardToVpcd({
      card: withAtr(makeTestCard(), T1_ATR),
      mode: 'client',
      port: harness!.port + 1,
    });
    try {
      await waitForReader(harness!.readerNames[1], { cardPresent: true });
      const t = await openReader(harness!.readerNames[1]);
      try {
        expect(t.protocol).toBe('T1');
        expect(t.atr()).toEqual(T1_ATR);
        await t.reset();
        const twin = freshTwin(T1_ATR);
        for (const c of SEQUENCE)
          expect(toHex(await t.transmit(fromHex(c))), c).toBe(toHex(twin.transmit(fromHex(c))));
        // An extended-length APDU (Le 00 000A) goes through pcscd and vpcd as it is.
        const ext = '00B00000' + '00000A';
        expect(toHex(await t.transmit(fromHex(ext)))).toBe(toHex(twin.transmit(fromHex(ext))));
      } finally {
        await t.close();
      }
    } finally {
      await t1.close();
      await waitForReader(harness!.readerNames[1], { cardPresent: false });
    }
  });

  it('maps PC/SC warm and cold resets to the card and clears its state', async (ctx) => {
    needs(ctx, gate);
    const t = await openReader(harness!.readerName, { protocol: 'T0' });
    try {
      await t.transmit(fromHex('00A4000C022FE2'));
      calls.length = 0;
      expect(await t.reset('warm')).toEqual(card.atr());
      expect(calls).toEqual(['reset']);
      const afterWarm = await t.transmit(fromHex('00B000000A'));
      calls.length = 0;
      expect(await t.reset('cold')).toEqual(card.atr());
      expect(calls).toEqual(['powerOff', 'powerOn']);
      const twin = freshTwin();
      expect(toHex(afterWarm)).toBe(
        toHex(await transmitT0(async (x) => twin.transmit(x), fromHex('00B000000A'))),
      );
    } finally {
      await t.close();
    }
  });

  it('runs a scriptor (pcsc-tools) script with the same answers as in-process', async (ctx) => {
    needs(ctx, gate, scriptorGate);
    const script = join(tmpdir(), `uicc-scriptor-${process.pid}.txt`);
    writeFileSync(
      script,
      `# pcsc-bridge test\nreset\n${SEQUENCE.map((c) => c.match(/../g)!.join(' ')).join('\n')}\n`,
    );
    const { stdout } = await run('scriptor', ['-r', harness!.readerName, script]);
    const twin = freshTwin();
    const [reset, ...answers] = parseScriptorOutput(stdout);
    expect(reset).toBe(`OK:${toHex(card.atr())}`); // scriptor's "reset" line prints the new ATR
    expect(answers).toEqual(SEQUENCE.map((c) => toHex(twin.transmit(fromHex(c)))));
  });

  it('answers opensc-tool --send-apdu as in-process with the T=0 rules', async (ctx) => {
    needs(ctx, gate, openscGate);
    const index = (await listReaders()).find((r) => r.name === harness!.readerName)!.index;
    const commands = ['00A40004023F0000', '00A4000C022FE2', '00B000000A', '00B0000000', '00A4000C021234'];
    card.reset();
    const args = ['--reader', String(index), '--card-driver', 'default'];
    for (const c of commands) args.push('--send-apdu', c);
    const { stdout } = await run('opensc-tool', args);
    const twin = freshTwin();
    const expected: string[] = [];
    for (const c of commands) {
      const r = await transmitT0(async (x) => twin.transmit(x), fromHex(c));
      // opensc-tool stops at the response length its APDU case allows, as the T=0 rules do.
      expected.push(toHex(r));
    }
    expect(parseOpenscOutput(stdout)).toEqual(expected);
  });

  it('card removal empties the reader and fails open handles; re-insertion brings it back', async (ctx) => {
    needs(ctx, gate);
    // Whatever protocol the previous clients (scriptor, opensc-tool after a cold reset) left fixed.
    const t = await openReader(harness!.readerName);
    await conn!.remove();
    await waitForReader(harness!.readerName, { cardPresent: false });
    await expect(t.transmit(fromHex('00A40004023F00'))).rejects.toThrow(/PC\/SC transmit/);
    await t.close();
    await expect(openReader(harness!.readerName)).rejects.toThrow(/cannot connect/);

    await conn!.insert();
    await waitForReader(harness!.readerName, { cardPresent: true });
    const again = await openReader(harness!.readerName, { protocol: 'T0' });
    try {
      expect(again.atr()).toEqual(card.atr());
      const twin = freshTwin();
      expect(toHex(await again.transmit(fromHex('00A40004023F0000')))).toBe(
        toHex(await transmitT0(async (x) => twin.transmit(x), fromHex('00A40004023F0000'))),
      );
    } finally {
      await again.close();
    }
  });

  it('survives a pcscd restart: the card reconnects by itself', async (ctx) => {
    needs(ctx, gate);
    const before = harness!.pid;
    await harness!.restart();
    expect(harness!.pid).not.toBe(before);
    await waitForReader(harness!.readerName, { cardPresent: true, timeoutMs: 15_000 });
    const t = await openReader(harness!.readerName, { protocol: 'T0' });
    try {
      const r = await t.transmit(fromHex('00A4000C022FE2'));
      const twin = freshTwin();
      expect(toHex(r)).toBe(toHex(twin.transmit(fromHex('00A4000C022FE2'))));
    } finally {
      await t.close();
    }
  });

  it('serves real vpcd traffic split into 1-byte reads (relay), with the card in reversed mode', async (ctx) => {
    needs(ctx, gate);
    const reversed = await connectCardToVpcd({ card: makeTestCard(), mode: 'reversed', port: 0 });
    const relay = await byteRelay(reversed.port, harness!.port + 1);
    try {
      await waitForReader(harness!.readerNames[1], { cardPresent: true });
      const t = await openReader(harness!.readerNames[1]);
      try {
        await t.reset();
        const twin = freshTwin();
        for (const c of SEQUENCE) {
          expect(toHex(await t.transmitRaw(fromHex(c))), c).toBe(toHex(twin.transmit(fromHex(c))));
        }
      } finally {
        await t.close();
      }
      expect(relay.writes).toBeGreaterThan(SEQUENCE.length * 8);
    } finally {
      relay.close();
      await reversed.close();
      await waitForReader(harness!.readerNames[1], { cardPresent: false });
    }
  });
});
