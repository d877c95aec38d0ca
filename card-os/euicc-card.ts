// A card with several file systems (SGP.22 §2.2): the eUICC's own (MF with EF.DIR, the ISD-R, the ECASD)
// and one per installed profile (ISD-P), each a card OS with its own NVM, PIN states and applet
// instances. The terminal sees the enabled profile's file system only (plus the ISD-R, installed in every
// one); with no profile enabled it sees the eUICC's own. Which profile is enabled is the ISD-R's record in
// the eUICC's NVM, changed in one transaction; the switch takes effect at the next reset (the ISD-R asks
// for one with REFRESH).

import type { Applet } from './applet.js';
import { type Bytes, toHex } from './bytes.js';
import { CardOs } from './card.js';
import type { CardSpec } from './fs/model.js';
import type { IccCard } from './icc.js';
import { type Nvm, type NvmSnapshot, PowerLoss } from './nvm.js';

export interface EuiccProfileSpec {
  /** ISD-P AID: the key of the profile's file system. */
  aid: Bytes;
  spec: CardSpec;
  applets: Applet[];
}

export interface EuiccSnapshot {
  euicc: NvmSnapshot;
  profiles: [string, NvmSnapshot][];
}

/** Key prefix of a profile's records in the one-NVM view of an eUICC (`EuiccCard.storage`). */
export const ISDP_PREFIX = 'isdp/';

/** What a card image store needs of a card's NVM (card-os/nvm.ts), here of all an eUICC's NVMs at once. */
export interface EuiccStorage {
  readonly steps: number;
  readonly journalPending: boolean;
  trackChanges(): void;
  takeChanges(): [string, Bytes | null][];
  snapshot(): NvmSnapshot;
}

/** Splits the one-NVM view of an eUICC (`EuiccCard.storage`) back into the eUICC's and each profile's. */
export function splitEuiccSnapshot(snap: NvmSnapshot): EuiccSnapshot {
  const own: NvmSnapshot['own'] = [];
  const profiles = new Map<string, NvmSnapshot['own']>();
  for (const [k, v] of snap.own) {
    if (!k.startsWith(ISDP_PREFIX)) {
      own.push([k, v]);
      continue;
    }
    const rest = k.slice(ISDP_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const aid = rest.slice(0, slash);
    let list = profiles.get(aid);
    if (!list) profiles.set(aid, (list = []));
    list.push([rest.slice(slash + 1), v]);
  }
  return {
    euicc: { own, journal: snap.journal },
    profiles: [...profiles].map(([aid, recs]) => [aid, { own: recs, journal: null }]),
  };
}

export interface EuiccCardOptions {
  /** The eUICC's own file system and NVM template (holds the ISD-R's records). */
  own: CardSpec;
  /** The ISD-R and ECASD, made for this card's eUICC NVM (their state lives there). */
  applets: (euiccNvm: Nvm) => Applet[];
  profiles: EuiccProfileSpec[];
  /** Which ISD-P is enabled, read from the eUICC NVM at every reset (undefined: none). */
  enabled: (euiccNvm: Nvm) => Bytes | undefined;
  /** Which ISD-Ps exist, read from the eUICC NVM at every reset (a deleted one's NVM is dropped). */
  installed: (euiccNvm: Nvm) => Bytes[];
  /**
   * The file system and applets of an installed ISD-P that is not among `profiles` (a downloaded one),
   * rebuilt from what the eUICC NVM keeps of it (SGP.22 §3.1.3: its profile package) at power-up and at
   * the reset after its download; undefined if it cannot be rebuilt.
   */
  build?: (aid: Bytes, euiccNvm: Nvm) => Omit<EuiccProfileSpec, 'aid'> | undefined;
  nvm?: EuiccSnapshot;
  protocol?: 0 | 1;
}

export class EuiccCard implements IccCard {
  readonly own: CardOs;
  private readonly profiles = new Map<string, CardOs>();
  private current: CardOs;
  private readonly opts: EuiccCardOptions;
  private readonly ownApplets: Applet[] = [];
  private readonly saved: Map<string, NvmSnapshot>;

  constructor(opts: EuiccCardOptions) {
    this.opts = opts;
    // The eUICC NVM comes first: the ISD-R applet instances are bound to it.
    this.own = new CardOs(opts.own, {
      applets: this.ownApplets,
      nvm: opts.nvm?.euicc,
      protocol: opts.protocol,
    });
    this.ownApplets.push(...opts.applets(this.own.nvm));
    this.saved = new Map(opts.nvm?.profiles ?? []);
    for (const p of opts.profiles) this.add(toHex(p.aid), p);
    this.current = this.own;
    this.select();
  }

  private add(key: string, p: Omit<EuiccProfileSpec, 'aid'>): void {
    this.profiles.set(
      key,
      new CardOs(p.spec, {
        applets: [...p.applets, ...this.ownApplets],
        nvm: this.saved.get(key),
        protocol: this.own.protocol,
      }),
    );
    this.saved.delete(key);
  }

  /** The eUICC's NVM (ISD-R records). */
  get nvm(): Nvm {
    return this.own.nvm;
  }

  /** The file system the terminal sees now. */
  get active(): CardOs {
    return this.current;
  }

  /** The installed profiles' card OSes, by ISD-P AID in hex (the key of their records in `storage`). */
  get installed(): [string, CardOs][] {
    return [...this.profiles];
  }

  /** The card OS of an installed profile, by ISD-P AID. */
  profile(aid: Bytes): CardOs | undefined {
    return this.profiles.get(toHex(aid));
  }

  get protocol(): 0 | 1 {
    return this.current.protocol;
  }

  set protocol(p: 0 | 1) {
    this.own.protocol = p;
    for (const os of this.profiles.values()) os.protocol = p;
  }

  /** Picks the enabled profile's file system (after recovering the eUICC NVM) and drops deleted ones. */
  private select(): void {
    this.own.nvm.recover();
    const aids = this.opts.installed(this.own.nvm);
    const installed = new Set(aids.map((a) => toHex(a)));
    for (const k of [...this.profiles.keys()]) if (!installed.has(k)) this.profiles.delete(k);
    for (const aid of aids) {
      const key = toHex(aid);
      if (this.profiles.has(key)) continue;
      const built = this.opts.build?.(aid, this.own.nvm);
      if (built) this.add(key, built);
    }
    const enabled = this.opts.enabled(this.own.nvm);
    this.current = (enabled && this.profiles.get(toHex(enabled))) || this.own;
  }

  atr(): Bytes {
    return this.current.atr();
  }

  powerOn(): Bytes {
    return this.reset();
  }

  reset(): Bytes {
    this.select();
    if (this.current !== this.own) this.own.reset();
    return this.current.reset();
  }

  powerOff(): void {
    this.current.powerOff();
  }

  transmit(command: Bytes): Bytes {
    try {
      return this.current.transmit(command);
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
      return Uint8Array.of(0x6f, 0x00);
    }
  }

  /** NVM write steps of the whole card (the eUICC's and every profile's): what a saver watches. */
  get writeSteps(): number {
    let n = this.own.nvm.steps;
    for (const os of this.profiles.values()) n += os.nvm.steps;
    return n;
  }

  /**
   * All the card's NVMs seen as one, for a card image (host/card-store): the eUICC's records under their
   * own keys, each profile's under `isdp/<ISD-P AID>/`. `splitEuiccSnapshot` undoes it.
   */
  get storage(): EuiccStorage {
    const all = () => [this.own.nvm, ...[...this.profiles.values()].map((os) => os.nvm)];
    const prefixed = (k: string, recs: [string, Bytes | null][]): [string, Bytes | null][] =>
      recs.map(([r, v]) => [`${ISDP_PREFIX}${k}/${r}`, v]);
    const card = this;
    return {
      get steps() {
        return card.writeSteps;
      },
      get journalPending() {
        return all().some((n) => n.journalPending);
      },
      trackChanges: () => {
        for (const n of all()) n.trackChanges();
      },
      takeChanges: () => [
        ...this.own.nvm.takeChanges(),
        ...[...this.profiles].flatMap(([k, os]) => prefixed(k, os.nvm.takeChanges())),
      ],
      snapshot: () => {
        const own = this.own.nvm.snapshot();
        const records = [...own.own];
        for (const [k, os] of this.profiles) {
          const s = os.nvm.snapshot();
          // A profile's torn transaction is folded as its power-up recovery would (Nvm.recover):
          // a committed journal applies, an uncommitted one is dropped. The eUICC's stays a journal.
          const m = new Map(s.own);
          if (s.journal?.committed) for (const [r, v] of s.journal.records) m.set(r, v);
          records.push(...prefixed(k, [...m]));
        }
        return { own: records, journal: own.journal };
      },
    };
  }

  snapshot(): EuiccSnapshot {
    return {
      euicc: this.own.nvm.snapshot(),
      profiles: [...this.profiles].map(([k, os]) => [k, os.nvm.snapshot()]),
    };
  }
}
