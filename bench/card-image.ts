// Cost of one durable write to a card image (what `uicc run --card` does after each exchange that wrote):
// the journal append (host/card-store) for a 20 KB and a 2 MB image, and the whole-image save it replaced,
// measured in the same run. The journal's cost should not grow with the image.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../card-os/bytes.js';
import { saveImage } from '../card-os/image.js';
import { openCard } from '../host/card-factory.js';
import { embeddedTransport } from '../host/transport/embedded.js';
import { atMost, type BenchRow } from './harness.js';

const ADM1 = '3132333435363738';
const USIM_AID = 'A0000000871002';

/** A card image of about `bytes` bytes on disk (padding: one extra record the card never reads). */
function makeImage(dir: string, name: string, bytes: number): string {
  const path = join(dir, name);
  openCard({ card: path }).close();
  const size = statSync(path).size;
  if (bytes > size) {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    j.nvm.own.push(['bench/padding', '00'.repeat(Math.floor((bytes - size) / 2))]);
    writeFileSync(path, JSON.stringify(j));
  }
  return path;
}

/** ms per writing exchange (UPDATE BINARY EF.IMSI, then the durable write) over `n` exchanges. */
async function msPerWrite(path: string, n: number, save: 'journal' | 'whole'): Promise<number> {
  const opened = openCard({ card: path });
  const card = opened.card;
  const whole = () => saveImage(path, { profile: { name: 'bench', text: '' }, nvm: card.nvm.snapshot() });
  const t = embeddedTransport(card, { onChange: save === 'journal' ? () => opened.save() : whole });
  const send = (hex: string) => t.transmit(fromHex(hex));
  await send(`00A4040C07${USIM_AID}`);
  await send(`0020000A08${ADM1}`);
  await send('00A4000C026F07');
  const write = (i: number) => send(`00D60000090809101010325476${(i % 90) + 10}`);
  for (let i = 0; i < 5; i++) await write(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) await write(i);
  const ms = (performance.now() - start) / n;
  opened.close();
  return ms;
}

export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'uicc-bench-image-'));
  try {
    const small = makeImage(dir, 'small.img', 0);
    const large = makeImage(dir, 'large.img', 2 * 1024 * 1024);
    const kb = (p: string) => Math.round(statSync(p).size / 1024);
    const js = await msPerWrite(small, 300, 'journal');
    const jl = await msPerWrite(large, 300, 'journal');
    const ws = await msPerWrite(small, 100, 'whole');
    const wl = await msPerWrite(large, 30, 'whole');
    return [
      { name: `durable write, journal, ${kb(small)} KB image (uicc run --card path)`, value: js, unit: 'ms' },
      { name: `durable write, journal, ${kb(large)} KB image`, value: jl, unit: 'ms' },
      atMost('durable write, journal: 2 MB / 20 KB image cost ratio', jl / js, 'x', 1.5),
      { name: `durable write, whole-image save (before), ${kb(small)} KB image`, value: ws, unit: 'ms' },
      { name: `durable write, whole-image save (before), ${kb(large)} KB image`, value: wl, unit: 'ms' },
      { name: 'durable write, whole-image save: 2 MB / 20 KB cost ratio', value: wl / ws, unit: 'x' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
