// The cards behind the SMSC, each reached by its MSISDN. A card is made only when a message first reaches
// it (from its saved image, else from the profile template every card shares: only its own NVM records are
// its own), so ten thousand idle cards cost a few hundred bytes each. Messages to one card run one after
// the other, as a handset hands them over; different cards run independently.

import { readFileSync } from 'node:fs';
import { createCard } from '../../card-os/card.js';
import { prepareProfile } from '../card-factory.js';
import { embeddedTransport } from '../transport/embedded.js';
import type { Transport } from '../transport/transport.js';
import type { CardStore, ImageProfile } from './card-store.js';

interface FleetCard {
  powered: boolean;
  transport?: Transport;
  /** The last job queued for this card (jobs run in order). */
  chain: Promise<unknown>;
}

export interface FleetSource {
  /** Directory of card images (`<msisdn>.card`): loaded when present, written when a card changes. */
  store?: CardStore;
  /** Profile (path and text) for cards without an image. */
  profile?: { name: string; text: string };
  /** MSISDNs served; with a store and no profile, the images in it. */
  msisdns: readonly string[];
}

/** `count` MSISDNs from `first` up, keeping its digit count (e.g. 999010000000, 999010000001...). */
export function msisdnRange(first: string, count: number): string[] {
  if (!/^[0-9]{1,20}$/.test(first)) throw new Error(`first MSISDN "${first}" is not 1 to 20 digits`);
  const base = BigInt(first);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = (base + BigInt(i)).toString().padStart(first.length, '0');
    if (s.length > first.length)
      throw new Error(`${count} MSISDNs from ${first} overflow ${first.length} digits`);
    out.push(s);
  }
  return out;
}

export function readProfile(path: string): { name: string; text: string } {
  try {
    return { name: path, text: readFileSync(path, 'utf8') };
  } catch (e) {
    throw new Error(`${path}: cannot read profile (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export class CardFleet {
  private readonly cards = new Map<string, FleetCard>();

  constructor(private readonly src: FleetSource) {
    for (const m of src.msisdns) this.cards.set(m, { powered: true, chain: Promise.resolve() });
    // Compile the shared template once, up front: a broken profile is reported at start, not per message.
    if (src.profile) prepareProfile(src.profile.text, src.profile.name);
  }

  get size(): number {
    return this.cards.size;
  }

  has(msisdn: string): boolean {
    return this.cards.has(msisdn);
  }

  isPowered(msisdn: string): boolean {
    return this.cards.get(msisdn)?.powered ?? false;
  }

  /** Number of cards made so far (the others are still only their MSISDN). */
  get active(): number {
    let n = 0;
    for (const c of this.cards.values()) if (c.transport) n++;
    return n;
  }

  /** Powers a card off or on; on power-up a card that exists is reset (TS 102 221 §6.2). */
  async setPower(msisdn: string, on: boolean): Promise<void> {
    const c = this.cards.get(msisdn);
    if (!c) throw new Error(`no card with MSISDN ${msisdn}`);
    if (c.powered === on) return;
    c.powered = on;
    if (on && c.transport) await this.run(msisdn, (t) => t.reset());
  }

  /** Runs `job` with the card's transport, after the jobs queued before it. */
  run<T>(msisdn: string, job: (t: Transport) => Promise<T>): Promise<T> {
    const c = this.cards.get(msisdn);
    if (!c) return Promise.reject(new Error(`no card with MSISDN ${msisdn}`));
    const next = c.chain.then(() => job(this.transportOf(msisdn, c)));
    c.chain = next.catch(() => {});
    return next;
  }

  private transportOf(msisdn: string, c: FleetCard): Transport {
    if (c.transport) return c.transport;
    const store = this.src.store;
    let image: ImageProfile;
    let card: ReturnType<typeof createCard>;
    if (store?.has(msisdn)) {
      const img = store.load(msisdn);
      const p = prepareProfile(img.profile.text, img.profile.name);
      card = createCard(p.spec, { applets: p.applets, nvm: img.nvm });
      image = img.profile;
    } else {
      if (!this.src.profile) throw new Error(`no card image for MSISDN ${msisdn} and no profile`);
      const p = prepareProfile(this.src.profile.text, this.src.profile.name);
      card = createCard(p.spec, { applets: p.applets });
      image = this.src.profile;
    }
    c.transport = embeddedTransport(card, {
      onChange: store ? () => store.save(msisdn, { profile: image, nvm: card.nvm.snapshot() }) : undefined,
    });
    return c.transport;
  }
}
