import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { openCard } from '../../host/card-factory.js';
import { buildNamed } from '../../host/commands.js';
import { createAuc } from '../../host/network/auc.js';
import { compileRule, type IgnoreRule } from '../../host/trace/ignore.js';
import { jsonlFileSink, readTraceFile } from '../../host/trace/jsonl.js';
import type { Trace } from '../../host/trace/model.js';
import { MemorySink, TraceRecorder, tracingTransport } from '../../host/trace/recorder.js';
import { diffTraces, replayTrace, traceRules } from '../../host/trace/replay.js';
import { parseSecrets } from '../../host/trace/secrets.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import {
  DEFAULT_IMSI,
  defaultSubscriber,
  profileWithImsi,
  READ_IMSI_SCRIPT,
  recordScript,
  tmp,
  usimCard,
} from './helpers.js';

const SECRETS = parseSecrets('pin1: "1234"\n', 'secrets.yaml');

async function recordedImsiTrace(): Promise<{ dir: string; file: string; trace: Trace }> {
  const dir = tmp();
  const file = join(dir, 'read-imsi.jsonl');
  expect(await recordScript(READ_IMSI_SCRIPT, [file])).toBe(0);
  return { dir, file, trace: readTraceFile(file) };
}

const replayOn = (trace: Trace, card: CardOs, rules = traceRules(trace), secrets = SECRETS) =>
  replayTrace(trace, embeddedTransport(card), { rules, secrets });

describe('replay of a recorded script run', () => {
  it('shows no difference against the same profile', async () => {
    const { trace } = await recordedImsiTrace();
    const r = await replayOn(trace, openCard().card);
    expect(r.differences).toEqual([]);
    // The ATR and the six exchanges.
    expect(r.compared).toBe(7);
    expect(r.ignored).toBe(0);
  });

  it('shows exactly the IMSI difference against a profile with another IMSI, with the meaning of both', async () => {
    const { dir, trace } = await recordedImsiTrace();
    const other = openCard({ profile: profileWithImsi(dir, '001010123456780') }).card;
    const r = await replayOn(trace, other);
    expect(r.differences).toHaveLength(1);
    const d = r.differences[0]!;
    expect(d.kind).toBe('response');
    expect(d.i).toBe(6);
    expect(d.name).toBe('READ BINARY');
    expect(d.what).toEqual(['response data bytes 8 (of 9) differ']);
    expect(d.expected?.hex).toBe('00B0000009 -> 0809101010325476989000');
    expect(d.actual?.hex).toBe('00B0000009 -> 0809101010325476089000');
    expect(d.expected?.details.join(' ')).toContain(DEFAULT_IMSI);
    expect(d.actual?.details.join(' ')).toContain('001010123456780');
  });

  it('says which masked PIN it could not send without --secrets, and what followed', async () => {
    const { trace } = await recordedImsiTrace();
    const r = await replayOn(trace, openCard().card, traceRules(trace), new Map());
    const notSent = r.differences.filter((d) => d.kind === 'not-sent');
    expect(notSent).toHaveLength(1);
    expect(notSent[0]!.name).toBe('VERIFY PIN');
    expect(notSent[0]!.what[0]).toMatch(/masked when recorded; give pin1 with --secrets FILE/);
    // Without PIN1 the IMSI is not readable: the card says so.
    const after = r.differences.filter((d) => d.kind === 'response');
    expect(after.map((d) => d.what)).toEqual([['response data length 9 -> 0', 'SW 9000 -> 6982']]);
  });

  it('rejects a secret of the wrong length', async () => {
    const { trace } = await recordedImsiTrace();
    const r = await replayOn(trace, openCard().card, traceRules(trace), parseSecrets('pin1: "ABCD"\n', 's'));
    expect(r.differences[0]!.what[0]).toMatch(/pin1 is 8 bytes in the trace, the secrets file gives 2/);
  });

  it('ignores the IMSI bytes by a rule from a side file or declared in the trace', async () => {
    const { dir, trace } = await recordedImsiTrace();
    const other = () => openCard({ profile: profileWithImsi(dir, '001010123456780') }).card;
    const rule: IgnoreRule = {
      name: 'IMSI varies',
      match: '00 B0 00 00 09',
      response: '.. .. .. .. .. .. .. .. xx',
    };
    const side = await replayOn(trace, other(), traceRules(trace, [compileRule(rule, 'side')]));
    expect(side.differences).toEqual([]);
    expect(side.ignored).toBe(1);
    const inTrace = await replayOn({ ...trace, ignore: [rule] }, other());
    expect(inTrace.differences).toEqual([]);
    // A rule that masks other bytes does not hide this difference.
    const narrow = await replayOn(trace, other(), [compileRule({ ...rule, response: '..xx' }, 'side')]);
    expect(narrow.differences).toHaveLength(1);
  });

  it('resends a changed PIN from the new value once CHANGE PIN succeeded', async () => {
    const dir = tmp();
    const file = join(dir, 'change.jsonl');
    const script = [
      'verify pin1 1234 => 9000',
      'change-pin pin1 1234 4321 => 9000',
      'verify pin1 4321 => 9000',
    ].join('\n');
    expect(await recordScript(script, [file])).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('31323334');
    expect(text).not.toContain('34333231');
    const secrets = parseSecrets('pin1: "1234"\npin1.new: "4321"\n', 's');
    const r = await replayOn(readTraceFile(file), openCard().card, [], secrets);
    expect(r.differences).toEqual([]);
  });
});

// ---- AUTHENTICATE with a fresh RAND each run ----

/** The network side of the default profile's subscriber; RANDs 1111..., 2222..., ... (every byte differs). */
function auc() {
  const s = defaultSubscriber();
  let n = 0;
  const random = (len: number) => new Uint8Array(len).fill(++n * 0x11);
  return createAuc(
    [
      {
        imsi: DEFAULT_IMSI,
        k: s.k,
        opc: s.opc,
        op: s.op,
        amf: s.amf ?? fromHex('8000'),
        gsm: true,
        indBits: 5,
        seq: 0,
      },
    ],
    { random },
  );
}

/** SELECT ADF.USIM, VERIFY PIN1, AUTHENTICATE (3G) and its GET RESPONSE, recorded. */
async function authRun(
  card: CardOs,
  rand: Bytes,
  autn: Bytes,
  file?: string,
  rules: IgnoreRule[] = [],
): Promise<Trace> {
  const sink = new MemorySink();
  const rec = new TraceRecorder({
    sinks: file ? [sink, jsonlFileSink(file)] : [sink],
    transport: 'embedded',
    atr: card.atr(),
  });
  for (const r of rules) rec.ignore(r);
  const t = tracingTransport(embeddedTransport(card), rec);
  await t.transmit(fromHex('00A4040C07A0000000871002'));
  await t.transmit(buildNamed(['verify', 'pin1', '1234']));
  const a = await t.transmit(buildNamed(['authenticate', toHex(rand), toHex(autn)]));
  expect(a[0]).toBe(0x61);
  const g = await t.transmit(Uint8Array.of(0, 0xc0, 0, 0, a[1]!));
  expect(g[0]).toBe(0xdb);
  await t.close();
  return file ? readTraceFile(file) : sink.trace();
}

const FRESH_RAND: IgnoreRule = {
  name: 'fresh RAND',
  match: '00 88 00 81 *',
  command: '.. .. .. .. .. .. *',
  response: 'xx*',
};

describe('AUTHENTICATE with a fresh RAND', () => {
  it('keeps CK and IK out of the trace file', async () => {
    const v = auc().generateVector(DEFAULT_IMSI);
    const file = join(tmp(), 'auth.jsonl');
    await authRun(usimCard(), v.rand, v.autn, file);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(toHex(v.xres));
    expect(text).not.toContain(toHex(v.ck));
    expect(text).not.toContain(toHex(v.ik));
    expect(text).not.toContain(toHex(v.kc!));
  });

  it('two runs differ in command and answer; the fresh-RAND rule declared in the trace hides exactly that', async () => {
    const a = auc();
    const v1 = a.generateVector(DEFAULT_IMSI);
    const v2 = a.generateVector(DEFAULT_IMSI);
    const dir = tmp();
    const t1 = await authRun(usimCard(), v1.rand, v1.autn, join(dir, '1.jsonl'), [FRESH_RAND]);
    const t2 = await authRun(usimCard(), v2.rand, v2.autn, join(dir, '2.jsonl'));
    const bare = diffTraces(t1, t2, []);
    expect(bare.differences.map((d) => [d.i, d.what[0]])).toEqual([
      // RAND (6-21) and AUTN (23-38: SQN xor AK, MAC; the AMF 29-30 stays).
      [3, expect.stringMatching(/^command bytes 6-21, 23-.* differ$/)],
      [4, expect.stringMatching(/^response data bytes .* differ$/)],
    ]);
    expect(bare.differences[1]!.what.join(' ')).toMatch(/CK differs \(masked; digests/);
    const ruled = diffTraces(t1, t2, traceRules(t1));
    expect(ruled.differences).toEqual([]);
    expect(ruled.ignored).toBe(2);
  });

  it('replays against a fresh card without difference (masked keys compared by digest)', async () => {
    const v = auc().generateVector(DEFAULT_IMSI);
    const trace = await authRun(usimCard(), v.rand, v.autn, join(tmp(), 'a.jsonl'));
    const r = await replayOn(trace, usimCard(), []);
    expect(r.differences).toEqual([]);
  });

  it('replayed on a card that has seen the SQN, differs (sync failure) unless the rule ignores the answer', async () => {
    const v = auc().generateVector(DEFAULT_IMSI);
    const card = usimCard();
    const trace = await authRun(card, v.rand, v.autn);
    const bare = await replayOn(trace, card, []);
    expect(bare.differences.map((d) => d.i)).toEqual([3, 4]);
    expect(bare.differences[0]!.actual?.status).toMatch(/^6110/);
    // The recorded GET RESPONSE asks for the 3G answer's length; a sync failure answer is shorter.
    expect(bare.differences[1]!.actual?.status).toMatch(/^6C10 Wrong Le/);
    const rule = compileRule({ ...FRESH_RAND, sw: 'xxxx' }, 'side');
    const ruled = await replayOn(trace, card, [rule]);
    expect(ruled.differences).toEqual([]);
    expect(ruled.ignored).toBe(2);
  });
});

describe('diff of two traces', () => {
  it('reports exchanges present in one trace only', async () => {
    const dir = tmp();
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await recordScript(READ_IMSI_SCRIPT, [a]);
    await recordScript(READ_IMSI_SCRIPT.split('\n').slice(0, 3).join('\n'), [b]);
    const r = diffTraces(readTraceFile(a), readTraceFile(b), []);
    expect(r.differences.map((d) => [d.i, d.kind])).toEqual([
      [4, 'missing'],
      [5, 'missing'],
      [6, 'missing'],
    ]);
    expect(diffTraces(readTraceFile(a), readTraceFile(a), []).differences).toEqual([]);
  });
});

describe('secrets file', () => {
  it('reads PINs (digits, also with leading zeros) and hex values, and refuses the rest', () => {
    const s = parseSecrets('pin1: 0000\nadm1: 3132333435363738\nkey85: "0a 0b"\n', 's.yaml');
    expect(toHex(s.get('pin1')!)).toBe('30303030FFFFFFFF');
    expect(toHex(s.get('adm1')!)).toBe('3132333435363738');
    expect(toHex(s.get('key85')!)).toBe('0A0B');
    expect(() => parseSecrets('pin1: 12x\n', 's.yaml')).toThrow(
      /s\.yaml: pin1: not a PIN \(4-8 digits\) nor hex bytes/,
    );
    expect(() => parseSecrets('- 1234\n', 's.yaml')).toThrow(/expected "name: value" lines/);
  });
});
