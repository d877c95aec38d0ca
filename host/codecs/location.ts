// Location information the terminal stores on the USIM:
// EF.LOCI (6F7E), TS 31.102 §4.2.17: TMSI (4), LAI (5: PLMN 3 + LAC 2), RFU (1), location update status (1).
// EF.PSLOCI (6F73), TS 31.102 §4.2.23: P-TMSI (4), P-TMSI signature (3), RAI (6: LAI + RAC), routing area
// update status (1).
// EF.EPSLOCI (6FE3), TS 31.102 §4.2.91: GUTI (12, the TS 24.301 §9.9.3.12 IE without its IEI), last visited
// registered TAI (5: PLMN 3 + TAC 2), EPS update status (1).
// The update status values are those of TS 24.008 §4.1.2.2 / §4.1.3.2 and TS 24.301 §5.1.3.2.2; a PLMN of
// FF FF FF is "none" (null).

import type * as z from 'zod';
import { type Bytes, concat, fromHex, readUintBE, toHex, uintBE } from '../../card-os/bytes.js';
import { lazySchema } from '../../card-os/lazy-schema.js';
import { decodePlmn, encodePlmn, type Plmn, plmnValue } from './plmn.js';
import { decimal, hexBytes, oneOf } from './values.js';

const LU_STATUS = ['updated', 'not-updated', 'plmn-not-allowed', 'location-area-not-allowed'] as const;
const RAU_STATUS = ['updated', 'not-updated', 'plmn-not-allowed', 'routing-area-not-allowed'] as const;
const EPS_STATUS = ['updated', 'not-updated', 'roaming-not-allowed'] as const;

const hex = (n: number) => hexBytes(n, n).transform((b) => toHex(b));
const plmnOrNone = lazySchema(() => plmnValue.nullable());

function plmnBytes(p: Plmn | null): Bytes {
  return p ? encodePlmn(p) : Uint8Array.of(0xff, 0xff, 0xff);
}

function area(b: Bytes, codeBytes: number): { plmn: Plmn | null; code: number } | undefined {
  const plmn = decodePlmn(b.subarray(0, 3));
  if (plmn === undefined) return undefined;
  return { plmn, code: readUintBE(b, 3, codeBytes) };
}

export const lociValue = lazySchema((z) =>
  z.strictObject({
    tmsi: hex(4),
    lai: z.strictObject({ plmn: plmnOrNone, lac: decimal(0, 0xffff) }),
    status: oneOf(LU_STATUS),
  }),
);
type Loci = z.output<typeof lociValue>;

export function encodeLoci(v: Loci): Bytes {
  const status = LU_STATUS.indexOf(v.status);
  return concat(fromHex(v.tmsi), plmnBytes(v.lai.plmn), uintBE(v.lai.lac, 2), Uint8Array.of(0xff, status));
}

export function decodeLoci(b: Bytes): z.input<typeof lociValue> | undefined {
  if (b.length !== 11) return undefined;
  const lai = area(b.subarray(4, 9), 2);
  const status = LU_STATUS[b[10]!];
  if (!lai || !status) return undefined;
  return { tmsi: toHex(b.subarray(0, 4)), lai: { plmn: lai.plmn, lac: lai.code }, status };
}

export const psLociValue = lazySchema((z) =>
  z.strictObject({
    ptmsi: hex(4),
    ptmsiSignature: hex(3),
    rai: z.strictObject({ plmn: plmnOrNone, lac: decimal(0, 0xffff), rac: decimal(0, 0xff) }),
    status: oneOf(RAU_STATUS),
  }),
);
type PsLoci = z.output<typeof psLociValue>;

export function encodePsLoci(v: PsLoci): Bytes {
  return concat(
    fromHex(v.ptmsi + v.ptmsiSignature),
    plmnBytes(v.rai.plmn),
    uintBE(v.rai.lac, 2),
    Uint8Array.of(v.rai.rac, RAU_STATUS.indexOf(v.status)),
  );
}

export function decodePsLoci(b: Bytes): z.input<typeof psLociValue> | undefined {
  if (b.length !== 14) return undefined;
  const lai = area(b.subarray(7, 12), 2);
  const status = RAU_STATUS[b[13]!];
  if (!lai || !status) return undefined;
  return {
    ptmsi: toHex(b.subarray(0, 4)),
    ptmsiSignature: toHex(b.subarray(4, 7)),
    rai: { plmn: lai.plmn, lac: lai.code, rac: b[12]! },
    status,
  };
}

export const epsLociValue = lazySchema((z) =>
  z.strictObject({
    guti: hex(12),
    tai: z.strictObject({ plmn: plmnOrNone, tac: decimal(0, 0xffff) }),
    status: oneOf(EPS_STATUS),
  }),
);
type EpsLoci = z.output<typeof epsLociValue>;

export function encodeEpsLoci(v: EpsLoci): Bytes {
  return concat(
    fromHex(v.guti),
    plmnBytes(v.tai.plmn),
    uintBE(v.tai.tac, 2),
    Uint8Array.of(EPS_STATUS.indexOf(v.status)),
  );
}

export function decodeEpsLoci(b: Bytes): z.input<typeof epsLociValue> | undefined {
  if (b.length !== 18) return undefined;
  const tai = area(b.subarray(12, 17), 2);
  const status = EPS_STATUS[b[17]!];
  if (!tai || !status) return undefined;
  return { guti: toHex(b.subarray(0, 12)), tai: { plmn: tai.plmn, tac: tai.code }, status };
}
