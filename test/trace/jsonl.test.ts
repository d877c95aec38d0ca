import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../card-os/bytes.js';
import { openCard } from '../../host/card-factory.js';
import { jsonlFileSink, parseTraceText, readTraceFile } from '../../host/trace/jsonl.js';
import { MemorySink, TraceRecorder, tracingCard } from '../../host/trace/recorder.js';
import { READ_IMSI_SCRIPT, recordScript, tmp } from './helpers.js';

describe('JSONL transcript', () => {
  it('reads back what the recorder rendered: header, events, masks, rules', () => {
    const file = join(tmp(), 't.jsonl');
    const card = openCard().card;
    const mem = new MemorySink();
    const rec = new TraceRecorder({
      sinks: [mem, jsonlFileSink(file)],
      transport: 'embedded',
      atr: card.atr(),
      tool: 'test',
      profile: 'default',
    });
    rec.ignore({ name: 'counter', match: '00 B0 *', response: 'xx*' });
    const c = tracingCard(card, rec);
    rec.note('step one');
    c.transmit(fromHex('00A4040C07A0000000871002'));
    c.transmit(fromHex('002000010831323334FFFFFFFF'));
    c.reset();
    c.transmit(fromHex('00A40004023F00'));
    c.transmit(fromHex('00C0000005'));
    rec.close();
    const back = readTraceFile(file);
    const mine = mem.trace();
    expect(back.header).toEqual(mine.header);
    expect(back.ignore).toEqual(mine.ignore);
    expect(back.events.map((e) => [e.kind, e.i])).toEqual([
      ['note', 1],
      ['exchange', 2],
      ['exchange', 3],
      ['reset', 4],
      ['exchange', 5],
      ['exchange', 6],
    ]);
    for (const [k, e] of back.events.entries()) {
      const m = mine.events[k]!;
      if (e.kind !== 'exchange' || m.kind !== 'exchange') continue;
      expect(e.command).toEqual(m.command);
      expect(e.response).toEqual(m.response);
      expect(e.redactions).toEqual(m.redactions);
      expect([e.name, e.status, e.details, e.sw, e.channel, e.origin, e.offset]).toEqual([
        m.name,
        m.status,
        m.details,
        m.sw,
        m.channel,
        m.origin,
        m.offset,
      ]);
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const verify = JSON.parse(lines.find((l) => l.includes('"VERIFY PIN"'))!);
    expect(verify.command).toBe(`0020000108${'**'.repeat(8)}`);
    expect(verify.masked).toEqual([{ in: 'command', at: 5, len: 8, what: 'PIN block', secret: 'pin1' }]);
    const gr = JSON.parse(lines.at(-1)!);
    expect([gr.origin, gr.offset]).toEqual([5, 0]);
  });

  it('writes events in batches as they come, before the recorder closes', async () => {
    const file = join(tmp(), 'b.jsonl');
    const card = openCard().card;
    const rec = new TraceRecorder({ sinks: [jsonlFileSink(file)], transport: 'embedded', batch: 2 });
    const c = tracingCard(card, rec);
    c.transmit(fromHex('00A40004023F00'));
    c.transmit(fromHex('00C0000005'));
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    rec.close();
  });

  it('names the file and line of a malformed trace', () => {
    const head =
      '{"type":"trace","format":"uicc-trace/1","started":"2025-01-01T00:00:00Z","transport":"embedded"}';
    expect(() => parseTraceText(`${head}\nnot json`, 'x.jsonl')).toThrow(/^x\.jsonl:2: not JSON/);
    expect(() =>
      parseTraceText(`${head}\n{"type":"exchange","i":1,"t":0,"command":"00A4","response":"9"}`, 'x.jsonl'),
    ).toThrow(/^x\.jsonl:2: response: hex bytes/);
    expect(() => parseTraceText('{"type":"note","i":1,"t":0,"text":"a"}', 'y.jsonl')).toThrow(
      /y\.jsonl:1: a trace starts with its header line/,
    );
    expect(() => parseTraceText(head.replace('uicc-trace/1', 'other/2'), 'z.jsonl')).toThrow(
      /format "other\/2"/,
    );
    expect(() => parseTraceText(`${head}\n{"type":"ignore","match":"zz"}`, 'w.jsonl')).toThrow(
      /w\.jsonl:2: .*ignores nothing|match must be/,
    );
    expect(() => parseTraceText('', 'e.jsonl')).toThrow(/e\.jsonl: empty trace/);
  });

  it('refuses a pcap with a pointer to the JSONL form', async () => {
    const dir = tmp();
    const pcap = join(dir, 'a.pcap');
    await recordScript(READ_IMSI_SCRIPT, [pcap]);
    expect(() => readTraceFile(pcap)).toThrow(/a pcap file; replay and show read the JSONL trace/);
    expect(() => readTraceFile(join(dir, 'missing.jsonl'))).toThrow(/cannot read trace \(ENOENT\)/);
  });
});
