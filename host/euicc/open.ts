// Opens an emulated eUICC from its definition text, fresh or restored from a card image's NVM
// (host/card-source.ts). The definition names its profile files relative to its own path, so the image
// keeps that path and a restored card reads them from there; the template is built once per process.

import { type EuiccCard, splitEuiccSnapshot } from '../../card-os/euicc-card.js';
import type { NvmSnapshot } from '../../card-os/nvm.js';
import type { CompiledProfile } from '../profile/compile.js';
import { createEuicc, type EuiccTemplate, loadEuicc } from './load.js';

const templates = new Map<string, EuiccTemplate>();

/**
 * The card, and the compiled profile enabled in it now (or its first): what seeds a test HSS. When the
 * enabled profile was downloaded (SGP.22 §3.1) no profile file holds its keys: `downloadedEnabled` says so.
 */
export function openEuicc(
  path: string,
  text: string,
  nvm?: NvmSnapshot,
): { card: EuiccCard; profile: CompiledProfile; downloadedEnabled?: boolean } {
  const key = `${path}\u0000${text}`;
  let t = templates.get(key);
  if (!t) {
    t = loadEuicc(path, text);
    templates.set(key, t);
  }
  const card = createEuicc(t, nvm ? { nvm: splitEuiccSnapshot(nvm) } : {});
  const defined = t.profiles.find((p) => card.active === card.profile(p.aid));
  const enabled = defined ?? t.profiles[0];
  if (!enabled) throw new Error(`${path}: the eUICC has no profile`);
  const downloadedEnabled = !defined && card.active !== card.own;
  return { card, profile: enabled.profile, ...(downloadedEnabled ? { downloadedEnabled } : {}) };
}

export type EuiccOpener = typeof openEuicc;
