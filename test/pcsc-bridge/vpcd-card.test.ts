// The card side of vpcd over real TCP sockets on loopback, with a test peer playing vpcd's part. (The same
// code runs against the real pcscd + vpcd in pcscd.test.ts; here every wire detail can be controlled.)

import { afterEach, describe, expect, it } from 'vitest';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import type { BridgeLogger } from '../../pcsc-bridge/logger.js';
import {
  connectCardToVpcd,
  type VpcdCardConnection,
  type VpcdExchange,
} from '../../pcsc-bridge/vpcd-card.js';
import { encodeControl, encodeFrame, VPCD_CTRL } from '../../pcsc-bridge/vpcd-frames.js';
import { makeTestCard } from '../support/card.js';
import { dialCard, spyCard, type VpcdPeerServer, vpcdPeerServer } from './support.js';

function recordingLogger() {
  const lines: string[] = [];
  const logger: BridgeLogger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { lines, logger };
}

/** The in-process answers of a fresh, powered twin card, for comparison. */
function twinAnswers(commands: string[]): string[] {
  const twin = makeTestCard();
  twin.powerOn();
  return commands.map((c) => toHex(twin.transmit(fromHex(c))));
}

const COMMANDS = [
  '00A40004023F00',
  '00C0000000',
  '00A4000C022FE2',
  '00B000000A',
  '00B0000000',
  '00A4000C021234',
];

const open: (VpcdCardConnection | VpcdPeerServer)[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function reversedCard(card: IccCard, extra: Partial<Parameters<typeof connectCardToVpcd>[0]> = {}) {
  const conn = await connectCardToVpcd({ card, mode: 'reversed', port: 0, ...extra });
  open.push(conn);
  return conn;
}

async function clientCard(card: IccCard, extra: Partial<Parameters<typeof connectCardToVpcd>[0]> = {}) {
  const server = await vpcdPeerServer();
  open.push(server);
  const conn = await connectCardToVpcd({ card, mode: 'client', port: server.port, ...extra });
  open.push(conn);
  return { server, conn };
}

describe('vpcd card, reversed mode (the card listens on loopback)', () => {
  it('answers get ATR, maps power on/off/reset to the card, and exchanges APDUs like in-process', async () => {
    const { calls, card } = spyCard(makeTestCard());
    const exchanges: VpcdExchange[] = [];
    const conn = await reversedCard(card, { onExchange: (e) => exchanges.push(e) });
    expect(conn.host).toBe('127.0.0.1');
    expect(conn.port).toBeGreaterThan(0);
    const vpcd = await dialCard(conn.port);
    await conn.waitFor('connected');
    expect(conn.connected).toBe(true);

    expect(await vpcd.getAtr()).toEqual(card.atr());
    vpcd.control(VPCD_CTRL.POWER_ON);
    const answers: string[] = [];
    for (const c of COMMANDS) answers.push(toHex(await vpcd.apdu(fromHex(c))));
    expect(answers).toEqual(twinAnswers(COMMANDS));
    vpcd.control(VPCD_CTRL.RESET);
    vpcd.control(VPCD_CTRL.POWER_OFF);
    expect(await vpcd.getAtr()).toEqual(card.atr()); // the last control frames were processed in order
    expect(calls).toEqual(['powerOn', 'reset', 'powerOff']);

    expect(exchanges.map((e) => toHex(e.command))).toEqual(COMMANDS);
    expect(exchanges.map((e) => toHex(e.response))).toEqual(answers);
    expect(exchanges.every((e) => e.elapsedMs >= 0)).toBe(true);
  });

  it('handles frames merged into one segment and replies in order', async () => {
    const conn = await reversedCard(makeTestCard());
    const vpcd = await dialCard(conn.port);
    vpcd.writeRaw(
      concat(
        encodeControl(VPCD_CTRL.POWER_ON),
        encodeControl(VPCD_CTRL.GET_ATR),
        encodeFrame(fromHex('00A4000C022FE2')),
        encodeFrame(fromHex('00B000000A')),
      ),
    );
    expect(toHex(await vpcd.reply())).toBe(toHex(makeTestCard().atr()));
    expect(toHex(await vpcd.reply())).toBe(twinAnswers(['00A4000C022FE2'])[0]);
    expect(toHex(await vpcd.reply())).toBe(twinAnswers(['00A4000C022FE2', '00B000000A'])[1]);
  });

  it('handles frames split byte by byte across TCP reads', async () => {
    const conn = await reversedCard(makeTestCard());
    const vpcd = await dialCard(conn.port);
    const wire = concat(
      encodeControl(VPCD_CTRL.POWER_ON),
      encodeFrame(fromHex('00A4000C022FE2')),
      encodeFrame(fromHex('00B000000A')),
    );
    for (const b of wire) {
      vpcd.writeRaw(Uint8Array.of(b));
      await new Promise((r) => setImmediate(r));
    }
    const expected = twinAnswers(['00A4000C022FE2', '00B000000A']);
    expect([toHex(await vpcd.reply()), toHex(await vpcd.reply())]).toEqual(expected);
  });

  it('logs a malformed frame as one clear line and keeps serving', async () => {
    const { lines, logger } = recordingLogger();
    const conn = await reversedCard(makeTestCard(), { logger });
    const vpcd = await dialCard(conn.port);
    vpcd.writeRaw(fromHex('0000'));
    vpcd.writeRaw(encodeControl(0x55));
    expect(await vpcd.getAtr()).toEqual(makeTestCard().atr());
    const warnings = lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^warn vpcd 127\.0\.0\.1:\d+: malformed frame: zero-length frame/);
    expect(warnings[1]).toMatch(/malformed frame: unknown control byte 55, ignored$/);
    expect(conn.connected).toBe(true);
  });

  it('drops the connection on an absurd frame length, without crashing, and accepts the next one', async () => {
    const { lines, logger } = recordingLogger();
    const conn = await reversedCard(makeTestCard(), { logger, maxFrameLength: 1024 });
    const vpcd = await dialCard(conn.port);
    vpcd.writeRaw(fromHex('FFFF00A4'));
    await vpcd.closed;
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([
      expect.stringMatching(/malformed frame: frame announces 65535 bytes, more than the 1024-byte limit/),
    ]);
    const again = await dialCard(conn.port);
    expect(await again.getAtr()).toEqual(makeTestCard().atr());
  });

  it('answers 6F00 when the card breaks its never-throw contract, and logs it', async () => {
    const { lines, logger } = recordingLogger();
    const broken: IccCard = {
      ...makeTestCard(),
      transmit: () => {
        throw new Error('boom');
      },
    };
    const conn = await reversedCard(broken, { logger });
    const vpcd = await dialCard(conn.port);
    expect(toHex(await vpcd.apdu(fromHex('00B000000A')))).toBe('6F00');
    expect(lines).toContainEqual(expect.stringMatching(/^error .*card threw on transmit: boom/));
  });

  it('removal closes the connection and refuses vpcd; insertion listens again on the same port', async () => {
    const { calls, card } = spyCard(makeTestCard());
    const conn = await reversedCard(card);
    const port = conn.port;
    const vpcd = await dialCard(port);
    await conn.waitFor('connected');
    await conn.remove();
    await vpcd.closed;
    expect(conn.inserted).toBe(false);
    expect(conn.connected).toBe(false);
    expect(calls).toContain('powerOff'); // leaving the reader cuts the power
    await expect(dialCard(port)).rejects.toThrow(/ECONNREFUSED/);

    await conn.insert();
    expect(conn.port).toBe(port);
    const back = await dialCard(port);
    expect(await back.getAtr()).toEqual(card.atr());
  });

  it('a new vpcd connection replaces the previous one', async () => {
    const conn = await reversedCard(makeTestCard());
    const first = await dialCard(conn.port);
    await first.getAtr();
    const second = await dialCard(conn.port);
    await first.closed;
    expect(await second.getAtr()).toEqual(makeTestCard().atr());
  });
});

describe('vpcd card, client mode (vpcd listens, the card connects)', () => {
  it('connects to vpcd and serves ATR and APDUs', async () => {
    const { server, conn } = await clientCard(makeTestCard());
    const vpcd = await server.accept();
    await conn.waitFor('connected');
    expect(await vpcd.getAtr()).toEqual(makeTestCard().atr());
    vpcd.control(VPCD_CTRL.POWER_ON);
    const answers: string[] = [];
    for (const c of COMMANDS) answers.push(toHex(await vpcd.apdu(fromHex(c))));
    expect(answers).toEqual(twinAnswers(COMMANDS));
  });

  it('reconnects with backoff when vpcd goes away and comes back (pcscd restart)', async () => {
    const { lines, logger } = recordingLogger();
    const { server, conn } = await clientCard(makeTestCard(), { logger, retryDelayMs: { min: 5, max: 40 } });
    await server.accept();
    await conn.waitFor('connected');
    await server.close();
    await conn.waitFor('disconnected');
    // While vpcd is down the card keeps retrying (connection refused), logging the outage once.
    await new Promise((r) => setTimeout(r, 100));
    expect(lines.filter((l) => l.includes('not reachable'))).toHaveLength(1);
    await server.reopen();
    const vpcd = await server.accept();
    await conn.waitFor('connected');
    expect(await vpcd.getAtr()).toEqual(makeTestCard().atr());
  });

  it('waits for vpcd that is not there yet', async () => {
    const server = await vpcdPeerServer();
    open.push(server);
    const port = server.port;
    await server.close();
    const conn = await connectCardToVpcd({
      card: makeTestCard(),
      mode: 'client',
      port,
      retryDelayMs: { min: 5, max: 20 },
    });
    open.push(conn);
    expect(conn.connected).toBe(false);
    await server.reopen();
    const vpcd = await server.accept();
    expect(await vpcd.getAtr()).toEqual(makeTestCard().atr());
  });

  it('removal disconnects and stops reconnecting; insertion connects again', async () => {
    const { server, conn } = await clientCard(makeTestCard(), { retryDelayMs: { min: 5, max: 20 } });
    const first = await server.accept();
    await conn.waitFor('connected');
    await conn.remove();
    await first.closed;
    expect(conn.connected).toBe(false);
    expect(conn.inserted).toBe(false);
    await conn.insert();
    const second = await server.accept();
    expect(await second.getAtr()).toEqual(makeTestCard().atr());
    await conn.close();
    await expect(conn.insert()).rejects.toThrow(/closed/);
  });

  it('reconnects after dropping a corrupt stream', async () => {
    const { server, conn } = await clientCard(makeTestCard(), {
      maxFrameLength: 512,
      retryDelayMs: { min: 5, max: 20 },
    });
    const first = await server.accept();
    first.writeRaw(fromHex('7000'));
    await first.closed;
    const second = await server.accept();
    expect(await second.getAtr()).toEqual(makeTestCard().atr());
    expect(conn.connected).toBe(true);
  });

  it('removal and close end a pending wait for the connection at once, saying why', async () => {
    const server = await vpcdPeerServer();
    open.push(server);
    const port = server.port;
    await server.close();
    const conn = await connectCardToVpcd({ card: makeTestCard(), mode: 'client', port });
    open.push(conn);
    // Default timeout (10 s): only the removal can end these waits within the test's time.
    const waiting = expect(conn.waitFor('connected')).rejects.toThrow(
      /card removed while waiting for a connection/,
    );
    const alsoWaiting = expect(conn.waitFor()).rejects.toThrow(/card removed/);
    await conn.remove();
    await waiting;
    await alsoWaiting;
    await conn.insert();
    const afterInsert = expect(conn.waitFor('connected')).rejects.toThrow(
      /connection closed while waiting for a connection/,
    );
    await conn.close();
    await afterInsert;
    // A wait for the disconnected state is already over.
    await expect(conn.waitFor('disconnected')).resolves.toBeUndefined();
  });

  it('times out waiting for a state that does not come', async () => {
    const server = await vpcdPeerServer();
    open.push(server);
    const port = server.port;
    await server.close();
    const conn = await connectCardToVpcd({ card: makeTestCard(), mode: 'client', port });
    open.push(conn);
    await expect(conn.waitFor('connected', 30)).rejects.toThrow(/not connected within 30 ms \(client mode\)/);
  });
});

describe('vpcd card replies', () => {
  it('never sends an empty reply: a card without an ATR is dropped, not reported as removed by accident', async () => {
    const { lines, logger } = recordingLogger();
    const noAtr: IccCard = { ...makeTestCard(), atr: () => new Uint8Array(0) as Bytes };
    const conn = await reversedCard(noAtr, { logger });
    const vpcd = await dialCard(conn.port);
    vpcd.control(VPCD_CTRL.GET_ATR);
    await vpcd.closed;
    expect(lines).toContainEqual(expect.stringMatching(/card has no usable ATR/));
  });

  it('once dropped for a bad ATR, the frames after it in the same segment never reach the card', async () => {
    const sent: string[] = [];
    const base = makeTestCard();
    const noAtr: IccCard = {
      ...base,
      atr: () => new Uint8Array(0) as Bytes,
      transmit: (c) => {
        sent.push(toHex(c));
        return base.transmit(c);
      },
    };
    const conn = await reversedCard(noAtr);
    const vpcd = await dialCard(conn.port);
    vpcd.writeRaw(
      concat(
        encodeControl(VPCD_CTRL.POWER_ON),
        encodeControl(VPCD_CTRL.GET_ATR),
        encodeFrame(fromHex('00A4000C022FE2')),
        encodeFrame(fromHex('00B000000A')),
      ),
    );
    await vpcd.closed;
    expect(sent).toEqual([]);
  });
});
