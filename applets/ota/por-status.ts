// Response Status Codes of the response packet (PoR), TS 102 225 §5.2 and TS 31.115 §7 (0B, 0C).

export const POR = {
  OK: 0x00,
  RC_CC_DS_FAILED: 0x01,
  CNTR_LOW: 0x02,
  CNTR_HIGH: 0x03,
  CNTR_BLOCKED: 0x04,
  CIPHERING_ERROR: 0x05,
  SECURITY_ERROR: 0x06,
  INSUFFICIENT_MEMORY: 0x07,
  MORE_TIME: 0x08,
  TAR_UNKNOWN: 0x09,
  INSUFFICIENT_SECURITY: 0x0a,
  SENT_BY_SMS_SUBMIT: 0x0b,
  SENT_BY_USSD: 0x0c,
} as const;

const NAMES: Record<number, string> = {
  0: 'PoR OK',
  1: 'RC/CC/DS failed',
  2: 'CNTR low',
  3: 'CNTR high',
  4: 'CNTR blocked',
  5: 'ciphering error',
  6: 'unidentified security error',
  7: 'insufficient memory to store incoming message',
  8: 'more time needed to process the command',
  9: 'TAR unknown',
  10: 'insufficient security level',
  11: 'actual response data sent using SMS-SUBMIT',
  12: 'actual response data sent using USSD',
};

export function porStatusName(status: number): string {
  return NAMES[status] ?? `reserved status ${status.toString(16).padStart(2, '0')}`;
}

/** Statuses that report a security failure: such PoRs carry no RC/CC/DS, no ciphering and no data. */
export function isSecurityFailure(status: number): boolean {
  return (status >= 0x01 && status <= 0x06) || status === 0x09 || status === 0x0a;
}
