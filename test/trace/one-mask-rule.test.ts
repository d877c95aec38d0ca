// One masking rule (host/trace/redact.ts) for every output that shows APDUs: trace files, the shell history and
// `uicc serve --log`. Every secret-carrying command the card knows is sent to a real card and recorded; none of
// the three outputs may hold its secret bytes. Also: each distinct masked value gets its own name, so a negative
// test (wrong PIN, then the right one) recorded with masking replays identically with --secrets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { openCard } from '../../host/card-factory.js';
import { historyLine } from '../../host/cli/shell.js';
import { buildNamed } from '../../host/commands.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { exchangeLogLines } from '../../host/trace/exchange-log.js';
import { readTraceFile } from '../../host/trace/jsonl.js';
import { TraceRenderer } from '../../host/trace/render.js';
import { replayTrace, traceRules } from '../../host/trace/replay.js';
import { parseSecrets } from '../../host/trace/secrets.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { recordScript, tmp } from './helpers.js';

const PIN = '31323334FFFFFFFF'; // 1234
const NEW = '34333231FFFFFFFF'; // 4321
const PUK = '3132333435363738'; // 12345678
const ADM = '3132333435363738';
const KEY16 = '404142434445464748494A4B4C4D4E4F';
const KEY16B = '505152535455565758595A5B5C5D5E5F';
const WRAPPED = 'A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8';

/** An OTA command packet that is not ciphered (SPI1 12: CC, counter), carrying `script`, as ENVELOPE SMS-PP. */
function otaEnvelope(script: string): string {
  const p = new OtaServer().prepare({
    iccid: '89882110000000000000',
    tar: 0xb00010,
    spi: decodeSpi(0x12, 0x00)!,
    kic: 0x00,
    kid: 0x22,
    keysets: OTA_TEST_KEYSETS,
    script: fromHex(script),
  });
  return toHex(p.envelopes[0]!);
}

/** Every command the card knows that carries a secret, with the secret bytes it carries. */
const COMMANDS: { name: string; apdu: () => string; secrets: string[] }[] = [
  { name: 'VERIFY PIN', apdu: () => toHex(buildNamed(['verify', 'pin1', '1234'])), secrets: [PIN] },
  { name: 'VERIFY ADM', apdu: () => `0020000A08${ADM}`, secrets: [ADM] },
  { name: 'CHANGE PIN', apdu: () => `0024000110${PIN}${NEW}`, secrets: [PIN, NEW] },
  { name: 'DISABLE PIN', apdu: () => `0026000108${PIN}`, secrets: [PIN] },
  { name: 'ENABLE PIN', apdu: () => `0028000108${PIN}`, secrets: [PIN] },
  { name: 'UNBLOCK PIN', apdu: () => `002C000110${PUK}${NEW}`, secrets: [PUK, NEW] },
  // GP Card Spec §11.8 PUT KEY: KVN, then key type 88 (AES), length, key, KCV length and value.
  { name: 'PUT KEY', apdu: () => `80D8018118018811${'10'}${KEY16}03112233`, secrets: [KEY16] },
  // Security domain profile update (docs/security-domain.md): 83 profile id, C1 K block, C2 OPc block.
  {
    name: 'profile update (80 D4)',
    apdu: () => `80D400002D830101C113${KEY16}AABBCCC213${KEY16B}DDEEFF00`,
    secrets: [KEY16, KEY16B],
  },
  // Key-slot ROTATE (docs/key-slots.md): 82 txid, 86 wrapped keys.
  { name: 'key-slot ROTATE (80 5E)', apdu: () => `805E00001E820201028618${WRAPPED}`, secrets: [WRAPPED] },
  {
    name: 'OTA packet (not ciphered) with VERIFY ADM and PUT KEY',
    apdu: () => otaEnvelope(`0020000A08${ADM}80D8018118018811${'10'}${KEY16}03112233`),
    secrets: [ADM, KEY16],
  },
];

/** Whether `text` holds `secret` as hex, with or without spaces, in either case. */
function holds(text: string, secret: string): boolean {
  const flat = text.replace(/\s+/g, '').toUpperCase();
  return flat.includes(secret.toUpperCase());
}

describe('one masking rule for traces, shell history and serve --log', () => {
  for (const c of COMMANDS) {
    it(`${c.name}: no output holds its secret`, async () => {
      const apdu = c.apdu();
      for (const s of c.secrets) expect(holds(apdu, s), 'the command carries the secret').toBe(true);
      // Trace file (JSONL), written by a real script run against the card.
      const file = join(tmp(), 'run.jsonl');
      await recordScript(apdu, [file]);
      const trace = readFileSync(file, 'utf8');
      expect(trace).toContain('"masked"');
      // Shell history.
      const history = historyLine(apdu.replace(/(..)/g, '$1 '));
      // serve --log, over the card's real answer.
      const card = openCard().card;
      const cmd = fromHex(apdu);
      const log = exchangeLogLines(new TraceRenderer(), cmd, card.transmit(cmd), 0.1).join('\n');
      for (const [what, text] of [
        ['trace', trace],
        ['shell history', history],
        ['serve --log', log],
      ] as const) {
        expect(text).toContain('**');
        for (const s of c.secrets) expect(holds(text, s), `${what} holds ${s}`).toBe(false);
      }
    });
  }
});

/** A recorded trace and the names of its masked command secrets, in order. */
function maskedNames(file: string) {
  const trace = readTraceFile(file);
  const names = trace.events.flatMap((e) => (e.kind === 'exchange' ? e.redactions.map((r) => r.secret) : []));
  return { trace, names };
}

describe('masked secrets named per value (uicc replay --secrets)', () => {
  it('a wrong PIN then the right one is recorded as pin1 and pin1#2, and replays identically', async () => {
    const file = join(tmp(), 'negative.jsonl');
    const script = [
      'verify pin1 9999 => 63C2',
      'verify pin1 1234 => 9000',
      'verify pin1 9999 => 63C2',
      'verify pin1 1234 => 9000',
    ].join('\n');
    expect(await recordScript(script, [file])).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('31323334');
    const { trace, names } = maskedNames(file);
    expect(names).toEqual(['pin1', 'pin1#2', 'pin1', 'pin1#2']);
    const secrets = parseSecrets('pin1: "9999"\npin1#2: "1234"\n', 'secrets.yaml');
    const card = openCard().card;
    const r = await replayTrace(trace, embeddedTransport(card), { rules: traceRules(trace), secrets });
    expect(r.differences).toEqual([]);
    // Every command was sent (nothing "not sent"), and the card ends as recorded: PIN1 verified.
    expect(r.compared).toBe(5);
    expect(toHex(card.transmit(fromHex('00200001')))).toBe('9000');
  });

  it('a new PIN set by CHANGE PIN keeps the name pin1.new when it is verified later', async () => {
    const file = join(tmp(), 'change.jsonl');
    const script = [
      'change-pin pin1 1234 4321 => 9000',
      'verify pin1 1234 => 63C2',
      'verify pin1 4321 => 9000',
    ];
    expect(await recordScript(script.join('\n'), [file])).toBe(0);
    const { trace, names } = maskedNames(file);
    expect(names).toEqual(['pin1', 'pin1.new', 'pin1', 'pin1.new']);
    const secrets = parseSecrets('pin1: "1234"\npin1.new: "4321"\n', 'secrets.yaml');
    const r = await replayTrace(trace, embeddedTransport(openCard().card), {
      rules: traceRules(trace),
      secrets,
    });
    expect(r.differences).toEqual([]);
  });
});
