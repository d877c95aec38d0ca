// What the two ends of ES9+ (SGP.22 §6.5) share: the function names, the HTTP headers, the JSON response
// header (SGP.22 §6.5.1.4 functionExecutionStatus) and the status codes (subject code / reason code,
// SGP.22 §5.6 function descriptions) named in words for people.

export const ES9_PATH = '/gsma/rsp2/es9plus/';
export const ES9_FUNCTIONS = [
  'initiateAuthentication',
  'authenticateClient',
  'getBoundProfilePackage',
  'handleNotification',
  'cancelSession',
] as const;
export type Es9Function = (typeof ES9_FUNCTIONS)[number];

/** SGP.22 §6.5.1.1: the protocol version both ends announce in X-Admin-Protocol. */
export const ADMIN_PROTOCOL = 'gsma/rsp/v2.2.2';
export const USER_AGENT = 'gsma-rsp-lpad';

export interface StatusCodeData {
  subjectCode: string;
  reasonCode: string;
  subjectIdentifier?: string;
  message?: string;
}

export interface FunctionExecutionStatus {
  status: 'Executed-Success' | 'Executed-WithWarning' | 'Failed' | 'Expired';
  statusCodeData?: StatusCodeData;
}

export interface Es9Body {
  header?: { functionExecutionStatus?: FunctionExecutionStatus };
  [field: string]: unknown;
}

export function failed(subjectCode: string, reasonCode: string, message: string): Es9Body {
  return {
    header: {
      functionExecutionStatus: { status: 'Failed', statusCodeData: { subjectCode, reasonCode, message } },
    },
  };
}

// SGP.22 §5.6 (ES9+ function descriptions) and the common codes of the HTTP binding; our wording.
const STATUS_NAMES: Record<string, string> = {
  '1.2.1/2.1': 'invalid Content-Type header',
  '1.2.2/2.1': 'unsupported X-Admin-Protocol version',
  '1.3.1/2.1': 'invalid request',
  '1.3.1/2.2': 'a mandatory request field is missing',
  '8.1/4.8': 'the eUICC does not have enough space for this profile',
  '8.1/6.1': 'eUICC signature or server challenge verification failed',
  '8.1.1/2.2': 'the EID is missing for this order',
  '8.1.1/3.8': 'the EID does not match the order (this profile was ordered for another eUICC)',
  '8.1.2/6.1': 'the EUM certificate is invalid',
  '8.1.3/6.1': 'the eUICC certificate is invalid',
  '8.1.4/6.1': 'the EID is outside the range the EUM certificate permits',
  '8.2/1.2': 'the profile has not been released yet',
  '8.2/3.7': 'the bound profile package is not available for a new binding',
  '8.2.1/3.3': 'the profile is not available',
  '8.2.5/4.3': 'no eligible profile for this eUICC',
  '8.2.6/3.3': 'conflicting matching ID',
  '8.2.6/3.8': 'matching ID refused',
  '8.2.7/2.2': 'confirmation code missing',
  '8.2.7/3.8': 'confirmation code refused',
  '8.2.7/6.4': 'too many wrong confirmation codes',
  '8.8/3.10': 'the SM-DP+ OID is invalid',
  '8.8.1/3.8': 'invalid SM-DP+ address',
  '8.8.2/3.1': 'none of the eUICC CI public key identifiers is supported by the SM-DP+',
  '8.8.3/3.1': 'the eUICC specification version is not supported',
  '8.8.4/3.7': 'the SM-DP+ has no certificate under a CI the eUICC supports',
  '8.8.5/4.1': 'the download order has expired',
  '8.8.5/6.4': 'too many download attempts for this order',
  '8.10.1/3.9': 'unknown transaction ID (no such RSP session)',
  '8.11.1/3.9': 'unknown CI public key',
};

/** "8.2.6/3.8 matching ID refused (...)" with the server's message when it adds something. */
export function describeStatus(s: StatusCodeData | undefined): string {
  if (!s) return 'failed (no status code)';
  const code = `${s.subjectCode}/${s.reasonCode}`;
  const name = STATUS_NAMES[code];
  const msg = s.message && s.message !== name ? s.message : undefined;
  return [code, name, msg && (name ? `(${msg})` : msg)].filter(Boolean).join(' ');
}
