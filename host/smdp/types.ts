// The SM-DP+ side of ES9+ (SGP.22 §6.5): the JSON bodies of the five functions as objects (binary fields
// base64 strings, transactionId a hex string, SGP.22 §6.5.1.4), and the inventory a server gives the
// protocol core. host/smdp/core.ts implements the functions; an HTTP server (or, in process, the LPA
// itself) calls them.

import type { Bytes } from '../../card-os/bytes.js';

/** SGP.22 §6.5.1.4 header: functionExecutionStatus, with statusCodeData on failure (§6.5.1.4 Table 42). */
export interface Es9Header {
  functionExecutionStatus: {
    status: 'Executed-Success' | 'Executed-WithWarning' | 'Failed' | 'Expired';
    statusCodeData?: {
      subjectCode: string;
      reasonCode: string;
      subjectIdentifier?: string;
      message?: string;
    };
  };
}

export interface Es9Response {
  header: Es9Header;
}

export interface InitiateAuthenticationRequest {
  euiccChallenge: string;
  euiccInfo1: string;
  smdpAddress: string;
}
export interface InitiateAuthenticationResponse extends Es9Response {
  transactionId?: string;
  serverSigned1?: string;
  serverSignature1?: string;
  euiccCiPKIdToBeUsed?: string;
  serverCertificate?: string;
}

export interface AuthenticateClientRequest {
  transactionId: string;
  authenticateServerResponse: string;
}
export interface AuthenticateClientResponse extends Es9Response {
  transactionId?: string;
  profileMetadata?: string;
  smdpSigned2?: string;
  smdpSignature2?: string;
  smdpCertificate?: string;
}

export interface GetBoundProfilePackageRequest {
  transactionId: string;
  prepareDownloadResponse: string;
}
export interface GetBoundProfilePackageResponse extends Es9Response {
  transactionId?: string;
  boundProfilePackage?: string;
}

export interface HandleNotificationRequest {
  pendingNotification: string;
}
/** ES9+.HandleNotification answers HTTP 204 with no body; the core still says how it went. */
export type HandleNotificationResponse = Es9Response;

export interface CancelSessionRequest {
  transactionId: string;
  cancelSessionResponse: string;
}
export type CancelSessionResponse = Es9Response;

/** The five ES9+ functions (SGP.22 §5.6): the core, an HTTPS client, anything the LPA can drive. */
export interface Es9Functions {
  initiateAuthentication(r: InitiateAuthenticationRequest): Promise<InitiateAuthenticationResponse>;
  authenticateClient(r: AuthenticateClientRequest): Promise<AuthenticateClientResponse>;
  getBoundProfilePackage(r: GetBoundProfilePackageRequest): Promise<GetBoundProfilePackageResponse>;
  handleNotification(r: HandleNotificationRequest): Promise<HandleNotificationResponse>;
  cancelSession(r: CancelSessionRequest): Promise<CancelSessionResponse>;
}

export interface SmdpClaim {
  matchingId: string;
  /** ICCID digits (as printed, e.g. 8949449999999990031). */
  iccid: string;
  /** The unprotected profile package (SAIP ProfileElements). */
  upp: Bytes;
  metadata: {
    spn?: string;
    name?: string;
    class?: 'test' | 'provisioning' | 'operational';
    ppr?: ('ppr1' | 'ppr2')[];
  };
  /**
   * When set, the end user must confirm with a code (SGP.22 §2.5.6): SHA-256 of the code as typed
   * (`confirmationCodeDigest`), the first hash of hashCc. The SM-DP+ never needs the code itself.
   */
  confirmationCodeHash?: Bytes;
}

export interface SmdpInventory {
  /** The profile reserved for this download (matchingId from the activation code; empty = by EID, the default-SM-DP+ case). */
  claim(q: {
    matchingId: string;
    eid: string;
  }): SmdpClaim | { error: 'unknownMatchingId' | 'eidMismatch' | 'alreadyDownloaded' | 'noProfile' };
  /** Called once the eUICC's ProfileInstallationResult arrived (success or failure) or the session was cancelled. */
  settle(
    matchingId: string,
    outcome: { installed: boolean; eid: string; iccid: string; reason?: string },
  ): void;
}
