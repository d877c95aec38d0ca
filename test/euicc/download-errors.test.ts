// Every refusal of a profile download (SGP.22 §3.1.3) with the code the spec gives it: the eUICC's
// AuthenticateServer / PrepareDownload errors (§5.7.13, §5.7.14), the SM-DP+'s ES9+ status codes (§6.5.2),
// and the ProfileInstallationResult's bppCommandId / errorReason (§2.5.6). After each, nothing is installed
// and the eUICC NVM is unchanged but for the install notification (PIR) where one is due.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfiles } from '../../applets/euicc/store.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { defaultP256 } from '../../card-os/crypto/p256.js';
import type { EuiccCard } from '../../card-os/euicc-card.js';
import { ber, readBer } from '../../card-os/tlv.js';
import { DownloadError, downloadProfile, type Es9Client } from '../../host/euicc/download.js';
import { createEuicc } from '../../host/euicc/load.js';
import { euiccTestPki, smdpBadCertificates, smdpTestPki } from '../../host/euicc/test-pki.js';
import { confirmationCodeDigest, confirmationCodeHash, type SmdpClaim } from '../../host/smdp/core.js';
import { downloadInto, SMDP_ADDRESS, testSmdp, transmitOf, ts48Upp } from './download-support.js';
import { defaultEuiccTemplate, es10, ICCID_A, newEuicc, openIsdR } from './support.js';

const UPP = ts48Upp();
const claim = (o: Partial<SmdpClaim> = {}): SmdpClaim => ({
  matchingId: 'MID-1',
  iccid: '8949449999999990171',
  upp: UPP,
  metadata: { spn: 'uicc test', name: 'TS.48 test profile' },
  ...o,
});

const b64 = (b: Bytes) => Buffer.from(b).toString('base64');
const unb64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'));

/** The SM-DP+ behind a filter that changes its answers (a broken or hostile server). */
function tampered(es9: Es9Client, t: Partial<{ [K in keyof Es9Client]: (r: never) => unknown }>): Es9Client {
  const wrap =
    <K extends keyof Es9Client>(k: K) =>
    async (req: Parameters<Es9Client[K]>[0]) => {
      const r = await (es9[k] as (x: typeof req) => Promise<object>)(req);
      return (t[k] ? (t[k] as (x: object) => unknown)(r) : r) as never;
    };
  return {
    initiateAuthentication: wrap('initiateAuthentication'),
    authenticateClient: wrap('authenticateClient'),
    getBoundProfilePackage: wrap('getBoundProfilePackage'),
    handleNotification: wrap('handleNotification'),
    cancelSession: wrap('cancelSession'),
  };
}

function nvmState(card: EuiccCard): Map<string, string> {
  return new Map(card.nvm.snapshot().own.map(([k, v]) => [k, v ? toHex(v) : '']));
}

/** Keys whose value differs between two NVM states. */
function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

async function attempt(
  card: EuiccCard,
  es9: Es9Client,
  o: { matchingId?: string; confirmationCode?: string } = {},
): Promise<DownloadError> {
  const before = nvmState(card);
  const profilesBefore = readProfiles(card.nvm).length;
  const err = await downloadProfile({
    transmit: transmitOf(card),
    es9,
    smdpAddress: SMDP_ADDRESS,
    matchingId: o.matchingId ?? 'MID-1',
    sendNotification: false,
    ...(o.confirmationCode === undefined ? {} : { confirmationCode: o.confirmationCode }),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  const e = err as DownloadError;
  // Nothing installed; only the PIR notification (and its sequence number) when the BPP was refused.
  expect(readProfiles(card.nvm)).toHaveLength(profilesBefore);
  const diff = changed(before, nvmState(card));
  expect(diff).toEqual(e.step === 'LoadBoundProfilePackage' ? ['euicc/notifications', 'euicc/seq'] : []);
  card.reset();
  expect(readProfiles(card.nvm)).toHaveLength(profilesBefore);
  expect(card.installed).toHaveLength(profilesBefore);
  return e;
}

function fresh(): EuiccCard {
  const card = newEuicc();
  card.reset();
  return card;
}

describe('AuthenticateServer refusals (SGP.22 §5.7.13)', () => {
  it('a CI the eUICC does not hold: ciPKUnknown (7); the SM-DP+ ends the session', async () => {
    const { smdp, inventory } = testSmdp([claim()]);
    const sgp26Ci = fromHex('0414F54172BDF98A95D65CBEB88A38A1C11D800A85C3');
    const e = await attempt(
      fresh(),
      tampered(smdp, {
        initiateAuthentication: (r: { euiccCiPKIdToBeUsed?: string }) => ({
          ...r,
          euiccCiPKIdToBeUsed: b64(sgp26Ci),
        }),
      }),
    );
    expect([e.step, e.detail.code]).toEqual(['AuthenticateServer', 7]);
    expect(inventory.settled).toEqual([]);
  });

  it('an SM-DP+ under a CI the eUICC does not announce: ES9+ 8.8.2/3.1', async () => {
    const dir = join(__dirname, '..', 'vectors', 'sgp26');
    const key = (f: string) => {
      const pem = readFileSync(join(dir, f), 'utf8');
      const der = Buffer.from(pem.split('-----BEGIN EC PRIVATE KEY-----')[1]!.split('-----')[0]!, 'base64');
      return new Uint8Array(der.subarray(7, 39)); // ECPrivateKey: 30 L 02 01 01 04 20 <d>
    };
    const { smdp } = testSmdp([claim()], {
      dpAuth: {
        certificate: readFileSync(join(dir, 'CERT_S_SM_DPauth_ECDSA_NIST.der')),
        privateKey: key('SK_S_SM_DPauth_ECDSA_NIST.pem'),
      },
      dpPb: {
        certificate: readFileSync(join(dir, 'CERT_S_SM_DPpb_ECDSA_NIST.der')),
        privateKey: key('SK_S_SM_DPpb_ECDSA_NIST.pem'),
      },
      ciCertificates: [readFileSync(join(dir, 'CERT_CI_ECDSA_NIST.der'))],
    });
    const e = await attempt(fresh(), smdp);
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'initiateAuthentication',
      '8.8.2',
      '3.1',
    ]);
  });

  it('an expired DPauth certificate, or one for another purpose: invalidCertificate (1)', async () => {
    const bad = smdpBadCertificates();
    for (const c of [bad.expiredDpAuth, bad.dpPbAsAuth]) {
      const { smdp } = testSmdp([claim()], { dpAuth: { certificate: c.der, privateKey: c.privateKey } });
      const e = await attempt(fresh(), smdp);
      expect([e.step, e.detail.code]).toEqual(['AuthenticateServer', 1]);
    }
  });

  it('a DPauth certificate on brainpoolP256r1 (SGP.26 BRP set): unsupportedCurve (3)', async () => {
    const { smdp } = testSmdp([claim()]);
    const brp = readFileSync(join(__dirname, '..', 'vectors', 'sgp26', 'CERT_S_SM_DPauth_ECDSA_BRP.der'));
    const e = await attempt(
      fresh(),
      tampered(smdp, {
        initiateAuthentication: (r: { serverCertificate?: string }) => ({
          ...r,
          serverCertificate: b64(brp),
        }),
      }),
    );
    expect([e.step, e.detail.code]).toEqual(['AuthenticateServer', 3]);
  });

  it('a serverSignature1 that does not verify: invalidSignature (2)', async () => {
    const { smdp } = testSmdp([claim()]);
    const e = await attempt(
      fresh(),
      tampered(smdp, {
        initiateAuthentication: (r: { serverSignature1?: string }) => {
          const sig = unb64(r.serverSignature1);
          sig[10]! ^= 1;
          return { ...r, serverSignature1: b64(sig) };
        },
      }),
    );
    expect([e.step, e.detail.code]).toEqual(['AuthenticateServer', 2]);
  });

  it("a signed challenge that is not the eUICC's: euiccChallengeMismatch (6)", async () => {
    const { smdp } = testSmdp([claim()]);
    const other: Es9Client = {
      ...smdp,
      initiateAuthentication: (r) =>
        smdp.initiateAuthentication({ ...r, euiccChallenge: b64(new Uint8Array(16)) }),
    };
    const e = await attempt(fresh(), other);
    expect([e.step, e.detail.code]).toEqual(['AuthenticateServer', 6]);
  });
});

describe('PrepareDownload refusals (SGP.22 §5.7.14)', () => {
  it('a DPpb certificate for another role (1), a smdpSignature2 that does not verify (2)', async () => {
    const { smdp } = testSmdp([claim()]);
    const e1 = await attempt(
      fresh(),
      tampered(smdp, {
        authenticateClient: (r: { smdpCertificate?: string }) => ({
          ...r,
          smdpCertificate: b64(smdpTestPki().dpAuth.der),
        }),
      }),
    );
    expect([e1.step, e1.detail.code]).toEqual(['PrepareDownload', 1]);
    const e2 = await attempt(
      fresh(),
      tampered(testSmdp([claim()]).smdp, {
        authenticateClient: (r: { smdpSignature2?: string }) => {
          const sig = unb64(r.smdpSignature2);
          sig[20]! ^= 1;
          return { ...r, smdpSignature2: b64(sig) };
        },
      }),
    );
    expect([e2.step, e2.detail.code]).toEqual(['PrepareDownload', 2]);
  });

  it('a validly signed smdpSigned2 for another transaction: invalidTransactionId (5)', async () => {
    const { smdp } = testSmdp([claim()]);
    const dpPb = smdpTestPki().dpPb;
    const other: Es9Client = {
      ...smdp,
      authenticateClient: async (req) => {
        const r = await smdp.authenticateClient(req);
        const a0 = readBer(readBer(unb64(req.authenticateServerResponse))!.value)!;
        const sig1 = readBer(a0.value, readBer(a0.value)!.length)!;
        const signed2 = ber(0x30, ber(0x80, new Uint8Array(16).fill(7)), ber(0x01, Uint8Array.of(0)));
        const sig1Tlv = a0.value.subarray(sig1.offset, sig1.offset + sig1.length);
        const sig2 = ber(0x5f37, defaultP256.sign(concat(signed2, sig1Tlv), dpPb.privateKey, 'raw'));
        return { ...r, smdpSigned2: b64(signed2), smdpSignature2: b64(sig2) };
      },
    };
    const e = await attempt(fresh(), other);
    expect([e.step, e.detail.code]).toEqual(['PrepareDownload', 5]);
  });
});

describe('SM-DP+ refusals (SGP.22 §5.6, §6.5.2)', () => {
  it('another SM-DP+ address: 8.8.1/3.8', async () => {
    const { smdp } = testSmdp([claim()], { address: 'other.example' });
    const e = await attempt(fresh(), smdp);
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'initiateAuthentication',
      '8.8.1',
      '3.8',
    ]);
  });

  it("an eUICC certificate whose EID is outside the EUM's prefixes: 8.1.4/6.1", async () => {
    const t = defaultEuiccTemplate();
    const other = euiccTestPki('89033023426200000000000000000027');
    const card = createEuicc({ ...t, signer: { ...t.signer!, euiccCertificate: other.euicc.der } });
    card.reset();
    const { smdp } = testSmdp([claim()]);
    const e = await attempt(card, smdp);
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'authenticateClient',
      '8.1.4',
      '6.1',
    ]);
  });

  it('an EUM certificate not signed by the CI: 8.1.3/6.1; a bad euiccSignature1: 8.1/6.1', async () => {
    const t = defaultEuiccTemplate();
    const eum = t.signer!.eumCertificate.slice();
    eum[eum.length - 5]! ^= 1;
    const card = createEuicc({ ...t, signer: { ...t.signer!, eumCertificate: eum } });
    card.reset();
    const e1 = await attempt(card, testSmdp([claim()]).smdp);
    expect([e1.step, e1.detail.subjectCode, e1.detail.reasonCode]).toEqual([
      'authenticateClient',
      '8.1.3',
      '6.1',
    ]);
    const { smdp } = testSmdp([claim()]);
    const flip: Es9Client = {
      ...smdp,
      authenticateClient: (req) => {
        const b = unb64(req.authenticateServerResponse);
        const a0 = readBer(readBer(b)!.value)!;
        const sig1 = readBer(a0.value, readBer(a0.value)!.length)!;
        // The last byte of euiccSignature1's r‖s.
        const at = b.length - a0.value.length + sig1.offset + sig1.length - 1;
        b[at]! ^= 1;
        return smdp.authenticateClient({ ...req, authenticateServerResponse: b64(b) });
      },
    };
    const e2 = await attempt(fresh(), flip);
    expect([e2.step, e2.detail.subjectCode, e2.detail.reasonCode]).toEqual([
      'authenticateClient',
      '8.1',
      '6.1',
    ]);
  });

  it('an unknown matchingId: 8.2.6/3.8, and the card session is cancelled', async () => {
    const { smdp } = testSmdp([claim()]);
    const card = fresh();
    const e = await attempt(card, smdp, { matchingId: 'NOPE' });
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'authenticateClient',
      '8.2.6',
      '3.8',
    ]);
    // The eUICC has no session left: PrepareDownload now answers noSessionContext (4).
    const ch = openIsdR(card);
    const r = es10(
      card,
      ch,
      toHex(
        ber(
          0xbf21,
          ber(0x30, ber(0x80, new Uint8Array(16)), ber(0x01, Uint8Array.of(0))),
          ber(0x5f37, new Uint8Array(64)),
          ber(0x30),
        ),
      ),
    );
    expect(r.answer).toBe(
      toHex(ber(0xbf21, ber(0xa1, ber(0x80, new Uint8Array(16)), ber(0x02, Uint8Array.of(4))))),
    );
  });

  it('hashCc = SHA-256(SHA-256(code) ‖ transactionId) (SGP.22 §3.1.3.2; computed independently with Python hashlib)', () => {
    const tid = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(toHex(confirmationCodeHash('4711', tid))).toBe(
      '7A5FC1E1D536C03AC028EFA34659AAF40B1A58FDCF8F4627E34FE8600F2E7A76',
    );
  });

  it('a confirmation code missing (8.2.7/2.2) or wrong (8.2.7/3.8); the right one is taken', async () => {
    const { smdp, inventory } = testSmdp([claim({ confirmationCodeHash: confirmationCodeDigest('4711') })]);
    let e = await attempt(fresh(), smdp);
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'getBoundProfilePackage',
      '8.2.7',
      '2.2',
    ]);
    e = await attempt(fresh(), smdp, { confirmationCode: '0000' });
    expect([e.step, e.detail.subjectCode, e.detail.reasonCode]).toEqual([
      'getBoundProfilePackage',
      '8.2.7',
      '3.8',
    ]);
    expect(inventory.settled.map((s) => s.installed)).toEqual([false, false]);
    // The LPA cancelled on both ends: the eUICC's signed CancelSession verified at the SM-DP+ (§5.6.5).
    expect(inventory.settled.map((s) => s.reason)).toEqual(['cancelled (reason 1)', 'cancelled (reason 1)']);
    const ok = await downloadProfile({
      transmit: transmitOf(fresh()),
      es9: smdp,
      activationCode: `LPA:1$${SMDP_ADDRESS}$MID-1$$1`,
      confirmationCode: '4711',
    });
    expect(ok.iccid).toBe('8949449999999990171');
    expect(inventory.settled.map((s) => s.installed)).toEqual([false, false, true]);
  });

  it('an LPA that vanishes after authenticateClient: its session expires and the order is given back', async () => {
    let clock = Date.parse('2026-12-03T12:00:00Z');
    const { smdp, inventory } = testSmdp([claim()], {
      now: () => new Date(clock),
      sessionTimeoutSeconds: 60,
    });
    // The connection drops after authenticateClient: neither the BPP request nor a cancellation arrives.
    const gone = async () => {
      throw new Error('connection lost');
    };
    const lost = { ...smdp, getBoundProfilePackage: gone, cancelSession: gone } as Es9Client;
    await expect(downloadInto(fresh(), lost, 'MID-1')).rejects.toThrow('connection lost');
    // Within the timeout the order is still held by that session.
    const e = await attempt(fresh(), smdp);
    expect([e.detail.subjectCode, e.detail.reasonCode]).toEqual(['8.2', '3.5']);
    expect(inventory.settled).toEqual([]);
    clock += 61_000;
    const ok = await downloadInto(fresh(), smdp, 'MID-1');
    expect(ok.iccid).toBe('8949449999999990171');
    expect(inventory.settled.map((x) => [x.installed, x.reason])).toEqual([
      [false, 'session expired'],
      [true, undefined],
    ]);
  });

  it('an unknown transactionId: 8.10.1/3.9 for every function that takes one', async () => {
    const { smdp } = testSmdp([claim()]);
    const tid = '00112233445566778899AABBCCDDEEFF';
    const rs = [
      await smdp.authenticateClient({ transactionId: tid, authenticateServerResponse: '' }),
      await smdp.getBoundProfilePackage({ transactionId: tid, prepareDownloadResponse: '' }),
      await smdp.cancelSession({ transactionId: tid, cancelSessionResponse: '' }),
    ];
    for (const r of rs)
      expect(r.header.functionExecutionStatus).toMatchObject({
        status: 'Failed',
        statusCodeData: { subjectCode: '8.10.1', reasonCode: '3.9' },
      });
  });

  it('CancelSession on the card with another transaction id: invalidTransactionId (5)', () => {
    const card = fresh();
    const ch = openIsdR(card);
    const r = es10(card, ch, toHex(ber(0xbf41, ber(0x80, new Uint8Array(16)), ber(0x81, Uint8Array.of(0)))));
    expect(r.answer).toBe('BF4103810105');
  });
});

/** Rewrites the BPP of getBoundProfilePackage: `edit` gets the BF36 items and returns new ones. */
function editBpp(es9: Es9Client, edit: (items: Bytes[]) => Bytes[]): Es9Client {
  return tampered(es9, {
    getBoundProfilePackage: (r: { boundProfilePackage?: string }) => {
      const bpp = unb64(r.boundProfilePackage);
      const top = readBer(bpp)!;
      const items: Bytes[] = [];
      for (let off = 0; off < top.value.length; ) {
        const t = readBer(top.value, off)!;
        items.push(top.value.slice(off, off + t.length));
        off += t.length;
      }
      return { ...r, boundProfilePackage: b64(ber(0xbf36, ...edit(items))) };
    },
  });
}

/** The segments of a BPP section (A0..A3), and the section rebuilt from segments. */
function segments(section: Bytes): Bytes[] {
  const t = readBer(section)!;
  const out: Bytes[] = [];
  for (let off = 0; off < t.value.length; ) {
    const s = readBer(t.value, off)!;
    out.push(t.value.slice(off, off + s.length));
    off += s.length;
  }
  return out;
}

describe('LoadBoundProfilePackage refusals: ProfileInstallationResult (SGP.22 §2.5.6)', () => {
  const pirOf = async (es9: Es9Client, card = fresh()) => {
    const e = await attempt(card, es9);
    expect(e.step).toBe('LoadBoundProfilePackage');
    return [e.detail.bppCommandId, e.detail.errorReason];
  };
  const a3 = (items: Bytes[]) => items.length - 1;

  it('profile segments reordered, replayed or with a bad MAC: loadProfileElements (5), scp03tSecurityError (8)', async () => {
    const swap = (items: Bytes[]) => {
      const s = segments(items[a3(items)]!);
      [s[0], s[1]] = [s[1]!, s[0]!];
      return [...items.slice(0, -1), ber(0xa3, ...s)];
    };
    const replay = (items: Bytes[]) => {
      const s = segments(items[a3(items)]!);
      return [...items.slice(0, -1), ber(0xa3, s[0]!, ...s.slice(0, -1))];
    };
    const badMac = (items: Bytes[]) => {
      const s = segments(items[a3(items)]!);
      const last = s[1]!;
      last[last.length - 1]! ^= 1;
      return [...items.slice(0, -1), ber(0xa3, ...s)];
    };
    for (const edit of [swap, replay, badMac]) {
      const { smdp, inventory } = testSmdp([claim()]);
      expect(await pirOf(editBpp(smdp, edit))).toEqual([5, 8]);
      // The SM-DP+ got the PIR (sendNotification is off in attempt(); send it here) and settles the order.
      expect(inventory.settled).toEqual([]);
    }
  });

  it('a StoreMetadata segment with a bad MAC (2/8), or of the wrong kind (2/7)', async () => {
    const { smdp } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp, (items) => {
          const s = segments(items[2]!);
          s[0]![5]! ^= 1;
          return [items[0]!, items[1]!, ber(0xa1, ...s), ...items.slice(3)];
        }),
      ),
    ).toEqual([2, 8]);
    const { smdp: smdp2 } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp2, (items) => {
          const s = segments(items[2]!);
          s[0]![0] = 0x87;
          return [items[0]!, items[1]!, ber(0xa1, ...s), ...items.slice(3)];
        }),
      ),
    ).toEqual([2, 7]);
  });

  it('a ConfigureISDP section cut short, or profile elements before the metadata: scp03tStructureError (7)', async () => {
    const { smdp } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp, (items) => {
          const a0 = items[1]!;
          const t = readBer(a0)!;
          return [items[0]!, ber(0xa0, t.value.subarray(0, t.value.length - 3)), ...items.slice(2)];
        }),
      ),
    ).toEqual([1, 7]);
    const { smdp: smdp2 } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp2, (items) => [items[0]!, items[1]!, items[items.length - 1]!, ...items.slice(2, -1)]),
      ),
    ).toEqual([2, 7]);
  });

  it('a ConfigureISDP with a bad MAC: configureISDP (1), 8', async () => {
    const { smdp } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp, (items) => {
          const s = segments(items[1]!);
          s[0]![s[0]!.length - 1]! ^= 1;
          return [items[0]!, ber(0xa0, ...s), ...items.slice(2)];
        }),
      ),
    ).toEqual([1, 8]);
  });

  it('an InitialiseSecureChannel whose smdpSign does not verify: initialiseSecureChannel (0), invalidSignature (2)', async () => {
    const { smdp } = testSmdp([claim()]);
    expect(
      await pirOf(
        editBpp(smdp, (items) => {
          const isc = items[0]!.slice();
          isc[isc.length - 3]! ^= 1;
          return [isc, ...items.slice(1)];
        }),
      ),
    ).toEqual([0, 2]);
  });

  it('an InitialiseSecureChannel, validly signed, for another transaction (0/3) or with another key type (0/4)', async () => {
    const dpPb = smdpTestPki().dpPb;
    /** Rebuilds BF23 with `edit` applied to its fields and signs it again with the DPpb key (SGP.22 §5.5.1). */
    const resigned = (edit: (tag: number, v: Bytes) => Bytes): Es9Client => {
      const { smdp } = testSmdp([claim()]);
      return {
        ...smdp,
        getBoundProfilePackage: async (req) => {
          const r = await smdp.getBoundProfilePackage(req);
          const pdr = unb64(req.prepareDownloadResponse);
          const signed2 = readBer(readBer(readBer(pdr)!.value)!.value)!;
          const otpk = segments(ber(0x30, signed2.value)).find((x) => x[0] === 0x5f && x[1] === 0x49)!;
          return editBpp({ ...smdp, getBoundProfilePackage: async () => r }, (items) => {
            const fields = segments(items[0]!).filter((f) => !(f[0] === 0x5f && f[1] === 0x37));
            const body = concat(
              ...fields.map((f) => {
                const t = readBer(f)!;
                return ber(t.tag, edit(t.tag, t.value));
              }),
            );
            const sig = ber(0x5f37, defaultP256.sign(concat(body, otpk), dpPb.privateKey, 'raw'));
            return [ber(0xbf23, body, sig), ...items.slice(1)];
          }).getBoundProfilePackage(req);
        },
      };
    };
    const otherTid = resigned((tag, v) => (tag === 0x80 ? new Uint8Array(16).fill(9) : v));
    expect(await pirOf(otherTid)).toEqual([0, 3]);
    const desKeys = resigned((tag, v) =>
      tag === 0xa6 ? concat(ber(0x80, Uint8Array.of(0x80)), v.subarray(3)) : v,
    );
    expect(await pirOf(desKeys)).toEqual([0, 4]);
  });

  it('a test profile on an eUICC without testProfileSupport: unsupportedProfileClass (6)', async () => {
    const t = defaultEuiccTemplate();
    // rspCapability (SGP.22 §5.7.9): additionalProfile only, no testProfileSupport (bit 3).
    const card = createEuicc({ ...t, info: { ...t.info, rspCapability: fromHex('0780') } });
    card.reset();
    const { smdp } = testSmdp([claim({ metadata: { spn: 'x', name: 'y', class: 'test' } })]);
    expect(await pirOf(smdp, card)).toEqual([2, 6]);
  });

  it('not enough memory for the package: insufficientMemory (10)', async () => {
    const t = defaultEuiccTemplate();
    // extCardResource (SGP.22 §5.7.9): 82 = free non-volatile memory, here 4 KB.
    const card = createEuicc({ ...t, info: { ...t.info, extCardResource: fromHex('810100820400001000') } });
    card.reset();
    const { smdp } = testSmdp([claim()]);
    expect(await pirOf(smdp, card)).toEqual([5, 10]);
  });

  it('an ICCID the eUICC already has: storeMetadata (2), iccidAlreadyExists (9); ListNotification shows the install', async () => {
    const digits = ICCID_A.replace(/(.)(.)/g, '$2$1').replace(/F/g, '');
    const { smdp } = testSmdp([claim({ iccid: digits })]);
    const card = fresh();
    expect(await pirOf(smdp, card)).toEqual([2, 9]);
    // The PIR waits in the list as an install notification (pmo 07 80) for the SM-DP+ of the session.
    const list = es10(card, openIsdR(card), 'BF2800').answer;
    expect(list).toContain(
      `81020780${toHex(ber(0x0c, new TextEncoder().encode(SMDP_ADDRESS)))}5A0A${ICCID_A}`,
    );
  });

  it('a package the installer refuses: PEProcessingError (12) with its EUICCResponse; another ICCID inside: 13', async () => {
    const cut = UPP.subarray(0, UPP.length - 40);
    const { smdp } = testSmdp([claim({ upp: cut })]);
    const card = fresh();
    const e = await attempt(card, smdp);
    expect([e.detail.bppCommandId, e.detail.errorReason]).toEqual([5, 12]);
    // finalResult A1 { 80 bppCommandId, 81 errorReason, 82 simaResponse (EUICCResponse, SEQUENCE) }.
    expect(toHex(e.detail.profileInstallationResult!)).toMatch(/A1..80010581010C82..30/);
    const { smdp: other } = testSmdp([claim({ iccid: '8949449999999990999' })]);
    expect(await pirOf(other)).toEqual([5, 13]);
  });

  it('a profile policy rule the eUICC does not allow: pprNotAllowed (15)', async () => {
    const { smdp } = testSmdp([claim({ metadata: { spn: 'x', name: 'y', ppr: ['ppr1'] } })]);
    expect(await pirOf(smdp)).toEqual([2, 15]);
  });

  it('the failed PIR is a signed install notification the SM-DP+ accepts and settles', async () => {
    const { smdp, inventory } = testSmdp([claim({ metadata: { spn: 'x', name: 'y', ppr: ['ppr2'] } })]);
    const card = fresh();
    const e = await downloadProfile({
      transmit: transmitOf(card),
      es9: smdp,
      activationCode: `LPA:1$${SMDP_ADDRESS}$MID-1`,
    }).then(
      () => undefined,
      (x: unknown) => x as DownloadError,
    );
    expect([e?.detail.bppCommandId, e?.detail.errorReason]).toEqual([2, 15]);
    expect(inventory.settled).toMatchObject([{ matchingId: 'MID-1', installed: false }]);
    // The LPA removed the delivered notification.
    const ch = openIsdR(card);
    expect(es10(card, ch, 'BF2800').answer).toBe('BF2802A000');
  });
});
