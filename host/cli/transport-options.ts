// The options every card-facing command shares: which card (profile, image, or a PC/SC reader), and
// `--trace FILE` to record the session (host/trace, docs/traces.md).

import type { Command } from 'commander';
import { type OpenedCard, openCardLazy } from '../card-source.js';
import { cardKeyFrom } from '../card-store/seal.js';
import type { Traced, TraceOpts } from '../trace/open.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { embeddedTransport } from '../transport/embedded.js';
import type { ExchangeRecorder, Transport } from '../transport/transport.js';
import { nonEmpty, seconds } from './arg-parsers.js';

export interface TransportOpts extends TraceOpts {
  profile?: string;
  card?: string;
  reader?: string;
  cardKeyFile?: string;
  wait?: number;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `--trace FILE` (repeatable; .jsonl transcript or .pcap for Wireshark), for commands that record. */
export function traceOption(cmd: Command): Command {
  return cmd.option(
    '--trace <file>',
    'record the session: FILE.jsonl (transcript, replay) or FILE.pcap (Wireshark); repeatable',
    collect,
  );
}

export function transportOptions(cmd: Command): Command {
  traceOption(cmd)
    .option(
      '--profile <file>',
      'card profile (YAML) for the embedded emulator (default: profiles/default-usim.yaml)',
    )
    .option(
      '--card <image>',
      'card image file: loaded if present, created otherwise; state persists between runs',
    )
    .option(
      '--reader <name>',
      'use a PC/SC reader instead of the embedded emulator (see `uicc readers`)',
      nonEmpty,
    );
  return cardImageOptions(cmd);
}

/**
 * --card-key-file and --wait: how a --card image is opened (encrypted; waiting for another process that
 * holds it). Shared with `uicc serve` and `uicc card new`.
 */
export const cardKeyOption = [
  '--card-key-file <file>',
  'passphrase file of an encrypted card image (or env UICC_CARD_KEY); new images are created encrypted',
  nonEmpty,
] as const;
export const waitOption = [
  '--wait <seconds>',
  'wait up to SECONDS for another process using the --card image (default: refuse at once)',
  seconds,
] as const;

export function cardImageOptions(cmd: Command): Command {
  return cmd.option(...cardKeyOption).option(...waitOption);
}

/** The --card image options as openCard takes them. */
export function cardSource(opts: { profile?: string; card?: string; cardKeyFile?: string; wait?: number }) {
  return {
    profile: opts.profile,
    card: opts.card,
    wait: opts.wait,
    key: opts.card ? cardKeyFrom(opts.cardKeyFile) : undefined,
  };
}

export interface OpenTransport {
  transport: Transport;
  embedded?: OpenedCard;
  /** Present with --trace: notes and ignore rules go into the trace through it. */
  recorder?: TraceRecorder;
  /**
   * A new card from the same profile behind the same transport (and trace), as if the card were swapped:
   * present for the embedded emulator without --card (an image or a reader's card is the card itself).
   */
  renew?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `withTrace` of host/trace/open.ts, loaded only when --trace asks for a trace: the recorder and the
 * JSONL/pcap writers (and the zod schemas of the trace format) stay out of a run that writes none.
 */
async function withTrace(transport: Transport, opts: TraceOpts, meta: { tool?: string; profile?: string }) {
  if (!opts.trace?.length) return { transport } satisfies Traced;
  return (await import('../trace/open.js')).withTrace(transport, opts, meta);
}

/**
 * Opens the card the options name; with --trace, the transport records and close() writes the trace.
 * `raw`: APDUs go to a reader exactly as given (scripts, like scriptor, send their own GET RESPONSE);
 * otherwise a T=0 reader gets the host T=0 rules (GET RESPONSE on 61xx, resend on 6Cxx).
 */
export async function openTransport(
  opts: TransportOpts,
  tool?: string,
  mode: { raw?: boolean } = {},
): Promise<OpenTransport> {
  if (opts.reader) {
    if (opts.profile || opts.card)
      throw new Error('--reader talks to a real card; --profile and --card are for the emulator');
    const { openReader } = await import('../../pcsc-bridge/pcsc-transport.js');
    const reader = await openReader(opts.reader);
    const inner: Transport = mode.raw ? { ...reader, transmit: (c) => reader.transmitRaw(c) } : reader;
    const t = await withTrace(inner, opts, { tool });
    return { ...t, close: () => t.transport.close() };
  }
  const src = cardSource(opts);
  let embedded = await openCardLazy(src);
  let current = embeddedTransport(embedded.euicc ?? embedded.card, { onChange: () => embedded.save() });
  let recorder: ExchangeRecorder | undefined;
  // Delegates to the current card, so renew() can swap it under the trace recorder.
  const swappable: Transport = {
    name: current.name,
    transmit: (c) => current.transmit(c),
    reset: () => current.reset(),
    atr: () => current.atr(),
    close: () => current.close(),
    record(r) {
      recorder = r;
      current.record?.(r);
    },
  };
  const t = await withTrace(swappable, opts, { tool, profile: embedded.profileName });
  const renew = async () => {
    embedded.close();
    embedded = await openCardLazy(src);
    current = embeddedTransport(embedded.euicc ?? embedded.card);
    if (recorder) {
      current.record?.(recorder);
      recorder.reset((embedded.euicc ?? embedded.card).atr());
    }
    result.embedded = embedded;
  };
  const result: OpenTransport = {
    ...t,
    embedded,
    close: async () => {
      try {
        await t.transport.close();
      } finally {
        embedded.close();
      }
    },
  };
  if (!opts.card) result.renew = renew;
  return result;
}
