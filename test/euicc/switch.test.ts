// Switching the enabled profile of the default eUICC: after EnableProfile and the reset its REFRESH asks
// for, the terminal sees the new profile's files (EF.IMSI), AUTHENTICATE runs with its keys (checked
// against osmo-auc-gen), OTA RFM reaches its files only; a power loss at any NVM write of enable, disable,
// delete and memory reset leaves exactly one profile enabled (or none) and a card that authenticates.
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { decodeRefresh } from '../../card-os/cat-refresh.js';
import type { EuiccCard } from '../../card-os/euicc-card.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { osmoMissing, osmoSkipReason, osmoVector } from '../support/osmo-auc-gen.js';
import { MILENAGE_VECTORS } from '../usim/milenage-vectors.js';
import { AID_A, es10, ICCID_A, ICCID_B, newEuicc, openIsdR, runTornAt, txHex } from './support.js';

const PIN1 = '31323334FFFFFFFF';
const USIM = 'A0000000871002';
/** EF.IMSI contents (TS 31.102 §4.2.2) of the three profiles. */
const IMSI = { A: '080910101032547698', B: '080910100000000020', T: '080910101032543660' };
/** The USIM keys of each profile: TS 35.208 test sets 1 (A), 3 (B), 4 (test profile). */
const KEYS = {
  A: MILENAGE_VECTORS.find((v) => v.set === 1)!,
  B: MILENAGE_VECTORS.find((v) => v.set === 3)!,
  T: MILENAGE_VECTORS.find((v) => v.set === 4)!,
};

function tlv(tag: string, ...values: string[]): string {
  const v = values.join('');
  return `${tag}${(v.length / 2).toString(16).padStart(2, '0')}${v}`.toUpperCase();
}
const enableReq = (iccid: string) => tlv('BF31', tlv('A0', tlv('5A', iccid)), tlv('81', 'FF'));

/** SELECT ADF.USIM, VERIFY PIN1 and READ EF.IMSI on the basic channel (T=1: data in the answer). */
function imsi(card: EuiccCard): string | undefined {
  if (txHex(card, `00A4040C07${USIM}`).sw !== '9000') return undefined;
  expect(txHex(card, `0020000108${PIN1}`).sw).toBe('9000');
  return txHex(card, '00B0870009').data;
}

/** AUTHENTICATE with a vector made by osmo-auc-gen from `keys`; the SW (and data) the card answers. */
function authenticate(card: EuiccCard, keys: { k: string; opc: string }, sqn = 64) {
  const rand = '0123456789ABCDEF0123456789ABCDEF';
  const v = osmoVector({ k: keys.k, opc: keys.opc, rand, sqn, amf: '8000' });
  const r = txHex(card, `008800812210${rand}10${v.get('AUTN')}00`);
  return { ...r, res: v.get('RES')! };
}

describe('enable another profile, then reset', () => {
  it.skipIf(osmoMissing)(
    `the terminal sees its EF.IMSI and AUTHENTICATE uses its keys${osmoSkipReason}`,
    () => {
      const c = newEuicc();
      expect(imsi(c)).toBe(IMSI.A);
      c.reset();
      const ch = openIsdR(c);
      expect(es10(c, ch, enableReq(ICCID_B)).answer).toBe('BF3103800100');
      // The eUICC asks for a reset: FETCH gives REFRESH in UICC reset mode (TS 102 223 §6.4.7).
      const fetched = txHex(c, '8012000000');
      const len = fetched.sw === '9000' ? fetched.data : txHex(c, `80120000${fetched.sw.slice(2)}`).data;
      expect(decodeRefresh(fromHex(len))?.qualifier).toBe(4);
      expect(imsi(c)).toBe(IMSI.A); // until the reset, the old profile
      c.reset();
      c.protocol = 1;
      expect(imsi(c)).toBe(IMSI.B);
      const ok = authenticate(c, KEYS.B);
      expect(ok.sw).toBe('9000');
      expect(ok.data.toLowerCase().startsWith(`db08${ok.res}`)).toBe(true);
      expect(authenticate(c, KEYS.A, 96).sw).toBe('9862'); // A's keys are not this profile's
      // And back to A: its own SQN state and PIN state were kept apart.
      const ch2 = openIsdR(c);
      expect(es10(c, ch2, enableReq(ICCID_A)).answer).toBe('BF3103800100');
      c.reset();
      c.protocol = 1;
      expect(imsi(c)).toBe(IMSI.A);
      expect(authenticate(c, KEYS.A).sw).toBe('9000');
    },
  );

  it('with no profile enabled the terminal sees the eUICC MF only, the ISD-R still answers', () => {
    const c = newEuicc({ protocol: 1 });
    const ch = openIsdR(c);
    expect(es10(c, ch, tlv('BF32', tlv('A0', tlv('4F', AID_A)), tlv('81', 'FF'))).answer).toBe(
      'BF3203800100',
    );
    c.reset();
    c.protocol = 1;
    expect(txHex(c, `00A4040C07${USIM}`).sw).toBe('6A82');
    expect(txHex(c, '00A4000C022FE2').sw).toBe('6A82'); // no profile's EF.ICCID
    expect(txHex(c, '00A4040010A0000005591010FFFFFFFF890000010000').sw).toBe('9000');
    expect(txHex(c, '80E2910006BF3E035C015A00').data.startsWith('BF3E12')).toBe(true);
  });

  it('OTA RFM reaches the enabled profile’s files only', async () => {
    const c = newEuicc();
    const ch = openIsdR(c);
    es10(c, ch, enableReq(ICCID_B));
    c.reset();
    const transport = embeddedTransport(c);
    const r = await deliverOta(transport, new OtaServer(), {
      iccid: '89882110000000000101',
      tar: 0xb00011,
      spi: decodeSpi(0x16, 0x19)!,
      kic: 0x22,
      kid: 0x22,
      keysets: OTA_TEST_KEYSETS,
      script: fromHex(`00A40004026F07${'00D6000009080910100000000099'}00B0000009`),
    });
    expect(r.por).toMatchObject({ ok: true, status: 0 });
    if (r.por?.ok) expect(toHex(r.por.data)).toBe('039000080910100000000099');
    // Profile A's EF.IMSI did not change.
    const ch2 = openIsdR(c);
    es10(c, ch2, enableReq(ICCID_A));
    c.reset();
    c.protocol = 1;
    expect(imsi(c)).toBe(IMSI.A);
  });
});

/** Runs `op` with a power loss at physical NVM step k; the card as rebuilt from its NVM afterwards. */
function tearAt(k: number, op: (c: EuiccCard) => void): { card: EuiccCard; completed: boolean } {
  const c = newEuicc();
  const ch = openIsdR(c);
  const completed = runTornAt(c, k, () => op(Object.assign(c, { channel: ch })));
  const card = newEuicc({ nvm: c.snapshot(), protocol: 1 });
  return { card, completed };
}

function enabledOf(card: EuiccCard): string[] {
  const ch = openIsdR(card);
  const list = es10(card, ch, 'BF2D055C039F705A').answer; // tag list: state, ICCID;
  txHex(card, `0070800${ch}`);
  const out: string[] = [];
  const re = /9F7001(0[01])5A0A([0-9A-F]{20})|5A0A([0-9A-F]{20})9F7001(0[01])/g;
  for (const m of list.matchAll(re)) {
    const state = m[1] ?? m[4];
    const iccid = m[2] ?? m[3];
    if (state === '01') out.push(iccid!);
  }
  return out;
}

const OPS: { name: string; op: (c: EuiccCard & { channel?: number }) => void; after: string[] }[] = [
  { name: 'enable B', op: (c) => es10(c, c.channel!, enableReq(ICCID_B)), after: [ICCID_B] },
  {
    name: 'disable A',
    op: (c) => es10(c, c.channel!, tlv('BF32', tlv('A0', tlv('5A', ICCID_A)), tlv('81', 'FF'))),
    after: [],
  },
  { name: 'delete B', op: (c) => es10(c, c.channel!, tlv('BF33', tlv('5A', ICCID_B))), after: [ICCID_A] },
  { name: 'memory reset', op: (c) => es10(c, c.channel!, 'BF3404820205E0'), after: [] },
];

describe('power loss at every NVM write', () => {
  for (const o of OPS) {
    it.skipIf(osmoMissing)(
      `${o.name}: exactly one profile (or none) enabled at every tear, and it authenticates${osmoSkipReason}`,
      () => {
        let k = 1;
        for (; k < 50; k++) {
          const { card, completed } = tearAt(k, o.op);
          const enabled = enabledOf(card);
          expect([[ICCID_A], o.after]).toContainEqual(enabled);
          card.reset();
          card.protocol = 1;
          if (enabled.length === 0) expect(txHex(card, `00A4040C07${USIM}`).sw).toBe('6A82');
          else {
            const keys = enabled[0] === ICCID_A ? KEYS.A : KEYS.B;
            expect(imsi(card)).toBe(enabled[0] === ICCID_A ? IMSI.A : IMSI.B);
            expect(authenticate(card, keys).sw).toBe('9000');
          }
          if (completed) break;
        }
        expect(k).toBeGreaterThan(1); // the operation wrote at least once
      },
    );
  }
});
