// The Activation Code (SGP.22 §4.1): what a user scans or types to start a profile download.
// `[LPA:]1$<SM-DP+ address>$<AC_Token = matchingId>[$<SM-DP+ OID>][$1]`: AC_Format is always "1", "$" is the
// delimiter and therefore never inside a field, the OID may be empty, and a final "1" (Confirmation Code
// Required Flag) tells the LPA to ask for the confirmation code. "LPA:" is the prefix of the QR code form.

export interface ActivationCode {
  /** SM-DP+ address: an FQDN, here optionally with ":port" (a test server on a free port). */
  smdpAddress: string;
  /** AC_Token: the matching ID the SM-DP+ knows the order by. */
  matchingId: string;
  /** SM-DP+ OID, when the code names it (dotted decimal). */
  smdpOid?: string;
  /** The user must enter a confirmation code (SGP.22 §4.1, Confirmation Code Required Flag). */
  confirmationCodeRequired: boolean;
}

/** An activation code that cannot be used, with what is wrong in words. */
export class ActivationCodeError extends Error {}

// An FQDN of letters, digits and hyphens in dot-separated labels (RFC 1123 §2.1), optional ":port".
const HOST =
  /^(?=.{1,253}(:|$))([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;
const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
// Printable ASCII without "$" (the delimiter) and without spaces, which a QR alphanumeric payload and a
// typed code would not carry unnoticed.
const TOKEN = /^[\x21-\x23\x25-\x7e]*$/;

function checkAddress(a: string): void {
  if (!HOST.test(a)) throw new ActivationCodeError(`SM-DP+ address "${a}" is not a host name (FQDN)`);
  const port = a.includes(':') ? Number(a.slice(a.indexOf(':') + 1)) : 443;
  if (port < 1 || port > 65535) throw new ActivationCodeError(`SM-DP+ address "${a}": port out of range`);
}

function check(ac: ActivationCode): void {
  checkAddress(ac.smdpAddress);
  if (!TOKEN.test(ac.matchingId))
    throw new ActivationCodeError(
      `matching ID "${ac.matchingId}" has a character that is not allowed ("$", space or non-ASCII)`,
    );
  if (ac.smdpOid !== undefined && !OID.test(ac.smdpOid))
    throw new ActivationCodeError(`SM-DP+ OID "${ac.smdpOid}" is not a dotted object identifier`);
}

/** Parses an activation code (with or without "LPA:"); throws ActivationCodeError saying which field is bad. */
export function parseActivationCode(text: string): ActivationCode {
  let s = text.trim();
  if (/^LPA:/i.test(s)) s = s.slice(4);
  const f = s.split('$');
  if (f[0] !== '1')
    throw new ActivationCodeError(
      f.length < 2
        ? `"${text}" is not an activation code (expected LPA:1$<SM-DP+ address>$<matching ID>)`
        : `activation code format "${f[0]}" is not supported (only format 1, SGP.22 §4.1)`,
    );
  if (f.length < 3)
    throw new ActivationCodeError(
      `activation code "${text}" has ${f.length} field(s); expected 1$<SM-DP+ address>$<matching ID>`,
    );
  if (f.length > 5) throw new ActivationCodeError(`activation code "${text}" has more than 5 fields`);
  const [, smdpAddress = '', matchingId = '', oid = '', ccr] = f;
  if (!smdpAddress) throw new ActivationCodeError('activation code: the SM-DP+ address is empty');
  if (ccr !== undefined && ccr !== '1' && ccr !== '0')
    throw new ActivationCodeError(
      `activation code: confirmation code flag "${ccr}" must be 1 (required) or absent`,
    );
  const ac: ActivationCode = {
    smdpAddress,
    matchingId,
    ...(oid ? { smdpOid: oid } : {}),
    confirmationCodeRequired: ccr === '1',
  };
  check(ac);
  return ac;
}

/** The text form; `qr` adds the "LPA:" prefix of the QR code. The shortest form that keeps every field. */
export function formatActivationCode(ac: ActivationCode, qr = true): string {
  check(ac);
  let s = `1$${ac.smdpAddress}$${ac.matchingId}`;
  if (ac.smdpOid || ac.confirmationCodeRequired) s += `$${ac.smdpOid ?? ''}`;
  if (ac.confirmationCodeRequired) s += '$1';
  return qr ? `LPA:${s}` : s;
}
