// `uicc ltk-update`: replaces the long-term keys (K, OPc) of a profile through an SCP11a session with the
// card's security domain, updates the operator's HSS, and proves it with AUTHENTICATE: the new keys are
// accepted, the old ones refused (9862). The flow is host/scp11/ltk-update.ts; this prints its steps.
// Key values are never printed: key check values (KCV, GPC §11.8.2 style) stand for them.

import { type Command, InvalidArgumentError } from 'commander';
import { SD_APPLET_NAME } from '../../applets/security-domain/applet.js';
import { SECURITY_LEVEL } from '../../applets/security-domain/secure-messaging.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { swHex, swName } from '../../card-os/sw.js';
import { saveSubscribers } from '../network/subscribers.js';
import { type LtkStep, updateLongTermKeys } from '../scp11/ltk-update.js';
import { TEST_PKI } from '../scp11/pki.js';
import { hexString, imsiDigits, pinDigits } from './arg-parsers.js';
import { openHss, pinFor, printStep } from './auth.js';
import { green, red } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

/** The issuer security domain's AID (GPC v2.3.1 §H.1.3, RID A000000151). */
const ISD_AID = fromHex('A000000151000000');

const LEVEL_NAMES: [number, string][] = [
  [SECURITY_LEVEL.AUTHENTICATED, 'OCE authenticated'],
  [SECURITY_LEVEL.C_MAC, 'C-MAC'],
  [SECURITY_LEVEL.C_DECRYPTION, 'C-DECRYPTION'],
  [SECURITY_LEVEL.R_MAC, 'R-MAC'],
  [SECURITY_LEVEL.R_ENCRYPTION, 'R-ENCRYPTION'],
];

const hex2 = (n: number) => toHex(Uint8Array.of(n));

const day = (yyyymmdd: number) => {
  const s = String(yyyymmdd);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
};

function printLtkStep(s: LtkStep, hssWhere: string): void {
  switch (s.kind) {
    case 'select':
      console.log(`SD    SELECT ${toHex(s.aid)}: 9000`);
      break;
    case 'sd-key':
      console.log(`SD    SCP11a key KID ${hex2(s.kid)}, KVN ${hex2(s.kvn)} (GET DATA 00E0)`);
      break;
    case 'session': {
      const c = s.cardCertificate;
      console.log(
        `SD    card certificate CSN ${toHex(c.serial)}, issuer ${toHex(c.issuerId)}, valid until ${day(c.expiration)}: verified against CA-KLCC`,
      );
      console.log(
        `OCE   ${s.oceCertificates} certificate(s) uploaded (PERFORM SECURITY OPERATION), MUTUAL AUTHENTICATE: receipt verified`,
      );
      const level = LEVEL_NAMES.filter(([bit]) => s.securityLevel & bit).map(([, n]) => n);
      console.log(`      SCP11a session open: ${level.join(', ')}`);
      break;
    }
    case 'updated':
      console.log(
        s.mode === 'transport'
          ? `SD    profile ${s.profileId} updated: new K and OPc (${s.opc}) sent under S-DEK`
          : `SD    profile ${s.profileId} updated: K and OPc derived on both ends from the session, none sent`,
      );
      console.log(`      KCV(K) ${toHex(s.kcvK)}, KCV(OPc) ${toHex(s.kcvOpc)}: confirmed by the card`);
      break;
    case 'hss':
      console.log(`HSS   subscriber ${s.imsi}: new K/OPc stored (${hssWhere})`);
      console.log('USIM  SELECT ADF.USIM; AUTHENTICATE with the new keys:');
      break;
    case 'attach':
      printStep(s.step);
      break;
    case 'old-key':
      console.log(
        `USIM  AUTHENTICATE with the old keys: ${swHex(s.sw)} (${swName(s.sw)}) ${s.sw === 0x9862 ? green('refused, as it must be') : red('NOT refused')}`,
      );
      break;
  }
}

function profileIdArg(v: string): number {
  const n = /^\d+$/.test(v)
    ? Number(v)
    : /^0x[0-9a-f]+$/i.test(v)
      ? Number.parseInt(v.slice(2), 16)
      : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xff)
    throw new InvalidArgumentError('expected a key-slot index 0..255 (decimal or 0x hex)');
  return n;
}

interface LtkOpts extends TransportOpts {
  profileId: number;
  derive?: boolean;
  hss?: string;
  imsi?: string;
  sdAid?: string;
  pin?: string;
}

export function registerLtkUpdate(program: Command): void {
  const cmd = program
    .command('ltk-update')
    .description(
      "replace a profile's long-term keys (K, OPc) through an SCP11a session with the security domain, " +
        'update the HSS, and check: AUTHENTICATE succeeds with the new keys and fails with the old ones',
    )
    .requiredOption(
      '--profile-id <n>',
      'profile to update: its key-slot index (0: the active subscription)',
      profileIdArg,
    )
    .option('--derive', 'derivation mode: both ends derive the new keys from the session; no key is sent')
    .option(
      '--hss <file>',
      'subscriber file of the HSS (JSON), updated in place; default: an in-memory HSS from the card profile',
    )
    .option('--imsi <imsi>', 'subscriber (default: the profile IMSI, or the only one in --hss)', imsiDigits)
    .option(
      '--pin <pin>',
      "PIN1 to verify before the closing AUTHENTICATE (default: an emulated card's profile PIN1)",
      pinDigits,
    )
    .option(
      '--sd-aid <aid>',
      "security domain AID (default: the profile's, else A000000151000000)",
      hexString(5, 16),
    );
  transportOptions(cmd).action(async (opts: LtkOpts) => {
    const profileId = opts.profileId;
    const t = await openTransport(opts, 'uicc ltk-update');
    try {
      const { auc: hss, imsi } = openHss(opts, t);
      const sdAid: Bytes = opts.sdAid
        ? fromHex(opts.sdAid)
        : (t.embedded?.card.applets.find((a) => a.name === SD_APPLET_NAME)?.aid ?? ISD_AID);
      const hssWhere = opts.hss ?? 'in memory';
      console.log(
        'OCE   credentials: the public test PKI (host/scp11/pki.ts), for emulated and test cards only',
      );
      const r = await updateLongTermKeys({
        transport: t.transport,
        sdAid,
        profileId,
        mode: opts.derive ? 'derive' : 'transport',
        hss,
        imsi,
        pin1: pinFor(opts, t),
        oce: {
          certificates: [TEST_PKI.oce.certificate],
          keyPair: TEST_PKI.oce.keyPair,
          cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
        },
        onStep: (s) => {
          // The card holds the new keys from here on: the HSS file must follow at once.
          if (s.kind === 'hss' && opts.hss) saveSubscribers(opts.hss, hss.records());
          printLtkStep(s, hssWhere);
        },
      });
      if (opts.hss) saveSubscribers(opts.hss, hss.records());
      console.log(
        r.ok ? green('long-term key update done') : red('long-term key update: the final check failed'),
      );
      process.exitCode = r.ok ? 0 : 1;
    } finally {
      await t.close();
    }
  });
}
