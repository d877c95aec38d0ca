// The server side: a card behind vpcd records what pcscd sends it, either through vpcd's onExchange
// (recorder.record) or by wrapping the card (tracingCard). A test peer plays vpcd over loopback TCP.

import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import { openCard } from '../../host/card-factory.js';
import { MemorySink, TraceRecorder, tracingCard } from '../../host/trace/recorder.js';
import {
  connectCardToVpcd,
  type VpcdCardConnection,
  type VpcdExchange,
} from '../../pcsc-bridge/vpcd-card.js';
import { VPCD_CTRL } from '../../pcsc-bridge/vpcd-frames.js';
import { dialCard } from '../pcsc-bridge/support.js';

const open: VpcdCardConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

const COMMANDS = ['00A4040C07A0000000871002', '002000010831323334FFFFFFFF', '00A4000C026F07', '00B0000009'];

async function session(card: IccCard, onExchange?: (e: VpcdExchange) => void) {
  const conn = await connectCardToVpcd({ card, mode: 'reversed', port: 0, onExchange });
  open.push(conn);
  const peer = await dialCard(conn.port);
  peer.control(VPCD_CTRL.POWER_ON);
  const answers: string[] = [];
  for (const c of COMMANDS) answers.push(toHex(await peer.apdu(fromHex(c))));
  peer.close();
  return answers;
}

describe('tracing the card side of vpcd', () => {
  it('records what vpcd reports with recorder.record, PIN masked', async () => {
    const sink = new MemorySink();
    const rec = new TraceRecorder({ sinks: [sink], transport: 'vpcd' });
    const answers = await session(openCard().card, (e) => rec.record(e));
    rec.close();
    const ex = sink.events.filter((e) => e.kind === 'exchange');
    expect(ex.map((e) => e.kind === 'exchange' && e.name)).toEqual([
      'SELECT',
      'VERIFY PIN',
      'SELECT',
      'READ BINARY',
    ]);
    expect(ex.map((e) => e.kind === 'exchange' && toHex(e.response))).toEqual(answers);
    expect(answers[3]).toBe('0809101010325476989000');
    expect(ex[1]!.kind === 'exchange' && toHex(ex[1]!.command)).toBe(`0020000108${'2A'.repeat(8)}`);
  });

  it('records power-on as a reset when the card itself is wrapped', async () => {
    const sink = new MemorySink();
    const rec = new TraceRecorder({ sinks: [sink], transport: 'vpcd' });
    await session(tracingCard(openCard().card, rec));
    rec.close();
    expect(sink.events.map((e) => e.kind)).toEqual(['reset', 'exchange', 'exchange', 'exchange', 'exchange']);
  });
});
