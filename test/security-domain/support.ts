// Test glue for the security domain through the real card: the default profile's card (optionally with the
// SD applet made with test options, e.g. a pinned ephemeral key), the off-card entity on the TEST_PKI over
// the embedded transport, and the network side (HSS from the profile, AUTHENTICATE). Not a test file.

import {
  SD_APPLET_NAME,
  type SecurityDomainOptions,
  securityDomainApplet,
} from '../../applets/security-domain/applet.js';
import { type EcKeyPair, nodeP256 } from '../../applets/security-domain/ec.js';
import { KEY_USAGE } from '../../applets/security-domain/gp-certificate.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { buildCommand, swOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import type { NvmSnapshot } from '../../card-os/nvm.js';
import { openCard } from '../../host/card-factory.js';
import { hssFromProfile } from '../../host/cli/auth.js';
import { authenticateApdu, send } from '../../host/network/attach.js';
import { type Auc, createAuc } from '../../host/network/auc.js';
import type { SubscriberRecord } from '../../host/network/subscribers.js';
import { type OceConfig, type OceSession, openScp11 } from '../../host/scp11/oce.js';
import { type CertificateAuthority, issueCertificate, TEST_PKI } from '../../host/scp11/pki.js';
import { claOnChannel } from '../../host/transport/cla.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import type { Transport } from '../../host/transport/transport.js';

export const SD_AID = fromHex('A000000151000000');
export const USIM_AID = fromHex('A0000000871002');

export const fixedKey = (d: Bytes) => (): EcKeyPair => ({
  d: new Uint8Array(d),
  q: nodeP256.publicKeyOf(d)!,
});

export interface CardOptions {
  sd?: Omit<SecurityDomainOptions, 'aid'>;
  /** NVM records of the template to replace (e.g. key slots). */
  records?: Record<string, Bytes>;
  /** A card restarted from saved NVM. */
  nvm?: NvmSnapshot;
  protocol?: 0 | 1;
}

/** A card from the default profile; its security domain applet built with `opts.sd` when given. */
export function sdCard(opts: CardOptions = {}): CardOs {
  const base = openCard().card;
  const applets = base.applets.map((a) =>
    a.name === SD_APPLET_NAME && opts.sd ? securityDomainApplet({ aid: a.aid!, ...opts.sd }) : a,
  );
  const nvm = new Map(base.spec.nvm);
  for (const [k, v] of Object.entries(opts.records ?? {})) nvm.set(k, v);
  const card = createCard({ ...base.spec, nvm }, { applets, ...(opts.nvm ? { nvm: opts.nvm } : {}) });
  if (opts.protocol !== undefined) card.protocol = opts.protocol;
  return card;
}

/** The same card after a power cut: a new card from its NVM snapshot (recovery runs at power-up). */
export function restart(card: CardOs): CardOs {
  return createCard(card.spec, { applets: card.applets, nvm: card.nvm.snapshot() });
}

export function transport(card: CardOs): Transport {
  return embeddedTransport(card);
}

/** CLA for a logical channel (TS 102 221 §10.1.1). */
export const claFor = claOnChannel;

/** SELECT the SD on a channel (T=0 rules handled). */
export async function selectSd(t: Transport, channel = 0): Promise<number> {
  return swOf(await send(t, buildCommand(claFor(0x00, channel), 0xa4, 0x04, 0x00, SD_AID, 256)));
}

export const TEST_OCE = {
  certificates: [TEST_PKI.oce.certificate],
  keyPair: TEST_PKI.oce.keyPair,
  cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
};

/** SELECT the SD, then SCP11 with the TEST_PKI OCE (overridable). */
export async function openSd(t: Transport, over: Partial<OceConfig> = {}): Promise<OceSession> {
  const channel = over.channel ?? 0;
  const sw = await selectSd(t, channel);
  if (sw !== 0x9000) throw new Error(`SELECT SD: ${sw.toString(16)}`);
  return openScp11({ transmit: (c) => send(t, c), ...TEST_OCE, sdKvn: 0x03, ...over });
}

/** An OCE leaf certificate for a fresh key, signed by `ca`. */
export function oceLeaf(
  ca: CertificateAuthority,
  extra: Partial<Parameters<typeof issueCertificate>[1]> = {},
) {
  const keyPair = nodeP256.generateKeyPair();
  const certificate = issueCertificate(ca, {
    serial: fromHex('0C0E'),
    publicKey: keyPair.q,
    keyUsage: KEY_USAGE.KEY_AGREEMENT,
    effective: 20240101,
    expiration: 20991231,
    ...extra,
  });
  return { keyPair, certificate };
}

export const KLOC: CertificateAuthority = { keyPair: TEST_PKI.klocCa.keyPair, keyId: TEST_PKI.klocCa.keyId };

// ---- network side

export function profileRecord(): SubscriberRecord {
  return hssFromProfile(openCard().profile);
}

export function hssWith(record: SubscriberRecord): Auc {
  return createAuc([record]);
}

/** SELECT ADF.USIM and one AUTHENTICATE with a vector of `auc`; returns the SW and whether RES = XRES. */
export async function authenticateWith(
  t: Transport,
  auc: Auc,
  imsi: string,
): Promise<{ sw: number; ok: boolean }> {
  const sel = await send(t, buildCommand(0x00, 0xa4, 0x04, 0x0c, USIM_AID));
  if (swOf(sel) !== 0x9000) throw new Error('SELECT ADF.USIM failed');
  // PIN1 of the default profile, verified as a handset does before AUTHENTICATE (TS 31.102 §7.1.2).
  await send(t, buildCommand(0x00, 0x20, 0x00, 0x01, fromHex('31323334FFFFFFFF')));
  const v = auc.generateVector(imsi);
  const r = await send(t, authenticateApdu(v.rand, v.autn));
  const sw = swOf(r);
  return { sw, ok: sw === 0x9000 && r[0] === 0xdb && toHex(r.subarray(2, 10)) === toHex(v.xres) };
}

export const keyRecord = (card: CardOs) => toHex(card.nvm.get(USIM_KEYS)!);
