// The options every card-facing command shares: which card (profile, image, or a PC/SC reader).

import type { Command } from 'commander';
import { openCard, type OpenedCard } from '../card-factory.js';
import { embeddedTransport } from '../transport/embedded.js';
import type { Transport } from '../transport/transport.js';

export interface TransportOpts {
  profile?: string;
  card?: string;
  reader?: string;
}

export function transportOptions(cmd: Command): Command {
  return cmd
    .option('--profile <file>', 'card profile (YAML) for the embedded emulator (default: profiles/default-usim.yaml)')
    .option('--card <image>', 'card image file: loaded if present, created otherwise; state persists between runs')
    .option('--reader <name>', 'use a PC/SC reader instead of the embedded emulator (see `uicc readers`)');
}

export interface OpenTransport {
  transport: Transport;
  embedded?: OpenedCard;
  close(): Promise<void>;
}

export async function openTransport(opts: TransportOpts): Promise<OpenTransport> {
  if (opts.reader) {
    if (opts.profile || opts.card) throw new Error('--reader talks to a real card; --profile and --card are for the emulator');
    const { openReader } = await import('../../pcsc-bridge/pcsc-transport.js');
    const transport = await openReader(opts.reader);
    return { transport, close: () => transport.close() };
  }
  const embedded = openCard({ profile: opts.profile, card: opts.card });
  const transport = embeddedTransport(embedded.card, { onChange: () => embedded.save() });
  return { transport, embedded, close: () => transport.close() };
}
