// A Unprotected Profile Package split into its ProfileElements (TCA eUICC Profile Package PE definitions
// v3.3.1: a bare concatenation of ProfileElement TLVs, the header first and the end last), with each PE's
// header (PEHeader: mandated, identification) read. PEs of a type we do not know are kept as raw bytes.
// Reading never throws: malformed input gives a failure that names the PE (0-based index).

import type { Bytes } from '../../../card-os/bytes.js';
import { readBer, type Tlv } from '../../../card-os/tlv.js';
import { children, uint } from '../der.js';
import { type PeName, peNameOfTag } from './pe-types.js';

/** PEStatus values of the PE definitions (EUICCResponse) that the installer reports. */
export const PE_STATUS = {
  ok: 0,
  peNotSupported: 1,
  badValues: 3,
  notEnoughMemory: 4,
  invalidRequestFormat: 5,
  templateNotSupported: 9,
  unsupportedProfileVersion: 31,
} as const;

export interface PeFailure {
  /** 0-based index of the failing ProfileElement in the UPP. */
  peIndex: number;
  /** PEHeader identification of that PE, when present. */
  identification?: number;
  /** EUICCResponse PEStatus (PE_STATUS). */
  status: number;
  /** For people. */
  message: string;
}

export interface ProfileElement {
  index: number;
  /** The CHOICE tag (A0 header, B3 usim, BF1F df-5gprose...). */
  tag: number;
  /** Undefined for a PE type this version does not know (kept raw). */
  name: PeName | undefined;
  /** The whole PE TLV as received. */
  raw: Bytes;
  /** The PE's SEQUENCE components. */
  fields: Tlv[];
  mandated: boolean;
  identification?: number;
}

export type UppPes = { ok: true; pes: ProfileElement[] } | { ok: false; failure: PeFailure };

export function failure(pe: number, status: number, message: string, identification?: number): PeFailure {
  const f: PeFailure = { peIndex: pe, status, message };
  if (identification !== undefined) f.identification = identification;
  return f;
}

/** The PEHeader of a PE: `A0 {80 00 mandated?, 81 identification}` (the ProfileHeader has none). */
function peHeader(fields: Tlv[]): { mandated: boolean; identification?: number } | undefined {
  const h = fields[0];
  if (h?.tag !== 0xa0) return undefined;
  const parts = children(h.value);
  if (!parts) return undefined;
  const id = parts.find((t) => t.tag === 0x81);
  const identification = uint(id?.value);
  if (identification === undefined || identification > 0x7fff) return undefined;
  return { mandated: parts.some((t) => t.tag === 0x80), identification };
}

/**
 * Splits a UPP into its PEs. Checks the framing only: every PE a well-formed constructed TLV whose fields
 * parse, the first the ProfileHeader, the last PE-End, a PEHeader with an identification on each other PE.
 */
export function decodeUpp(upp: Bytes): UppPes {
  const pes: ProfileElement[] = [];
  let off = 0;
  while (off < upp.length) {
    const index = pes.length;
    const t = readBer(upp, off);
    if (!t)
      return {
        ok: false,
        failure: failure(
          index,
          PE_STATUS.invalidRequestFormat,
          `PE ${index}: truncated or malformed DER at byte ${off}`,
        ),
      };
    const fields = (upp[off]! & 0x20) !== 0 ? children(t.value) : undefined;
    if (!fields)
      return {
        ok: false,
        failure: failure(
          index,
          PE_STATUS.invalidRequestFormat,
          `PE ${index}: not a constructed ProfileElement`,
        ),
      };
    const name = peNameOfTag(t.tag);
    if (index === 0 && name !== 'header')
      return {
        ok: false,
        failure: failure(
          0,
          PE_STATUS.invalidRequestFormat,
          'the first ProfileElement must be the ProfileHeader',
        ),
      };
    const pe: ProfileElement = {
      index,
      tag: t.tag,
      name,
      raw: upp.subarray(off, off + t.length),
      fields,
      mandated: false,
    };
    if (name !== 'header') {
      const h = peHeader(fields);
      if (!h)
        return {
          ok: false,
          failure: failure(
            index,
            PE_STATUS.badValues,
            `PE ${index} (${name ?? 'unknown'}): no PEHeader identification`,
          ),
        };
      pe.mandated = h.mandated;
      if (h.identification !== undefined) pe.identification = h.identification;
    }
    pes.push(pe);
    off += t.length;
  }
  if (pes[0]?.name !== 'header')
    return {
      ok: false,
      failure: failure(
        0,
        PE_STATUS.invalidRequestFormat,
        'the first ProfileElement must be the ProfileHeader',
      ),
    };
  const last = pes[pes.length - 1]!;
  if (last.name !== 'end')
    return {
      ok: false,
      failure: failure(
        last.index,
        PE_STATUS.invalidRequestFormat,
        'the last ProfileElement must be PE-End',
        last.identification,
      ),
    };
  const early = pes.findIndex((p, i) => p.name === 'end' && i < pes.length - 1);
  if (early >= 0)
    return {
      ok: false,
      failure: failure(
        early,
        PE_STATUS.invalidRequestFormat,
        'PE-End before the last ProfileElement',
        pes[early]!.identification,
      ),
    };
  return { ok: true, pes };
}
