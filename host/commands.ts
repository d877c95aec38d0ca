// Named commands for scripts and the shell: readable words that build APDUs, e.g. `select 6F07`,
// `read-binary 9`, `verify pin1 1234`. Each entry says its usage so errors can be specific.

import { buildCommand } from '../card-os/apdu.js';
import { type Bytes, concat, fromHex } from '../card-os/bytes.js';
import { closeMatches } from './script/suggest.js';

export interface NamedCommand {
  usage: string;
  help: string;
  build(args: string[]): Bytes;
}

const hex = (s: string | undefined, what: string): Bytes => {
  if (s === undefined) throw new Error(`missing ${what}`);
  try {
    return fromHex(s);
  } catch {
    throw new Error(`${what} must be hex, got "${s}"`);
  }
};

const int = (s: string | undefined, what: string, dflt?: number): number => {
  if (s === undefined) {
    if (dflt !== undefined) return dflt;
    throw new Error(`missing ${what}`);
  }
  const n = /^0x/i.test(s) ? Number.parseInt(s.slice(2), 16) : Number.parseInt(s, 10);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a number, got "${s}"`);
  return n;
};

const KEY_REFS: Record<string, number> = {
  pin1: 0x01,
  pin2: 0x81,
  upin: 0x11,
  adm1: 0x0a,
  adm2: 0x0b,
  adm3: 0x0c,
  adm4: 0x0d,
  adm5: 0x0e,
};

function keyRef(s: string | undefined): number {
  if (s === undefined) throw new Error('missing key reference (pin1, pin2, adm1... or a number)');
  const k = KEY_REFS[s.toLowerCase()];
  return k ?? int(s, 'key reference');
}

/** PIN block: ASCII digits padded with FF to 8 bytes; or 16 hex digits given as is (ADM keys). */
export function pinBlock(s: string | undefined): Bytes {
  if (s === undefined) throw new Error('missing PIN');
  if (/^[0-9]{4,8}$/.test(s)) {
    const b = new Uint8Array(8).fill(0xff);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }
  if (/^[0-9a-fA-F]{16}$/.test(s)) return fromHex(s);
  throw new Error(`PIN must be 4-8 digits or 16 hex digits, got "${s}"`);
}

function path(s: string | undefined): Bytes {
  const b = hex(s?.replace(/\//g, ''), 'file id or path');
  if (b.length === 0 || b.length % 2)
    throw new Error(`file id must be 2 bytes or a path of 2-byte ids, got "${s}"`);
  return b;
}

export const NAMED: Record<string, NamedCommand> = {
  select: {
    usage: 'select FID|PATH',
    help: 'SELECT by file id (6F07) or by path from the MF (3F00/7FF0/6F07), returning the FCP',
    build: ([p]) => {
      const b = path(p);
      if (b.length === 2) return buildCommand(0x00, 0xa4, 0x00, 0x04, b, 256);
      const fromMf = b[0] === 0x3f && b[1] === 0x00;
      return buildCommand(0x00, 0xa4, 0x08, 0x04, fromMf ? b.subarray(2) : b, 256);
    },
  },
  'select-aid': {
    usage: 'select-aid AID',
    help: 'SELECT by DF name (full or partial AID), returning the FCP',
    build: ([a]) => buildCommand(0x00, 0xa4, 0x04, 0x04, hex(a, 'AID'), 256),
  },
  'select-usim': {
    usage: 'select-usim',
    help: 'SELECT ADF.USIM by its partial AID A0000000871002',
    build: () => buildCommand(0x00, 0xa4, 0x04, 0x04, fromHex('A0000000871002'), 256),
  },
  status: {
    usage: 'status',
    help: 'STATUS: FCP of the current directory',
    build: () => buildCommand(0x80, 0xf2, 0x00, 0x00, undefined, 256),
  },
  'read-binary': {
    usage: 'read-binary [LENGTH] [OFFSET]',
    help: 'READ BINARY of the current EF (LENGTH 0 = 256)',
    build: ([l, o]) => {
      const off = int(o, 'offset', 0);
      return buildCommand(0x00, 0xb0, (off >> 8) & 0x7f, off & 0xff, undefined, int(l, 'length', 256) || 256);
    },
  },
  'update-binary': {
    usage: 'update-binary HEX [OFFSET]',
    help: 'UPDATE BINARY of the current EF',
    build: ([d, o]) => {
      const off = int(o, 'offset', 0);
      return buildCommand(0x00, 0xd6, (off >> 8) & 0x7f, off & 0xff, hex(d, 'data'));
    },
  },
  'read-record': {
    usage: 'read-record NUMBER [LENGTH]',
    help: 'READ RECORD in absolute mode',
    build: ([n, l]) =>
      buildCommand(0x00, 0xb2, int(n, 'record number'), 0x04, undefined, int(l, 'length', 256) || 256),
  },
  'update-record': {
    usage: 'update-record NUMBER HEX',
    help: 'UPDATE RECORD in absolute mode',
    build: ([n, d]) => buildCommand(0x00, 0xdc, int(n, 'record number'), 0x04, hex(d, 'data')),
  },
  verify: {
    usage: 'verify pin1|pin2|adm1|REF [PIN]',
    help: 'VERIFY PIN (without PIN: ask for the retry counter)',
    build: ([r, p]) => buildCommand(0x00, 0x20, 0x00, keyRef(r), p === undefined ? undefined : pinBlock(p)),
  },
  'change-pin': {
    usage: 'change-pin pin1|REF OLD NEW',
    help: 'CHANGE PIN',
    build: ([r, o, n]) => buildCommand(0x00, 0x24, 0x00, keyRef(r), concat(pinBlock(o), pinBlock(n))),
  },
  'disable-pin': {
    usage: 'disable-pin pin1|REF PIN',
    help: 'DISABLE PIN',
    build: ([r, p]) => buildCommand(0x00, 0x26, 0x00, keyRef(r), pinBlock(p)),
  },
  'enable-pin': {
    usage: 'enable-pin pin1|REF PIN',
    help: 'ENABLE PIN',
    build: ([r, p]) => buildCommand(0x00, 0x28, 0x00, keyRef(r), pinBlock(p)),
  },
  'unblock-pin': {
    usage: 'unblock-pin pin1|REF PUK NEWPIN',
    help: 'UNBLOCK PIN with the PUK (8 digits)',
    build: ([r, k, n]) => buildCommand(0x00, 0x2c, 0x00, keyRef(r), concat(pinBlock(k), pinBlock(n))),
  },
  'get-response': {
    usage: 'get-response LENGTH',
    help: 'GET RESPONSE (after 61xx)',
    build: ([l]) => buildCommand(0x00, 0xc0, 0x00, 0x00, undefined, int(l, 'length') || 256),
  },
  'open-channel': {
    usage: 'open-channel',
    help: 'MANAGE CHANNEL: open a logical channel, the card picks the number',
    build: () => buildCommand(0x00, 0x70, 0x00, 0x00, undefined, 1),
  },
  'close-channel': {
    usage: 'close-channel N',
    help: 'MANAGE CHANNEL: close channel N',
    build: ([n]) => buildCommand(0x00, 0x70, 0x80, int(n, 'channel')),
  },
  authenticate: {
    usage: 'authenticate RAND AUTN',
    help: 'AUTHENTICATE in 3G context (ADF.USIM selected)',
    build: ([r, a]) => {
      const rand = hex(r, 'RAND');
      const autn = hex(a, 'AUTN');
      if (rand.length !== 16 || autn.length !== 16) throw new Error('RAND and AUTN must be 16 bytes each');
      return buildCommand(
        0x00,
        0x88,
        0x00,
        0x81,
        concat(Uint8Array.of(16), rand, Uint8Array.of(16), autn),
        256,
      );
    },
  },
  'terminal-profile': {
    usage: 'terminal-profile HEX',
    help: 'TERMINAL PROFILE',
    build: ([d]) => buildCommand(0x80, 0x10, 0x00, 0x00, hex(d, 'profile')),
  },
  envelope: {
    usage: 'envelope HEX',
    help: 'ENVELOPE with the given BER-TLV',
    build: ([d]) => buildCommand(0x80, 0xc2, 0x00, 0x00, hex(d, 'envelope data'), 256),
  },
  fetch: {
    usage: 'fetch LENGTH',
    help: 'FETCH a proactive command (after 91xx)',
    build: ([l]) => buildCommand(0x80, 0x12, 0x00, 0x00, undefined, int(l, 'length') || 256),
  },
};

/** Builds the APDU for a named command line; throws an Error with the usage on bad arguments. */
export function buildNamed(words: string[]): Bytes {
  const name = words[0]!.toLowerCase();
  const c = NAMED[name];
  if (!c) {
    const close = closeMatches(name, Object.keys(NAMED));
    throw new Error(
      close.length
        ? `unknown command "${words[0]}" (did you mean ${close.join(', ')}?)`
        : `unknown command "${words[0]}" (known: ${Object.keys(NAMED).join(', ')})`,
    );
  }
  try {
    return c.build(words.slice(1));
  } catch (e) {
    throw new Error(`${(e as Error).message} (usage: ${c.usage})`);
  }
}
