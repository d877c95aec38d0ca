// Volatile state: logical channels with their selection, and the security state of a terminal session.
// TS 102 221 §8.4 (current directory/EF per channel) and §9.5 (PIN verification status).

import type { Applet, AppletContext } from './applet.js';
import type { Bytes } from './bytes.js';
import type { FileSpec } from './fs/model.js';

export interface ChannelState {
  /** Current directory: MF, a DF or an ADF. */
  df: FileSpec;
  /** Current EF, if any. */
  ef: FileSpec | undefined;
  /** Current application's ADF, if any. */
  adf: FileSpec | undefined;
  /** Applet of the current application (file-based or not). */
  applet: Applet | undefined;
  /** Record pointer in the current EF, 0 = not set. */
  recordPtr: number;
  /** Response data held for GET RESPONSE. */
  pending: Bytes | undefined;
}

export const MAX_CHANNELS = 20; // 0..3 first interindustry CLA, 4..19 further interindustry CLA.

export interface Session {
  channels: (ChannelState | undefined)[];
  /** Key references verified in this session. */
  verified: Set<number>;
  /** Key references granted without verification (RFM keysets run as ADM-equivalent, TS 102 226 §6). */
  grants: ReadonlySet<number>;
  /** Applet windows made for this session, per applet and channel (card.ts `context`). */
  contexts: Map<Applet, AppletContext[]>;
}

export function newChannel(mf: FileSpec): ChannelState {
  return { df: mf, ef: undefined, adf: undefined, applet: undefined, recordPtr: 0, pending: undefined };
}

export function newSession(mf: FileSpec, grants: Iterable<number> = []): Session {
  const channels: (ChannelState | undefined)[] = new Array(MAX_CHANNELS).fill(undefined);
  channels[0] = newChannel(mf);
  return { channels, verified: new Set(), grants: new Set(grants), contexts: new Map() };
}
