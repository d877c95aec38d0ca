// Test glue: a card (scp11-card + secure messaging + a stand-in security-domain dispatcher) reachable
// through a transmit function, as the lead's security-domain applet will wire it. Not a test file itself.

import { type EcKeyPair, nodeP256 } from '../../applets/security-domain/ec.js';
import {
  INS_PROFILE_UPDATE,
  type ProfileUpdate,
  parseProfileUpdate,
  profileUpdateResult,
} from '../../applets/security-domain/profile-update.js';
import {
  createScp11Card,
  type Scp11Card,
  type Scp11CardConfig,
} from '../../applets/security-domain/scp11-card.js';
import {
  hasSecureMessaging,
  unwrapCommand,
  wrapResponse,
} from '../../applets/security-domain/secure-messaging.js';
import { parseCommand, response } from '../../card-os/apdu.js';
import { type Bytes, fromHex } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { TEST_PKI } from '../../host/scp11/pki.js';

/** §1.7 vector inputs. */
export const VECTOR = {
  eSkOce: fromHex('b69d2d4a2544b5938ed3c4f6319810837e4dbbeff115bd9955607e8cdbbbace5'),
  ePkOce: fromHex(
    '0470B0BD7863E90E32DA5401188354D1F41999442FDFDCBA7472B7F1E5DBBF8A32F92D9D4F9D55C60D57D39BD6D7973306CEA55F7A86884096651A9CCAC8239C92',
  ),
  eSkSd: new Uint8Array(32).fill(0x22),
};

export const fixedKey = (d: Bytes) => (): EcKeyPair => ({
  d: new Uint8Array(d),
  q: nodeP256.publicKeyOf(d)!,
});

export const NOW = new Date(Date.UTC(2025, 5, 1));

export function testCardConfig(overrides: Partial<Scp11CardConfig> = {}): Scp11CardConfig {
  return {
    sdKeys: [
      { kid: 0x11, kvn: 0x03, keyPair: TEST_PKI.sd.keyPair, certificates: [TEST_PKI.sd.certificate] },
      { kid: 0x13, kvn: 0x03, keyPair: TEST_PKI.sd.keyPair, certificates: [TEST_PKI.sd.certificate] },
    ],
    oceCas: [
      {
        kid: TEST_PKI.klocCa.kid,
        kvn: TEST_PKI.klocCa.kvn,
        publicKey: TEST_PKI.klocCa.keyPair.q,
        keyId: TEST_PKI.klocCa.keyId,
      },
    ],
    now: () => NOW,
    ...overrides,
  };
}

export interface CardUnderTest {
  card: Scp11Card;
  transmit(raw: Bytes): Bytes;
  /** Key writes the stand-in applet performed (the lead's key-slot callback). */
  writes: ProfileUpdate[];
  /** Plain commands the stand-in applet received after unwrapping. */
  seen: Bytes[];
}

/**
 * A security domain stand-in: commands with the SM bit go through unwrapCommand / wrapResponse; inside,
 * GET DATA 0066 answers 7300, GET STATUS answers the §1.7 data, INS D4 is the profile update, the rest goes
 * to the SCP11 state machine.
 */
export function cardUnderTest(
  config: Scp11CardConfig,
  knownProfiles: ReadonlySet<string> = new Set(),
): CardUnderTest {
  const card = createScp11Card(config);
  const writes: ProfileUpdate[] = [];
  const seen: Bytes[] = [];
  function transmit(raw: Bytes): Bytes {
    const parsed = parseCommand(raw);
    if (!parsed.cmd) return response(parsed.error);
    const cmd = parsed.cmd;
    if (!hasSecureMessaging(cmd.cla)) {
      const r = card.process(cmd);
      return response(r.sw, r.data);
    }
    const session = card.session;
    if (!session) return response(SW.SECURITY_NOT_SATISFIED);
    const un = unwrapCommand(session, cmd);
    if ('sw' in un) return response(un.sw);
    const inner = un.cmd;
    seen.push(inner.raw);
    let reply: { sw: number; data?: Bytes };
    if (inner.ins === 0xca && inner.p1 === 0x00 && inner.p2 === 0x66)
      reply = { sw: SW.OK, data: fromHex('7300') };
    else if (inner.ins === 0xf2) reply = { sw: SW.OK, data: fromHex('08A000000151000000019E') };
    else if (inner.ins === INS_PROFILE_UPDATE) {
      const update = parseProfileUpdate(session, inner, knownProfiles);
      if ('sw' in update) reply = update;
      else {
        writes.push(update);
        reply = { sw: SW.OK, data: profileUpdateResult(update) };
      }
    } else reply = card.process(inner);
    const out = wrapResponse(session, reply.data ?? new Uint8Array(0), reply.sw);
    return response(out.sw, out.data);
  }
  return { card, transmit, writes, seen };
}
