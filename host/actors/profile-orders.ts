// The new operator's side of a download (TR 33.812 Alternative 1, as SGP.22 does it): profile packages made
// per device from the operator's YAML profile (its own ICCID, IMSI and fresh K/OPc, host/saip/encode.ts), and
// the order book its SM-DP+ serves them from (the SmdpInventory of host/smdp/core.ts). An order is bound to
// one EID (SGP.22 §3.1.1 ES2+.DownloadOrder with EID) and downloadable once:
//
//   released -> claimed (a session authenticated the eUICC) -> installed (its ProfileInstallationResult said so)
//                       \-> released (failed install, cancelled session, or the session expired)
//
// A session whose eUICC lost its volatile state (power loss during the download) never ends by itself: the
// SM-DP+ gives the order back after its session timeout (SGP.22 §3.1.3: the SM-DP+ ends a session it hears
// no more of), which `expire` does for sessions claimed before a given time.

import type { Bytes } from '../../card-os/bytes.js';
import type { FileSpec } from '../../card-os/fs/model.js';
import { encodeIccid } from '../codecs/iccid.js';
import { encodeImsi } from '../codecs/imsi.js';
import { usimAdfOf } from '../profile/key-slots.js';
import type { CompiledProfile } from '../profile/load.js';
import { encodeUpp } from '../saip/encode.js';
import type { SmdpClaim, SmdpInventory } from '../smdp/types.js';

export interface PackageIdentity {
  iccid: string;
  imsi: string;
  k: Bytes;
  opc: Bytes;
}

/** A copy of the file tree with some files' initial contents replaced (by path); parents re-linked. */
function withContents(f: FileSpec, contents: Map<string, Bytes>, parent?: FileSpec): FileSpec {
  const c: FileSpec = { ...f, initial: contents.get(f.path) ?? f.initial, children: [] };
  if (parent) c.parent = parent;
  c.children = f.children.map((x) => withContents(x, contents, c));
  return c;
}

/** The profile package of `profile` for one subscription: its ICCID, IMSI and Milenage K/OPc. */
export function packageFor(profile: CompiledProfile, id: PackageIdentity): Bytes {
  const mf = profile.spec.mf;
  const iccid = mf.children.find((f) => f.type === 'EF' && f.fid === 0x2fe2);
  const imsi = usimAdfOf(mf)?.children.find((f) => f.type === 'EF' && f.fid === 0x6f07);
  if (!iccid || !imsi) throw new Error('the new operator profile needs EF.ICCID and a USIM with EF.IMSI');
  const contents = new Map([
    [iccid.path, encodeIccid(id.iccid)],
    [imsi.path, encodeImsi(id.imsi, imsi.size)],
  ]);
  return encodeUpp({
    ...profile,
    spec: { ...profile.spec, mf: withContents(mf, contents) },
    subscriber: { algorithm: 'milenage', k: id.k, opc: id.opc, sqn: profile.subscriber?.sqn ?? {} },
  });
}

export interface Order extends PackageIdentity {
  matchingId: string;
  eid: string;
  state: 'released' | 'claimed' | 'installed';
  /** When the last session claimed it (the order book's clock). */
  claimedAt: number;
  /** Sessions that claimed it, over its life. */
  claims: number;
  upp: Bytes;
  name?: string;
}

export class OrderBook implements SmdpInventory {
  private readonly orders = new Map<string, Order>();
  /** ProfileInstallationResults that reported an install of an order already installed (never counted twice). */
  duplicateInstalls = 0;
  /** Sessions given back by `expire`. */
  expired = 0;

  constructor(
    private readonly now: () => number,
    /** Called once when an order's profile is installed (the new operator's HSS provisioning). */
    private readonly onInstalled: (o: Order) => void = () => {},
  ) {}

  add(o: Omit<Order, 'state' | 'claimedAt' | 'claims'>): Order {
    const order: Order = { ...o, state: 'released', claimedAt: 0, claims: 0 };
    this.orders.set(o.matchingId, order);
    return order;
  }

  get(matchingId: string): Order | undefined {
    return this.orders.get(matchingId);
  }

  values(): IterableIterator<Order> {
    return this.orders.values();
  }

  claim(q: {
    matchingId: string;
    eid: string;
  }): SmdpClaim | { error: 'unknownMatchingId' | 'eidMismatch' | 'alreadyDownloaded' | 'noProfile' } {
    const o = this.orders.get(q.matchingId);
    if (!o) return { error: q.matchingId ? 'unknownMatchingId' : 'noProfile' };
    if (o.eid !== q.eid) return { error: 'eidMismatch' };
    if (o.state !== 'released') return { error: 'alreadyDownloaded' };
    o.state = 'claimed';
    o.claimedAt = this.now();
    o.claims++;
    return {
      matchingId: o.matchingId,
      iccid: o.iccid,
      upp: o.upp,
      metadata: { ...(o.name ? { name: o.name, spn: o.name } : {}), class: 'operational' },
    };
  }

  settle(
    matchingId: string,
    outcome: { installed: boolean; eid: string; iccid: string; reason?: string },
  ): void {
    const o = this.orders.get(matchingId);
    if (!o) return;
    if (outcome.installed) {
      if (o.state === 'installed') {
        this.duplicateInstalls++;
        return;
      }
      o.state = 'installed';
      this.onInstalled(o);
    } else if (o.state === 'claimed') o.state = 'released';
  }

  /** Session timeout: orders claimed before `before` and not installed are given back. */
  expire(before: number): number {
    let n = 0;
    for (const o of this.orders.values())
      if (o.state === 'claimed' && o.claimedAt < before) {
        o.state = 'released';
        n++;
      }
    this.expired += n;
    return n;
  }
}
