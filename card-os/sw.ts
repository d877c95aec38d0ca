// Status words: TS 102 221 §10.2.1 and ISO/IEC 7816-4 §5.6, with the names people look for.

export const SW = {
  OK: 0x9000,
  TOOLKIT_BUSY: 0x9300,
  WARN_NO_INFO: 0x6200,
  WARN_CORRUPTED: 0x6281,
  WARN_EOF: 0x6282,
  WARN_DEACTIVATED: 0x6283,
  WARN_TERMINATED: 0x6285,
  WRONG_PIN_BASE: 0x63c0,
  EXEC_ERROR: 0x6400,
  EXEC_ERROR_CHANGED: 0x6500,
  MEMORY_PROBLEM: 0x6581,
  WRONG_LENGTH: 0x6700,
  CLA_FUNCTION_NOT_SUPPORTED: 0x6800,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  CHAINING_NOT_SUPPORTED: 0x6884,
  NOT_ALLOWED: 0x6900,
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCED_DATA_INVALIDATED: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_EF_SELECTED: 0x6986,
  SM_DATA_MISSING: 0x6987,
  SM_DATA_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  LC_INCONSISTENT_P1P2: 0x6a87,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  TECHNICAL_PROBLEM: 0x6f00,
  INCREASE_MAX_REACHED: 0x9850,
  AUTH_MAC_FAILURE: 0x9862,
  AUTH_CONTEXT_NOT_SUPPORTED: 0x9864,
  KEY_FRESHNESS_FAILURE: 0x9865,
  // GlobalPlatform
  SECURITY_CONDITION_GP_CERT: 0x6600,
  GP_CERT_UNKNOWN_KEY: 0x6640,
} as const;

const EXACT: Record<number, string> = {
  36864: 'OK',
  37632: 'SIM Application Toolkit busy',
  25088: 'Warning: no information given, state of non-volatile memory unchanged',
  25217: 'Warning: part of returned data may be corrupted',
  25218: 'Warning: end of file/record reached before reading Le bytes',
  25219: 'Warning: selected file invalidated',
  25220: 'Warning: selected file in termination state',
  25329: 'Warning: more data available',
  25330: 'Warning: more data available and proactive command pending',
  25331: 'Warning: response data available',
  25585: 'Warning: more data expected',
  25586: 'Warning: more data expected and proactive command pending',
  25600: 'Execution error: no information given, memory unchanged',
  25856: 'Execution error: no information given, memory changed',
  25985: 'Execution error: memory problem',
  26112: 'Security: incorrect or missing certificate/security condition (GP)',
  26176: 'Security: unknown key or certificate verification failed (GP)',
  26368: 'Wrong length',
  26624: 'Functions in CLA not supported',
  26753: 'Logical channel not supported',
  26754: 'Secure messaging not supported',
  26880: 'Command not allowed',
  27009: 'Command incompatible with file structure',
  27010: 'Security status not satisfied',
  27011: 'Authentication/PIN method blocked',
  27012: 'Referenced data invalidated',
  27013: 'Conditions of use not satisfied',
  27014: 'Command not allowed (no EF selected)',
  27015: 'Expected secure messaging data objects missing',
  27016: 'Incorrect secure messaging data objects',
  27264: 'Incorrect parameters in the data field',
  27265: 'Function not supported',
  27266: 'File or application not found',
  27267: 'Record not found',
  27268: 'Not enough memory space',
  27270: 'Incorrect parameters P1 to P2',
  27271: 'Lc inconsistent with P1 to P2',
  27272: 'Referenced data not found',
  27392: 'Wrong parameter(s) P1-P2',
  27904: 'Instruction code not supported or invalid',
  28160: 'Class not supported',
  28416: 'Technical problem, no precise diagnosis',
  38992: 'INCREASE cannot be performed, max value reached',
  39010: 'Authentication error, incorrect MAC',
  39011: 'Security session or association expired',
  39012: 'Authentication error, security context not supported',
  39013: 'Key freshness failure',
  39014: 'Authentication error, no memory space available',
  39015: 'Authentication error, no memory space available in EF.MUK',
};

/** A readable name for any status word, including the parametrised ones (61xx, 6Cxx, 63Cx, 91xx...). */
export function swName(sw: number): string {
  const exact = EXACT[sw];
  if (exact) return exact;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  switch (sw1) {
    case 0x61:
      return `${sw2 || 256} response bytes available (GET RESPONSE)`;
    case 0x6c:
      return `Wrong Le: ${sw2 || 256} bytes available`;
    case 0x91:
      return `OK, proactive command of ${sw2} bytes pending (FETCH)`;
    case 0x92:
      return 'OK, data transfer session information';
    case 0x9f:
      return `${sw2} response bytes available (GSM)`;
  }
  if ((sw & 0xfff0) === 0x63c0) return `Verification failed, ${sw & 0x0f} retries left`;
  if (sw1 === 0x67) return 'Wrong length';
  if (sw1 === 0x6f) return 'Technical problem';
  return 'Unknown status word';
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
