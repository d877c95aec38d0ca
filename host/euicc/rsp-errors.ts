// Names for people of the eUICC's profile download error codes (SGP.22 §5.7.13 AuthenticateServer,
// §5.7.5 PrepareDownload, §5.7.6 ProfileInstallationResult bppCommandId / errorReason, §5.7.14
// CancelSession), so `uicc euicc download` says "errorReason 8 scp03tSecurityError" instead of
// a bare number.

export const AUTHENTICATE_SERVER_ERRORS: Record<number, string> = {
  1: 'invalidCertificate',
  2: 'invalidSignature',
  3: 'unsupportedCurve',
  4: 'noSessionContext',
  5: 'invalidOid',
  6: 'euiccChallengeMismatch',
  7: 'ciPKUnknown',
  127: 'undefinedError',
};

export const PREPARE_DOWNLOAD_ERRORS: Record<number, string> = {
  1: 'invalidCertificate',
  2: 'invalidSignature',
  3: 'unsupportedCurve',
  4: 'noSessionContext',
  5: 'invalidTransactionId',
  127: 'undefinedError',
};

export const BPP_COMMAND_NAMES: Record<number, string> = {
  0: 'initialiseSecureChannel',
  1: 'configureISDP',
  2: 'storeMetadata',
  3: 'storeMetadata2',
  4: 'replaceSessionKeys',
  5: 'loadProfileElements',
};

export const PIR_ERROR_REASONS: Record<number, string> = {
  1: 'incorrectInputValues',
  2: 'invalidSignature',
  3: 'invalidTransactionId',
  4: 'unsupportedCrtValues',
  5: 'unsupportedRemoteOperationType',
  6: 'unsupportedProfileClass',
  7: 'scp03tStructureError',
  8: 'scp03tSecurityError',
  9: 'installFailedDueToIccidAlreadyExistsOnEuicc',
  10: 'installFailedDueToInsufficientMemoryForProfile',
  11: 'installFailedDueToInterruption',
  12: 'installFailedDueToPEProcessingError',
  13: 'installFailedDueToDataMismatch',
  14: 'testProfileInstallFailedDueToInvalidNaaKey',
  15: 'pprNotAllowed',
  127: 'installFailedDueToUnknownError',
};

/** "8 (scp03tSecurityError)", or the bare number when the table has no name. */
export const named = (table: Record<number, string>, n: number | undefined): string =>
  n === undefined ? '?' : table[n] ? `${n} (${table[n]})` : String(n);
