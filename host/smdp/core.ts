// The SM-DP+ protocol core (SGP.22 §3.1.3, §5.6 ES9+): mutual authentication with the eUICC, the Bound
// Profile Package, notifications and cancellation, as plain methods on the JSON bodies' objects. No HTTP
// here: the ES9+ server wraps it, and in process the LPA (host/euicc/download.ts) calls it directly.

import type { Bytes } from '../../card-os/bytes.js';
import type { Es9Functions, SmdpInventory } from './types.js';

export type * from './types.js';

/** A certificate with its private key (DER certificate, raw 32-byte P-256 scalar). */
export interface SmdpCredential {
  certificate: Bytes;
  privateKey: Bytes;
}

export interface SmdpOptions {
  /** The SM-DP+ address (FQDN) the eUICC must be talking to (SGP.22 §5.6.1: smdpAddress). */
  address: string;
  /** CERT.DPauth.ECDSA and SK.DPauth.ECDSA (role 2.23.146.1.2.1.4). */
  dpAuth: SmdpCredential;
  /** CERT.DPpb.ECDSA and SK.DPpb.ECDSA (role 2.23.146.1.2.1.5). */
  dpPb: SmdpCredential;
  /** The CI certificates this SM-DP+ trusts for eUICC/EUM chains (its DP certificates chain to one of them). */
  ciCertificates: Bytes[];
  inventory: SmdpInventory;
  /** hostId of the BSP key derivation (SGP.22 §2.6.4.2), 1..16 bytes. */
  hostId?: Bytes;
  /** Send the Profile Protection Keys (ReplaceSessionKeys, SGP.22 §2.6.6) in the BPP. */
  replaceSessionKeys?: boolean;
  /** Random source (transaction ids, challenges, one-time keys); default node:crypto. */
  random?: (n: number) => Bytes;
  /** Clock for certificate validity; default now. */
  now?: () => Date;
}

export type Smdp = Es9Functions;

export declare function createSmdp(options: SmdpOptions): Smdp;
