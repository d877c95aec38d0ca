// The host side of the SGP.32 (eSIM IoT, v1.2) ES10b additions, as an IPA asks them through the LPA's ISD-R
// channel (host/euicc/lpa.ts): GetCerts (§5.9.10), GetEimConfigurationData (§5.9.18), AddInitialEim (§5.9.4).

import { parseCertificate } from '../../applets/euicc/x509.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { ber, parseBer, type Tlv } from '../../card-os/tlv.js';
import { describeEimConfig, type EimConfig, encodeEimConfig } from './eim.js';
import { type Lpa, LpaError } from './lpa.js';

/** AddInitialEim / GetCerts error codes (SGP.32 §5.9.4, §5.9.10). */
export const ADD_EIM_RESULTS: Record<number, string> = {
  1: 'insufficientMemory',
  2: 'associatedEimAlreadyExists',
  3: 'ciPKUnknown',
  5: 'invalidAssociationToken',
  6: 'counterValueOutOfRange',
  7: 'commandError',
  127: 'undefinedError',
};
export const GET_CERTS_RESULTS: Record<number, string> = { 1: 'invalidCiPKId', 127: 'undefinedError' };

export interface CertSummary {
  role: 'EUM' | 'eUICC';
  subject: string;
  issuer: string;
  ski?: string;
  aki?: string;
  der: Bytes;
}

const num = (b: Bytes) => b.reduce((n, x) => n * 256 + x, 0);

/** X.520 attribute short names (RFC 4514 §3) of the names the RSP PKI uses. */
const ATTRS: Record<string, string> = {
  '550403': 'CN',
  '550405': 'serialNumber',
  '55040a': 'O',
  '55040b': 'OU',
  '550406': 'C',
};

/** A Name (RFC 5280 §4.1.2.4) as text, attributes in order. */
export function nameText(name: Bytes): string {
  const parts: string[] = [];
  // The Name SEQUENCE itself or its content: RDN SETs either way.
  const top = parseBer(name) ?? [];
  const rdns = top.length === 1 && top[0]!.tag === 0x30 ? (parseBer(top[0]!.value) ?? []) : top;
  for (const set of rdns) {
    for (const atv of parseBer(set.value) ?? []) {
      const [oid, value] = parseBer(atv.value) ?? [];
      if (!oid || !value) continue;
      const key = ATTRS[toHex(oid.value).toLowerCase()] ?? toHex(oid.value);
      parts.push(`${key}=${new TextDecoder().decode(value.value)}`);
    }
  }
  return parts.join(', ');
}

/** The eUICC refused: its SGP.32 result code (the card works; the request was not taken). */
export class IpaResultError extends LpaError {
  constructor(
    what: string,
    readonly code: number,
    names: Record<number, string>,
  ) {
    super(`${what}: ${code} (${names[code] ?? 'unknown'})`);
  }
}

function fail(what: string, t: Tlv, names: Record<number, string>): never {
  throw new IpaResultError(
    what,
    num(parseBer(t.value)?.find((x) => x.tag === 0x81)?.value ?? Uint8Array.of(127)),
    names,
  );
}

/** GetCerts: the EUM and eUICC certificates, optionally for one CI key id. */
export async function getCerts(lpa: Lpa, ciPkId?: Bytes): Promise<CertSummary[]> {
  const t = await lpa.call(ber(0xbf56, ...(ciPkId ? [ber(0x04, ciPkId)] : [])));
  const certs = parseBer(t.value)?.find((x) => x.tag === 0xa0);
  if (!certs) fail('GetCerts', t, GET_CERTS_RESULTS);
  const out: CertSummary[] = [];
  for (const c of parseBer(certs.value) ?? []) {
    // [5]/[6] IMPLICIT Certificate: back to its SEQUENCE to parse it.
    const der = ber(0x30, c.value);
    const p = parseCertificate(der);
    if (!p || (c.tag !== 0xa5 && c.tag !== 0xa6))
      throw new LpaError('GetCerts answered a malformed certificate');
    out.push({
      role: c.tag === 0xa5 ? 'EUM' : 'eUICC',
      subject: nameText(p.subject),
      issuer: nameText(p.issuer),
      ...(p.ski ? { ski: toHex(p.ski) } : {}),
      ...(p.aki ? { aki: toHex(p.aki) } : {}),
      der,
    });
  }
  return out;
}

/** GetEimConfigurationData: every configured eIM (or the one with `eimId`), field by field. */
export async function eimList(lpa: Lpa, eimId?: string): Promise<Record<string, string>[]> {
  const crit = eimId ? [ber(0xa0, ber(0x80, new TextEncoder().encode(eimId)))] : [];
  const t = await lpa.call(ber(0xbf55, ...crit));
  const list = parseBer(t.value)?.find((x) => x.tag === 0xa0);
  if (t.tag !== 0xbf55 || !list) throw new LpaError('GetEimConfigurationData answered no list');
  return (parseBer(list.value) ?? []).map((e) => describeEimConfig(e.value));
}

/** AddInitialEim: per eIM, 'ok' or the association token the eUICC assigned. */
export async function addInitialEim(lpa: Lpa, eims: EimConfig[]): Promise<string[]> {
  const t = await lpa.call(ber(0xbf57, ber(0xa0, ...eims.map(encodeEimConfig))));
  const ok = parseBer(t.value)?.find((x) => x.tag === 0xa0);
  if (!ok) fail('AddInitialEim', t, ADD_EIM_RESULTS);
  return (parseBer(ok.value) ?? []).map((r) => (r.tag === 0x84 ? `associationToken ${num(r.value)}` : 'ok'));
}

export const hexKeyId = (s: string): Bytes => {
  const h = s.replace(/[\s:]/g, '');
  if (!/^([0-9A-Fa-f]{2})+$/.test(h)) throw new LpaError(`"${s}" is not a key identifier in hex`);
  return fromHex(h);
};
