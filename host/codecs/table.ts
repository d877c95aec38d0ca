// The EF codec table: which readable value each well-known EF holds, and how it maps to bytes. The
// profile loader uses it for contents written as values (`imsi: "001010123456789"`); the shell and the
// trace viewer use `decodeFile` to show file contents.
// FIDs are those of the MF (TS 102 221 §13) and ADF.USIM (TS 31.102 §4.2); a FID on its own is looked
// up there.

import { APPLET_PACKAGES } from '../../applets/registry.js';
import { type Bytes, equal, toHex } from '../../card-os/bytes.js';
import { codec, type EfCodec } from '../../card-os/ef-codec.js';
import { accValue, decodeAcc, encodeAcc } from './acc.js';
import { accessRuleValue, decodeAccessRule, encodeAccessRule } from './access-rule.js';
import { adValue, decodeAd, encodeAd } from './admin-data.js';
import {
  authKeys5gValue,
  decodeAuthKeys5g,
  decodeLoci5gs,
  decodeNsc5gs,
  decodeOpl5g,
  decodeRoutingIndicatorValue,
  decodeSuciCalcInfoValue,
  decodeSupiNai,
  decodeUacAic,
  encodeAuthKeys5g,
  encodeLoci5gs,
  encodeNsc5gs,
  encodeOpl5g,
  encodeRoutingIndicatorValue,
  encodeSuciCalcInfoValue,
  encodeSupiNai,
  encodeUacAic,
  loci5gsValue,
  nsc5gsValue,
  opl5gValue,
  routingIndicatorValue,
  suciCalcInfoValue,
  supiNaiValue,
  uacAicValue,
} from './df-5gs.js';
import { decodeDiallingNumber, diallingNumberValue, encodeDiallingNumber } from './dialling-number.js';
import { decodeDir, dirValue, encodeDir } from './dir.js';
import { decodeEcc, eccValue, encodeEcc } from './ecc.js';
import { decodeIccid, encodeIccid, iccidValue } from './iccid.js';
import { decodeImsi, encodeImsi, imsiValue } from './imsi.js';
import { decodeLanguages, encodeLanguages, languageListValue } from './language.js';
import {
  decodeEpsLoci,
  decodeLoci,
  decodePsLoci,
  encodeEpsLoci,
  encodeLoci,
  encodePsLoci,
  epsLociValue,
  lociValue,
  psLociValue,
} from './location.js';
import {
  decodePlmnActList,
  decodePlmnList,
  encodePlmnActList,
  encodePlmnList,
  plmnActListValue,
  plmnListValue,
} from './plmn.js';
import { decodePuct, encodePuct, puctValue } from './puct.js';
import {
  counter,
  decodeExt,
  decodeImg,
  decodeMessageIdRanges,
  decodeMessageIds,
  decodePbr,
  decodeUmpc,
  encodeExt,
  encodeImg,
  encodeMessageIdRanges,
  encodeMessageIds,
  encodePbr,
  encodeUmpc,
  extValue,
  imgValue,
  messageIdListValue,
  messageIdRangesValue,
  pbrValue,
  umpcValue,
} from './records.js';
import {
  decodeEpsNsc,
  decodeKc,
  decodeKeys,
  decodeStartHfn,
  encodeEpsNsc,
  encodeKc,
  encodeKeys,
  encodeStartHfn,
  epsNscValue,
  kcValue,
  keysValue,
  startHfnValue,
} from './security-context.js';
import { decodeServiceTable, encodeServiceTable, serviceListValue } from './service-table.js';
import {
  decodeSms,
  decodeSmsp,
  decodeSmss,
  encodeSms,
  encodeSmsp,
  encodeSmss,
  smspValue,
  smssValue,
  smsValue,
} from './sms.js';
import { decodeSpn, encodeSpn, spnValue } from './spn.js';
import { decimal } from './values.js';

export type { EfCodec };

/** An unsigned counter EF of `n` bytes. */
function counterCodec(
  name: string,
  fid: number,
  key: string,
  unit: 'file' | 'record',
  n: number,
  df?: number,
) {
  const c = counter(n);
  return codec(name, fid, key, unit, c.value, c.encode, c.decode, df);
}

const DF_TELECOM = 0x7f10;
const DF_GRAPHICS = 0x5f50;
const DF_PHONEBOOK = 0x5f3a;
const DF_GSM_ACCESS = 0x5f3b;
const DF_5GS = 0x5fc0;

const byte = decimal(0, 255);

const TABLE: readonly EfCodec[] = [
  // MF, TS 102 221 §13
  codec('EF.DIR', 0x2f00, 'dir', 'record', dirValue, encodeDir, decodeDir),
  codec('EF.ICCID', 0x2fe2, 'iccid', 'file', iccidValue, encodeIccid, decodeIccid),
  codec('EF.PL', 0x2f05, 'languages', 'file', languageListValue, encodeLanguages, decodeLanguages),
  codec('EF.ARR', 0x2f06, 'rules', 'record', accessRuleValue, encodeAccessRule, decodeAccessRule),
  codec('EF.UMPC', 0x2f08, 'umpc', 'file', umpcValue, encodeUmpc, decodeUmpc),
  // DF.TELECOM, TS 31.102 §4.4
  codec(
    'EF.ADN',
    0x6f3a,
    'adn',
    'record',
    diallingNumberValue,
    encodeDiallingNumber,
    decodeDiallingNumber,
    DF_TELECOM,
  ),
  codec('EF.EXT1', 0x6f4a, 'ext1', 'record', extValue, encodeExt, decodeExt, DF_TELECOM),
  codec('EF.IMG', 0x4f20, 'img', 'record', imgValue, encodeImg, decodeImg, DF_GRAPHICS),
  codec('EF.PBR', 0x4f30, 'pbr', 'record', pbrValue, encodePbr, decodePbr, DF_PHONEBOOK),
  counterCodec('EF.PSC', 0x4f22, 'psc', 'file', 4, DF_PHONEBOOK),
  counterCodec('EF.CC', 0x4f23, 'cc', 'file', 2, DF_PHONEBOOK),
  counterCodec('EF.PUID', 0x4f24, 'puid', 'file', 2, DF_PHONEBOOK),
  // ADF.USIM, TS 31.102 §4.2
  codec('EF.LI', 0x6f05, 'languages', 'file', languageListValue, encodeLanguages, decodeLanguages),
  codec('EF.ARR', 0x6f06, 'rules', 'record', accessRuleValue, encodeAccessRule, decodeAccessRule),
  codec('EF.IMSI', 0x6f07, 'imsi', 'file', imsiValue, encodeImsi, decodeImsi),
  codec('EF.Keys', 0x6f08, 'keys', 'file', keysValue, encodeKeys, decodeKeys),
  codec('EF.KeysPS', 0x6f09, 'keysPs', 'file', keysValue, encodeKeys, decodeKeys),
  codec(
    'EF.HPPLMN',
    0x6f31,
    'hpplmn',
    'file',
    byte,
    (v) => Uint8Array.of(v),
    (b) => (b.length === 1 ? b[0] : undefined),
  ),
  counterCodec('EF.ACMmax', 0x6f37, 'acmMax', 'file', 3),
  codec('EF.UST', 0x6f38, 'ust', 'file', serviceListValue, encodeServiceTable, decodeServiceTable),
  counterCodec('EF.ACM', 0x6f39, 'acm', 'record', 3),
  codec('EF.PUCT', 0x6f41, 'puct', 'file', puctValue, encodePuct, decodePuct),
  codec('EF.FDN', 0x6f3b, 'fdn', 'record', diallingNumberValue, encodeDiallingNumber, decodeDiallingNumber),
  codec('EF.SMS', 0x6f3c, 'sms', 'record', smsValue, encodeSms, decodeSms),
  codec(
    'EF.MSISDN',
    0x6f40,
    'msisdn',
    'record',
    diallingNumberValue,
    encodeDiallingNumber,
    decodeDiallingNumber,
  ),
  codec('EF.SMSP', 0x6f42, 'smsp', 'record', smspValue, encodeSmsp, decodeSmsp),
  codec('EF.SMSS', 0x6f43, 'smss', 'file', smssValue, encodeSmss, decodeSmss),
  codec('EF.CBMI', 0x6f45, 'cbmi', 'file', messageIdListValue, encodeMessageIds, decodeMessageIds),
  codec('EF.SPN', 0x6f46, 'spn', 'file', spnValue, encodeSpn, decodeSpn),
  codec('EF.CBMID', 0x6f48, 'cbmid', 'file', messageIdListValue, encodeMessageIds, decodeMessageIds),
  codec('EF.EXT2', 0x6f4b, 'ext2', 'record', extValue, encodeExt, decodeExt),
  codec(
    'EF.CBMIR',
    0x6f50,
    'cbmir',
    'file',
    messageIdRangesValue,
    encodeMessageIdRanges,
    decodeMessageIdRanges,
  ),
  codec('EF.EST', 0x6f56, 'est', 'file', serviceListValue, encodeServiceTable, decodeServiceTable),
  codec('EF.START-HFN', 0x6f5b, 'startHfn', 'file', startHfnValue, encodeStartHfn, decodeStartHfn),
  counterCodec('EF.THRESHOLD', 0x6f5c, 'threshold', 'file', 3),
  codec('EF.PLMNwAcT', 0x6f60, 'plmnwact', 'file', plmnActListValue, encodePlmnActList, decodePlmnActList),
  codec('EF.OPLMNwAcT', 0x6f61, 'oplmnwact', 'file', plmnActListValue, encodePlmnActList, decodePlmnActList),
  codec('EF.HPLMNwAcT', 0x6f62, 'hplmnwact', 'file', plmnActListValue, encodePlmnActList, decodePlmnActList),
  codec('EF.PSLOCI', 0x6f73, 'psloci', 'file', psLociValue, encodePsLoci, decodePsLoci),
  codec('EF.ACC', 0x6f78, 'acc', 'file', accValue, encodeAcc, decodeAcc),
  codec('EF.FPLMN', 0x6f7b, 'fplmn', 'file', plmnListValue, encodePlmnList, decodePlmnList),
  codec('EF.LOCI', 0x6f7e, 'loci', 'file', lociValue, encodeLoci, decodeLoci),
  codec('EF.AD', 0x6fad, 'ad', 'file', adValue, encodeAd, decodeAd),
  codec('EF.ECC', 0x6fb7, 'ecc', 'record', eccValue, encodeEcc, decodeEcc),
  codec('EF.EHPLMN', 0x6fd9, 'ehplmn', 'file', plmnListValue, encodePlmnList, decodePlmnList),
  codec('EF.EPSLOCI', 0x6fe3, 'epsloci', 'file', epsLociValue, encodeEpsLoci, decodeEpsLoci),
  codec('EF.EPSNSC', 0x6fe4, 'epsnsc', 'record', epsNscValue, encodeEpsNsc, decodeEpsNsc),
  // DF.GSM-ACCESS, TS 31.102 §4.6.2
  codec('EF.Kc', 0x4f20, 'kc', 'file', kcValue, encodeKc, decodeKc, DF_GSM_ACCESS),
  codec('EF.KcGPRS', 0x4f52, 'kcGprs', 'file', kcValue, encodeKc, decodeKc, DF_GSM_ACCESS),
  // DF.5GS under ADF.USIM, TS 31.102 §4.4.11 (their FIDs repeat in other DFs)
  codec('EF.5GS3GPPLOCI', 0x4f01, 'loci5gs', 'file', loci5gsValue, encodeLoci5gs, decodeLoci5gs, DF_5GS),
  codec('EF.5GSN3GPPLOCI', 0x4f02, 'loci5gs', 'file', loci5gsValue, encodeLoci5gs, decodeLoci5gs, DF_5GS),
  codec('EF.5GS3GPPNSC', 0x4f03, 'nsc5gs', 'record', nsc5gsValue, encodeNsc5gs, decodeNsc5gs, DF_5GS),
  codec('EF.5GSN3GPPNSC', 0x4f04, 'nsc5gs', 'record', nsc5gsValue, encodeNsc5gs, decodeNsc5gs, DF_5GS),
  codec(
    'EF.5GAUTHKEYS',
    0x4f05,
    'authKeys5g',
    'file',
    authKeys5gValue,
    encodeAuthKeys5g,
    decodeAuthKeys5g,
    DF_5GS,
  ),
  codec('EF.UAC_AIC', 0x4f06, 'uacAic', 'file', uacAicValue, encodeUacAic, decodeUacAic, DF_5GS),
  codec(
    'EF.SUCI_Calc_Info',
    0x4f07,
    'suciCalcInfo',
    'file',
    suciCalcInfoValue,
    encodeSuciCalcInfoValue,
    decodeSuciCalcInfoValue,
    DF_5GS,
  ),
  codec('EF.OPL5G', 0x4f08, 'opl5g', 'record', opl5gValue, encodeOpl5g, decodeOpl5g, DF_5GS),
  codec('EF.SUPI_NAI', 0x4f09, 'supiNai', 'file', supiNaiValue, encodeSupiNai, decodeSupiNai, DF_5GS),
  codec(
    'EF.Routing_Indicator',
    0x4f0a,
    'routingIndicator',
    'file',
    routingIndicatorValue,
    encodeRoutingIndicatorValue,
    decodeRoutingIndicatorValue,
    DF_5GS,
  ),
];

/**
 * Every codec: the table above, then those the applet packages declare for their ADFs' EFs
 * (applets/registry.ts), each tagged with its application so its FID counts inside that ADF only.
 */
export const EF_CODECS: readonly EfCodec[] = [
  ...TABLE,
  ...APPLET_PACKAGES.flatMap((p) =>
    p.adfAid ? (p.codecs ?? []).map((c) => ({ ...c, application: { name: p.name, aid: p.adfAid! } })) : [],
  ),
];

/** The profile keys that hold readable values, each with its value schema. */
export const CODEC_KEYS: ReadonlyMap<string, EfCodec> = new Map(EF_CODECS.map((c) => [c.key, c]));

function normaliseName(n: string): string {
  return n.trim().toUpperCase().replace(/^EF\./, '');
}

/**
 * The codec for an EF given by name ("EF.IMSI", "imsi"), FID (0x6F07, "6F07") or FID path
 * ("3F00/7FF0/6F07": the last FID counts).
 */
export function codecFor(key: string | number): EfCodec | undefined {
  // A FID alone names an EF of the MF or ADF.USIM; inside another DF the path gives the DF (TS 102 221 §8.2).
  // An application's own EFs are found by name, or through the file they are in (codecForFile).
  if (typeof key === 'number') return TABLE.find((c) => c.fid === key && c.df === undefined);
  const fids = key.split('/').map((p) => p.trim());
  const last = fids.pop()!;
  if (/^[0-9A-Fa-f]{4}$/.test(last)) {
    const fid = Number.parseInt(last, 16);
    const df = fids.length ? Number.parseInt(fids[fids.length - 1]!, 16) : undefined;
    return (
      TABLE.find((c) => c.fid === fid && c.df !== undefined && c.df === df) ??
      TABLE.find((c) => c.fid === fid && c.df === undefined)
    );
  }
  const n = normaliseName(key);
  return EF_CODECS.find((c) => normaliseName(c.name) === n);
}

/** A file of a card's tree, as far as finding its codec needs. */
export interface CodecFile {
  name: string;
  fid: number;
  type?: string;
  aid?: Bytes;
  parent?: CodecFile;
}

/**
 * The codec an application declares for a file in its ADF (matched by name or FID), e.g. EF.IST (6F07) in
 * ADF.ISIM; undefined outside such an ADF. Callers fall back to `codecFor` (name, FID, path).
 */
export function applicationCodecFor(f: CodecFile): EfCodec | undefined {
  let adf = f.parent;
  while (adf && adf.type !== 'ADF') adf = adf.parent;
  const aid = adf?.aid;
  if (!aid) return undefined;
  const mine = EF_CODECS.filter(
    (c) => c.application && equal(aid.subarray(0, c.application.aid.length), c.application.aid),
  );
  return (
    mine.find((c) => normaliseName(c.name) === normaliseName(f.name)) ?? mine.find((c) => c.fid === f.fid)
  );
}

/**
 * Decodes file contents into a readable value, or undefined when no codec exists or the bytes are not a
 * well-formed value. For record EFs, `bytes` is one record, or all records concatenated when
 * `recordLength` is given (the result is then a list with undefined for empty records).
 */
export function decodeFile(key: string | number, bytes: Bytes, recordLength?: number): unknown {
  const c = codecFor(key);
  if (!c) return undefined;
  if (c.unit === 'file' || !recordLength) return c.decode(bytes);
  const out: unknown[] = [];
  for (let o = 0; o + recordLength <= bytes.length; o += recordLength) {
    out.push(c.decode(bytes.subarray(o, o + recordLength)));
  }
  return out;
}

/** One-line text for a decoded value: lists in [], maps in {}, bytes in hex. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(', ')}}`;
  }
  return typeof v === 'string' && /[,[\]{}]/.test(v) ? JSON.stringify(v) : String(v);
}
