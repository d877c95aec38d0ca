// `npm run fuzz`: a long fuzz run (default 1,000,000 APDUs; `npm run fuzz -- 5000000` for more) against
// emulated cards of the bundled profiles, mixing every applet: USIM (files, PINs, AUTHENTICATE), ISIM (IMS
// AKA), OTA envelopes (valid secured packets from the OTA server, then mutated), the security domain (SCP11
// and GP commands), the key-slot applet, the eUICC's ISD-R (ES10a/b/c in STORE DATA, on any channel, profile
// switches with resets; live SGP.22 profile downloads from an in-process SM-DP+ with one APDU of the
// download mutated), and the OS commands (channels, STATUS, CAT, GET RESPONSE, reset).
// Checks per APDU: the card never throws, every answer ends in a valid status word, and no answer holds
// 8 bytes of any secret record (PIN, PUK, K, OPc, OTA and SCP keys, slots) that no readable file holds.
// Prints the figures; exits 1 on any finding. CI runs the shorter property tests (test/*/fuzz.test.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spi } from '../applets/ota/spi.js';
import { type Bytes, fromHex, toHex } from '../card-os/bytes.js';
import type { Nvm } from '../card-os/nvm.js';
import { openCard, projectRoot } from '../host/card-factory.js';
import { downloadProfile } from '../host/euicc/download.js';
import { createEuicc, loadEuicc } from '../host/euicc/load.js';
import { OtaServer } from '../host/ota/ota-server.js';
import { MemoryInventory } from '../host/smdp/memory-inventory.js';
import { createTestSmdp } from '../host/smdp/test-smdp.js';

/** xorshift32: a seeded generator, so a finding can be replayed with its seed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    int: (n: number) => next() % n,
    bytes: (n: number) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
    pick: <T>(a: readonly T[]): T => a[next() % a.length]!,
  };
}
type Rng = ReturnType<typeof rng>;

const h = (s: string) => fromHex(s.replace(/\s+/g, ''));
const ADM1 = '3132333435363738';
const PIN1 = '31323334FFFFFFFF';

/** Commands per family, as seeds for mutation. */
const FAMILIES: Record<string, string[]> = {
  os: [
    '00A40004023F00',
    '00A4000C022FE2',
    '80F2000000',
    '80F2010C00',
    '0070000001',
    '0070800100',
    '01A40004023F00',
    '00C0000010',
    '8010000005FFFFFFFFFF',
    '8012000010',
    '80140000 0C 810301130082028281830100',
    '00B0820009',
    '00B2010400',
    '00A2010405 FFFFFFFFFF',
    '0032000001 01',
    '0004000000',
    '0044000000',
  ],
  usim: [
    '00A4040407A0000000871002',
    '00A40004026F07',
    '00B0000009',
    `0020000108${PIN1}`,
    '00200001',
    `0020000A08${ADM1}`,
    '002000010839393939FFFFFFFF',
    `0024000110${PIN1}35353535FFFFFFFF`,
    '0026000108 31323334FFFFFFFF',
    '002C000110 3132333435363738 31323334FFFFFFFF',
    '00D6000009 080910101032547698',
    '00DC0104 0A FFFFFFFFFFFFFFFFFFFF',
    '0088008122 10 00112233445566778899AABBCCDDEEFF 10 00112233445566778899AABBCCDDEEFF',
    '00CB 0000 00',
  ],
  sd: [
    '00A4040008A000000151000000',
    '80CA006600',
    '80CABF2106A4048302 1500',
    '8050000008 0102030405060708',
    '802A180210 7F2181 00',
    '80820000 10 00112233445566778899AABBCCDDEEFF',
    '84E2000010 00112233445566778899AABBCCDDEEFF',
    '80D8000010 00112233445566778899AABBCCDDEEFF',
    '80D4000004 01020304',
  ],
  keyslots: [
    '00A4040C07F0756963634B53',
    `0020000A08${ADM1}`,
    '805A000000',
    '805C010017 000102030405060708090A0B0C0D0E0F10111213141516',
    '805C020008 0001020304050607',
    '805C030008 0001020304050607',
    '805E000000',
  ],
  isim: [
    '00A4040407A0000000871004',
    '00A40004026F02',
    '00B0000000',
    '00B2010400',
    `0020000108${PIN1}`,
    '0088008122 10 00112233445566778899AABBCCDDEEFF 10 00112233445566778899AABBCCDDEEFF',
    '0088008422 10 00112233445566778899AABBCCDDEEFF 10 00112233445566778899AABBCCDDEEFF',
  ],
  // STORE DATA (80 E2, P1 91: last block) carrying SGP.22 ES10 requests, on the basic and a logical channel.
  euicc: [
    '00A4040410 A0000005591010FFFFFFFF8900000100',
    '0070000001',
    '01A4040410 A0000005591010FFFFFFFF8900000100',
    '80E2910006 BF3E035C015A',
    '81E2910003 BF2000',
    '80E2910003 BF2200',
    '80E2910003 BF2D00',
    '80E2110003 BF2D00',
    '80E2910003 BF2E00',
    '80E2910003 BF3C00',
    '80E2910003 BF2800',
    '80E2910003 BF2B00',
    '80E2910003 BF4300',
    '80E291001A BF3117 A012 4F10 A0000005591010FFFFFFFF8900001100 8101FF',
    '80E291001A BF3217 A012 4F10 A0000005591010FFFFFFFF8900001000 8101FF',
    '80E2910015 BF3312 4F10 A0000005591010FFFFFFFF8900001200',
    '80E2910014 BF2911 5A0A98001032547698103214 9003414243',
    '80E2910007 BF3404 820205E0',
    '80E2910006 BF3003 800101',
    '00C0000000',
  ],
};

const mutate = (r: Rng, b: Bytes): Bytes => {
  const c = b.slice(0, Math.max(0, b.length - (r.int(4) === 0 ? r.int(6) : 0)));
  const n = 1 + r.int(3);
  for (let i = 0; i < n && c.length; i++) c[r.int(c.length)] = r.int(256);
  return c;
};

interface Subject {
  name: string;
  card: { transmit(c: Bytes): Bytes; reset(): Bytes; protocol: 0 | 1 };
  /** Every NVM of the card: one, or an eUICC's own and each profile's. */
  nvms: () => Nvm[];
  envelopes: Bytes[];
  families: string[];
  secretWindows: Map<number, Bytes[]>;
  /** Data the card gives anyone that is not an NVM record (the eUICC's certificates, whose text holds the EID). */
  published: Bytes[];
}

/** OTA envelopes the profile's keys make valid (some will be replays later: the card must say so). */
function otaEnvelopes(card: ReturnType<typeof openCard>): Bytes[] {
  const ota = card.profile.ota;
  if (!ota) return [];
  const spis: Spi[] = [
    {
      integrity: 'cc',
      ciphered: true,
      counter: 'higher',
      por: 'always',
      porIntegrity: 'cc',
      porCiphered: true,
      porViaSubmit: false,
    },
    {
      integrity: 'cc',
      ciphered: true,
      counter: 'higher',
      por: 'always',
      porIntegrity: 'cc',
      porCiphered: false,
      porViaSubmit: true,
    },
    {
      integrity: 'none',
      ciphered: false,
      counter: 'none',
      por: 'always',
      porIntegrity: 'none',
      porCiphered: false,
      porViaSubmit: false,
    },
  ];
  const server = new OtaServer();
  const out: Bytes[] = [];
  const scripts = [
    '00A40004023F00',
    '00A4000C026F07 00B0000009',
    '00D6000009080910101032547698',
    '805A000000',
    '805E000000',
  ];
  for (const ks of ota.keysets)
    for (const tar of ota.tars.map((t) => t.tar))
      for (const spi of spis)
        for (const s of scripts) {
          const kx = (ks.kvn << 4) | 2;
          try {
            const p = server.prepare({
              iccid: 'fuzz',
              tar,
              spi,
              kic: kx,
              kid: kx,
              keysets: ota.keysets,
              script: h(s),
            });
            out.push(...p.envelopes);
          } catch {}
        }
  return out;
}

/** 8-byte windows of every secret record (at least 4 distinct byte values: runs of 00/FF are not secrets). */
function secretWindows(nvms: Nvm[]): Map<number, Bytes[]> {
  const m = new Map<number, Bytes[]>();
  for (const nvm of nvms)
    for (const k of nvm.keys()) {
      if (!k.startsWith('secret/')) continue;
      const v = nvm.get(k)!;
      for (let i = 0; i + 8 <= v.length; i++) {
        const w = v.subarray(i, i + 8);
        if (new Set(w).size < 4) continue;
        const key = ((w[0]! << 24) | (w[1]! << 16) | (w[2]! << 8) | w[3]!) >>> 0;
        const l = m.get(key) ?? [];
        l.push(w.slice());
        m.set(key, l);
      }
    }
  return m;
}

const contains = (hay: Bytes, w: Bytes) => {
  outer: for (let i = 0; i + w.length <= hay.length; i++) {
    for (let j = 0; j < w.length; j++) if (hay[i + j] !== w[j]) continue outer;
    return true;
  }
  return false;
};

/** A window the answer holds that is a secret and that no readable record holds (the fuzz may have written it). */
function leak(s: Subject, r: Bytes): string | undefined {
  for (let i = 0; i + 8 <= r.length - 2; i++) {
    const key = ((r[i]! << 24) | (r[i + 1]! << 16) | (r[i + 2]! << 8) | r[i + 3]!) >>> 0;
    const list = s.secretWindows.get(key);
    if (!list) continue;
    for (const w of list) {
      if (!w.every((b, j) => r[i + j] === b)) continue;
      const readable = s
        .nvms()
        .some((nvm) => nvm.keys().some((k) => !k.startsWith('secret/') && contains(nvm.get(k)!, w)));
      if (readable || s.published.some((p) => contains(p, w))) continue;
      return toHex(w);
    }
  }
  return undefined;
}

function makeSubject(name: string, families: string[], profile?: string): Subject {
  const opened = openCard({ profile });
  const card = opened.card;
  return {
    name,
    card,
    nvms: () => [card.nvm],
    envelopes: otaEnvelopes(opened),
    families,
    secretWindows: secretWindows([card.nvm]),
    published: [],
  };
}

function makeEuicc(): Subject {
  const path = join(projectRoot(), 'profiles', 'default-euicc.yaml');
  const template = loadEuicc(path, readFileSync(path, 'utf8'));
  const card = createEuicc(template);
  card.reset();
  // A deleted profile's NVM is gone: only the installed ones are asked.
  const nvms = () => [card.nvm, ...card.installed.map(([, os]) => os.nvm)];
  return {
    name: 'euicc',
    card,
    nvms,
    envelopes: [],
    families: ['os', 'euicc', 'usim'],
    secretWindows: secretWindows(nvms()),
    published: template.signer ? [template.signer.euiccCertificate, template.signer.eumCertificate] : [],
  };
}

/**
 * A live profile download (SGP.22 §3.1.3) from an in-process SM-DP+ into the eUICC, with the APDU at one
 * random position of the download replaced by a mutation: the card's checks after a real
 * AuthenticateServer, PrepareDownload or BSP key agreement are only reached this way (a replayed
 * recording fails at the first challenge). Every answer goes through `check`.
 */
function downloader(
  r: Rng,
  check: (apdu: Bytes, resp: Bytes) => void,
  thrown: (apdu: Bytes, e: Error) => void,
) {
  const inventory = new MemoryInventory();
  const address = 'smdp.fuzz.test';
  const smdp = createTestSmdp(address, inventory);
  const upp = new Uint8Array(
    readFileSync(join(projectRoot(), 'test', 'vectors', 'ts48', 'TS48V5-SAIP2-3-NOBERTLV-UNIQUE.der')),
  );
  let n = 0;
  return async (card: Subject['card']): Promise<number> => {
    const matchingId = `F${++n}`;
    inventory.add({ matchingId, iccid: '8949449999999990171', upp, metadata: { name: 'fuzz' } });
    const target = r.int(48);
    let sent = 0;
    try {
      await downloadProfile({
        transmit: async (c) => {
          const apdu = sent++ === target ? mutate(r, c) : c;
          let resp: Bytes;
          try {
            resp = card.transmit(apdu);
          } catch (e) {
            thrown(apdu, e as Error);
            throw e;
          }
          check(apdu, resp);
          return resp;
        },
        es9: smdp,
        smdpAddress: address,
        matchingId,
      });
    } catch {
      // A refused download is the expected outcome of most mutations; the card's answers were checked.
    }
    return sent;
  };
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 20261203);
  if (!Number.isSafeInteger(total) || total < 1)
    throw new Error(`fuzz: APDU count must be a positive integer, got "${process.argv[2]}"`);
  const r = rng(seed);
  const fresh = () => [
    makeSubject('default-usim', ['os', 'usim', 'sd']),
    makeSubject('m2m', ['os', 'usim', 'keyslots'], join(projectRoot(), 'profiles', 'm2m-keyslots.yaml')),
    makeSubject(
      'usim-isim',
      ['os', 'usim', 'isim'],
      join(projectRoot(), 'profiles', 'examples', 'usim-isim.yaml'),
    ),
    makeEuicc(),
  ];
  let subjects = fresh();
  const seeds = Object.fromEntries(Object.entries(FAMILIES).map(([k, v]) => [k, v.map(h)]));
  const counts: Record<string, number> = {};
  let throws = 0;
  let badSw = 0;
  let leaks = 0;
  let resets = 0;
  const findings: string[] = [];
  const start = performance.now();
  // The leak check must be able to fail: a made-up answer holding PIN1's stored value is caught.
  const probe = subjects[0]!;
  if (!leak(probe, Uint8Array.from([...h(PIN1), 0x90, 0x00])))
    throw new Error('fuzz: the leak check does not see PIN1 in an answer');
  let sent = 0;
  let current: { s: Subject; n: number } | undefined;
  const download = downloader(
    r,
    (apdu, resp) => onAnswer(current!.s, current!.n, apdu, resp),
    (apdu, e) => {
      throws++;
      if (findings.length < 20)
        findings.push(`${current!.s.name} #${current!.n} ${toHex(apdu)} threw ${e.message}`);
    },
  );
  for (let n = 1; sent < total; n++) {
    // Cards that blocked their PINs or terminated files stop exercising much: new ones every 100,000.
    if (n % 100_000 === 0) subjects = fresh();
    const s = subjects[n % subjects.length]!;
    if (n % 5000 === 0) s.secretWindows = new Map([...s.secretWindows, ...secretWindows(s.nvms())]);
    const roll = r.int(100);
    let kind: string;
    let apdu: Bytes;
    if (roll < 2) {
      kind = 'reset';
      resets++;
      try {
        s.card.reset();
        s.card.protocol = r.int(2) as 0 | 1;
      } catch (e) {
        throws++;
        findings.push(`${s.name} #${n} reset threw ${(e as Error).message}`);
      }
      continue;
    } else if (roll < 12) {
      kind = 'random';
      apdu = r.bytes(r.int(272));
    } else if (roll < 13 && s.name === 'euicc' && n % 7 === 0) {
      // About one eUICC turn in 700: a whole download with one mutated APDU (some 40 APDUs each).
      current = { s, n };
      const k = await download(s.card);
      counts.download = (counts.download ?? 0) + k;
      sent += k;
      continue;
    } else if (roll < 32 && s.envelopes.length) {
      kind = 'ota';
      const e = r.pick(s.envelopes);
      apdu = r.int(3) === 0 ? e : mutate(r, e);
    } else {
      kind = r.pick(s.families);
      const b = r.pick(seeds[kind]!);
      apdu = r.int(3) === 0 ? b : mutate(r, b);
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    sent++;
    let resp: Bytes;
    try {
      resp = s.card.transmit(apdu);
    } catch (e) {
      throws++;
      if (findings.length < 20) findings.push(`${s.name} #${n} ${toHex(apdu)} threw ${(e as Error).message}`);
      continue;
    }
    onAnswer(s, n, apdu, resp);
  }
  // Checks one answer: a valid status word, no secret bytes.
  function onAnswer(s: Subject, n: number, apdu: Bytes, resp: Bytes): void {
    const sw1 = resp.length >= 2 ? resp[resp.length - 2]! : -1;
    if (!((sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 >= 0x90 && sw1 <= 0x9f))) {
      badSw++;
      if (findings.length < 20) findings.push(`${s.name} #${n} ${toHex(apdu)} answered ${toHex(resp)}`);
    }
    const l = resp.length >= 10 ? leak(s, resp) : undefined;
    if (l) {
      leaks++;
      if (findings.length < 20)
        findings.push(`${s.name} #${n} ${toHex(apdu)} answer holds secret bytes ${l.slice(0, 4)}…`);
    }
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`uicc fuzz: seed ${seed}, node ${process.version}`);
  console.log(`  APDUs        ${total.toLocaleString('en-US')} (+ ${resets.toLocaleString('en-US')} resets)`);
  console.log(
    `  by family    ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(', ')}`,
  );
  console.log(
    `  time         ${secs.toFixed(1)} s (${Math.round(total / secs).toLocaleString('en-US')} APDU/s)`,
  );
  console.log(`  throws       ${throws}`);
  console.log(`  bad SW       ${badSw}`);
  console.log(`  leaks        ${leaks}`);
  for (const f of findings) console.log(`  ! ${f}`);
  process.exitCode = throws || badSw || leaks ? 1 : 0;
}

await main();
