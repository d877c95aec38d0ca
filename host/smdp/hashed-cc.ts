// Confirmation codes kept only as SHA-256 (host/smdp/store.ts) in front of the protocol core, which checks
// hashCc = SHA-256(SHA-256(code) ‖ transactionId) (SGP.22 §3.1.3.3) from the plain code of its claim.
// The SM-DP+ never needs the code itself, only SHA-256(code); until the core takes that directly, this
// wrapper does the check:
// - claim: an order with a code reaches the core with an unguessable `confirmationCode`, so the core signs
//   ccRequiredFlag and, left alone, refuses any hashCc (fail closed: never a download without the code);
// - getBoundProfilePackage: the eUICC's hashCc (euiccSigned2 tag 04) is checked here against the stored
//   SHA-256; when it matches, the claim's code is cleared so the core skips its own comparison (it still
//   verifies euiccSignature2, which covers hashCc and the transactionId); otherwise the core answers
//   8.2.7 (missing / refused) as it would.
// The core's functions run synchronously up to their answer (no await inside), so the claim made during
// one authenticateClient belongs to that request's transactionId.

import { createHash, randomBytes } from 'node:crypto';
import { child, children } from '../../applets/euicc/der.js';
import { equal } from '../../card-os/bytes.js';
import { readBer } from '../../card-os/tlv.js';
import type { SmdpStore } from './store.js';
import type { Es9Functions, SmdpClaim, SmdpInventory } from './types.js';

/** The inventory and a wrapper for the core made with it. */
export function hashedConfirmationCodes(store: SmdpStore): {
  inventory: SmdpInventory;
  wrap: (core: Es9Functions) => Es9Functions;
} {
  let currentTid: string | undefined;
  const pending = new Map<string, { claim: SmdpClaim; hash: Uint8Array }>();
  const inventory: SmdpInventory = {
    claim: (q) => {
      const c = store.claim(q);
      if ('error' in c || !c.confirmationCodeHash) return c;
      const { confirmationCodeHash: hash, ...rest } = c;
      const claim: SmdpClaim = { ...rest, confirmationCode: randomBytes(24).toString('base64') };
      if (currentTid) pending.set(currentTid.toUpperCase(), { claim, hash });
      return claim;
    },
    settle: (matchingId, outcome) => store.settle(matchingId, outcome),
  };
  const wrap = (core: Es9Functions): Es9Functions => ({
    initiateAuthentication: (r) => core.initiateAuthentication(r),
    authenticateClient: (r) => {
      currentTid = typeof r?.transactionId === 'string' ? r.transactionId : undefined;
      try {
        return core.authenticateClient(r);
      } finally {
        currentTid = undefined;
      }
    },
    getBoundProfilePackage: (r) => {
      const tid = typeof r?.transactionId === 'string' ? r.transactionId.toUpperCase() : '';
      const p = pending.get(tid);
      if (p) {
        pending.delete(tid);
        const hashCc = hashCcOf(r.prepareDownloadResponse);
        const expected = createHash('sha256').update(p.hash).update(Buffer.from(tid, 'hex')).digest();
        if (hashCc && equal(hashCc, new Uint8Array(expected))) delete p.claim.confirmationCode;
      }
      return core.getBoundProfilePackage(r);
    },
    handleNotification: (r) => core.handleNotification(r),
    cancelSession: (r) => {
      if (typeof r?.transactionId === 'string') pending.delete(r.transactionId.toUpperCase());
      return core.cancelSession(r);
    },
  });
  return { inventory, wrap };
}

/** hashCc of a PrepareDownloadResponse: BF21 { A0 { 30 euiccSigned2 { 80, 5F49, 04 hashCc } 5F37 } }. */
function hashCcOf(b64: unknown): Uint8Array | undefined {
  if (typeof b64 !== 'string') return undefined;
  const top = readBer(new Uint8Array(Buffer.from(b64, 'base64')));
  if (top?.tag !== 0xbf21) return undefined;
  const ok = child(children(top.value) ?? [], 0xa0);
  const signed = ok && child(children(ok.value) ?? [], 0x30);
  return signed && child(children(signed.value) ?? [], 0x04)?.value;
}
