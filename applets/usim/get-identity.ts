// GET IDENTITY (TS 31.102 §7.5), SUCI context: the USIM computes the SUCI itself (service n°125, "SUCI
// calculation by the USIM") from EF.IMSI, EF.AD (MNC length), DF.5GS/EF.SUCI_Calc_Info and
// DF.5GS/EF.Routing_Indicator, with the null scheme or an ECIES profile of TS 33.501 Annex C.3.
//
// Where the keys live: TS 31.102 leaves the storage of the USIM's own calculation data to the card
// vendor; this card reads them from EF.SUCI_Calc_Info, in that file's standard format, so one file
// serves a handset (service 124) and the card (service 125) alike.
//
// Status words (TS 31.102 §7.5.2, §7.3; TS 102 221 §10.2.1):
//   6E00  CLA not of the 8X/CX/EX class of this command (left to the OS for ISO classes)
//   6A86  P1 not '00', or an identity context that is not defined (P2 b7..b1 other than 1 or 2)
//   9864  SUCI for 5G NSWO (P2 = 2): a defined context this USIM does not run
//   6700  command data present (the command has none)
//   6982  PIN1 (or the universal PIN) not verified, as for AUTHENTICATE
//   6985  service n°125 not available in EF.UST, or n°124 not (n°125 counts only with n°124, §4.2.8)
//   6A88  no entry of the priority list this USIM can run (scheme unknown, or its key is not in the list
//         or not a key of the profile's curve)
//   6F00  the card's own files are malformed (EF.IMSI, EF.AD, EF.SUCI_Calc_Info, EF.Routing_Indicator) or
//         missing, or the ECDH fails on the stored key: a fault of the card's data, never an exception

import type { Command } from '../../card-os/apdu.js';
import type { AppletContext, Reply } from '../../card-os/applet.js';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { SW } from '../../card-os/sw.js';
import { chooseScheme, decodeRoutingIndicator, decodeSuciCalcInfo, encodeSuci, msinBcd } from './suci.js';
import { eciesConceal, ephemeralKeyPair, profileOfScheme, SCHEME } from './suci-ecies.js';

export const INS_GET_IDENTITY = 0x78;
/** Services n°124 "subscription identifier privacy support", n°125 "SUCI calculation by the USIM" (§4.2.8). */
export const SERVICE_SUCI = 124;
export const SERVICE_SUCI_BY_USIM = 125;

const CONTEXT_SUCI = 0x01;
const CONTEXT_SUCI_NSWO = 0x02;
const TAG_SUCI = 0xa1;

const PIN1 = 0x01;
const UNIVERSAL_PIN = 0x11;

export const FILES = {
  imsi: 'ADF/6F07',
  ad: 'ADF/6FAD',
  suciCalcInfo: 'ADF/5FC0/4F07',
  routingIndicator: 'ADF/5FC0/4F0A',
} as const;

/** IMSI digits from EF.IMSI (TS 31.102 §4.2.2), undefined if malformed. */
function imsiDigits(b: Bytes): string | undefined {
  const len = b[0];
  if (len === undefined || len < 1 || len > 8 || b.length < 1 + len) return undefined;
  if ((b[1]! & 0x07) !== 0x01) return undefined; // identity type IMSI
  let s = '';
  for (let i = 0; i < len * 2; i++) {
    const d = i & 1 ? b[1 + (i >> 1)]! >> 4 : b[1 + (i >> 1)]! & 0xf;
    if (i === 0) continue; // parity / type nibble
    if (d === 0xf && i === len * 2 - 1) break;
    if (d > 9) return undefined;
    s += String(d);
  }
  return s.length >= 6 ? s : undefined;
}

function readOptional(ctx: AppletContext, path: string): Bytes | undefined {
  const f = ctx.file(path);
  return f ? ctx.readFile(f) : undefined;
}

export interface IdentityOptions {
  /** The card's random source (ephemeral keys). */
  random: (n: number) => Bytes;
}

export function getIdentity(cmd: Command, ctx: AppletContext, opts: IdentityOptions): Reply {
  if (cmd.p1 !== 0) return { sw: SW.INCORRECT_P1P2 };
  const context = cmd.p2 & 0x7f; // b8 is a scope flag, not part of the context
  if (context === CONTEXT_SUCI_NSWO) return { sw: SW.AUTH_CONTEXT_NOT_SUPPORTED };
  if (context !== CONTEXT_SUCI) return { sw: SW.INCORRECT_P1P2 };
  if (cmd.data.length) return { sw: SW.WRONG_LENGTH };
  if (!ctx.hasKey(PIN1) && !ctx.hasKey(UNIVERSAL_PIN)) return { sw: SW.SECURITY_NOT_SATISFIED };
  if (!ctx.service(SERVICE_SUCI) || !ctx.service(SERVICE_SUCI_BY_USIM))
    return { sw: SW.CONDITIONS_NOT_SATISFIED };

  const imsiFile = readOptional(ctx, FILES.imsi);
  const ad = readOptional(ctx, FILES.ad);
  const infoFile = readOptional(ctx, FILES.suciCalcInfo);
  if (!imsiFile || !ad || !infoFile) return { sw: SW.TECHNICAL_PROBLEM };
  const imsi = imsiDigits(imsiFile);
  // EF.AD byte 4, b4..b1: length of the MNC in the IMSI (TS 31.102 §4.2.18).
  const mncLength = (ad[3] ?? 0) & 0x0f;
  const info = decodeSuciCalcInfo(infoFile);
  if (!imsi || (mncLength !== 2 && mncLength !== 3) || !info) return { sw: SW.TECHNICAL_PROBLEM };
  const riFile = readOptional(ctx, FILES.routingIndicator);
  const routingIndicator = riFile ? decodeRoutingIndicator(riFile) : '0';
  if (routingIndicator === undefined) return { sw: SW.TECHNICAL_PROBLEM };

  const choice = chooseScheme(info);
  if (!choice) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  const msin = imsi.slice(3 + mncLength);
  let output = msinBcd(msin);
  let keyId = 0;
  const profile = profileOfScheme(choice.scheme);
  if (profile && choice.key) {
    const eph = ephemeralKeyPair(profile, opts.random);
    const concealed = eph && eciesConceal(profile, choice.key.key, eph, output);
    if (!concealed) return { sw: SW.TECHNICAL_PROBLEM };
    output = concealed;
    keyId = choice.key.id;
  } else if (choice.scheme !== SCHEME.NULL) return { sw: SW.REFERENCED_DATA_NOT_FOUND };

  const suci = encodeSuci({
    mcc: imsi.slice(0, 3),
    mnc: imsi.slice(3, 3 + mncLength),
    routingIndicator,
    scheme: choice.scheme,
    keyId,
    output,
  });
  // Response: SUCI TLV 'A1' (TS 31.102 §7.5.2.2).
  return { sw: SW.OK, data: concat(Uint8Array.of(TAG_SUCI, suci.length), suci) };
}
