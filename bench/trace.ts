// What tracing costs: SELECT + READ BINARY on EF.IMSI against the embedded card, in-process, with tracing
// off and on (issue: recording costs under 30%). Recording keeps raw bytes and times; rendering (masking,
// decoding) and writing happen later, in batches, so they are measured apart: with a JSONL or pcap file
// the figure includes them, amortised.

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../card-os/bytes.js';
import type { CardOs } from '../card-os/card.js';
import type { IccCard } from '../card-os/icc.js';
import { openCard } from '../host/card-factory.js';
import { openRecorder } from '../host/trace/open.js';
import { TraceRecorder, tracingCard, tracingTransport } from '../host/trace/recorder.js';
import { embeddedTransport } from '../host/transport/embedded.js';
import type { Transport } from '../host/transport/transport.js';
import { atMost, type BenchRow, opsPerSecond } from './harness.js';

const SELECT = fromHex('00A4000C026F07');
const READ = fromHex('00B0000009');

function readyCard(): IccCard {
  const card = openCard().card;
  card.protocol = 1;
  card.transmit(fromHex('00A4040C07A0000000871002'));
  card.transmit(fromHex('002000010831323334FFFFFFFF'));
  card.transmit(SELECT);
  const check = card.transmit(READ);
  if (check[check.length - 2] !== 0x90)
    throw new Error('bench set-up failed: READ BINARY did not answer 9000');
  return card;
}

const rate = (card: IccCard) =>
  opsPerSecond(
    () => {
      card.transmit(SELECT);
      card.transmit(READ);
    },
    1500,
    2,
  );

/** The rate through the embedded Transport, the path `uicc run/auth/ota --trace` records on. */
async function transportRate(t: Transport): Promise<number> {
  const batch = async () => {
    for (let i = 0; i < 1000; i++) {
      await t.transmit(SELECT);
      await t.transmit(READ);
    }
  };
  for (let i = 0; i < 50; i++) await batch();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 700) {
    await batch();
    n += 2000;
  }
  return (n * 1000) / (performance.now() - start);
}

/** Tracing off and on, three times each in turn; the best of each, so a GC or another process's burst does not decide. */
async function transportPair(): Promise<{ off: number; on: number }> {
  let off = 0;
  let on = 0;
  for (let k = 0; k < 3; k++) {
    off = Math.max(off, await transportRate(embeddedTransport(readyCard() as CardOs)));
    const rec = new TraceRecorder({ sinks: [], transport: 'embedded' });
    on = Math.max(on, await transportRate(tracingTransport(embeddedTransport(readyCard() as CardOs), rec)));
    rec.close();
  }
  return { off, on };
}

export async function bench(): Promise<BenchRow[]> {
  const { off: tOff, on: tOn } = await transportPair();
  const off = rate(readyCard());
  // Recording only: the recorder keeps raw events (no file, so nothing is rendered).
  const onRec = new TraceRecorder({ sinks: [], transport: 'embedded' });
  const on = rate(tracingCard(readyCard(), onRec));
  onRec.close();
  const cost = (x: number) => (off / x - 1) * 100;
  const rows: BenchRow[] = [
    {
      name: 'trace: SELECT + READ BINARY EF.IMSI via the embedded transport, tracing off',
      value: tOff,
      unit: 'APDU/s',
    },
    { name: 'trace: same, recording (raw bytes + times)', value: tOn, unit: 'APDU/s' },
    atMost('trace: recording cost on the transport path (uicc ... --trace)', (tOff / tOn - 1) * 100, '%', 30),
    {
      name: 'trace: SELECT + READ BINARY EF.IMSI on the bare card (sync), tracing off',
      value: off,
      unit: 'APDU/s',
    },
    { name: 'trace: same, recording (tracingCard)', value: on, unit: 'APDU/s' },
    { name: 'trace: recording cost on the bare card', value: cost(on), unit: '%' },
  ];
  for (const ext of ['jsonl', 'pcap']) {
    const file = join(tmpdir(), `uicc-bench-trace-${process.pid}.${ext}`);
    const rec = openRecorder([file], { transport: 'embedded' });
    const withFile = rate(tracingCard(readyCard(), rec));
    rec.close();
    rmSync(file, { force: true });
    rows.push({
      name: `trace: recording + masking + decoding + writing ${ext} (amortised)`,
      value: withFile,
      unit: 'APDU/s',
    });
    rows.push({ name: `trace: cost with ${ext} writing`, value: cost(withFile), unit: '%' });
  }
  return rows;
}
