// `uicc auth`: an authentication between the AuC/HSS and a card, with the resync when the card answers AUTS.

import type { Command } from 'commander';
import { toHex } from '../../card-os/bytes.js';
import { fidHex, walk } from '../../card-os/fs/model.js';
import { decodeImsi } from '../codecs/imsi.js';
import { type AttachStep, attach, selectUsim } from '../network/attach.js';
import { type Auc, createAuc } from '../network/auc.js';
import { loadSubscribers, type SubscriberRecord, saveSubscribers } from '../network/subscribers.js';
import type { CompiledProfile } from '../profile/load.js';
import { hostPort, imsiDigits, integer, nonEmpty, pinDigits } from './arg-parsers.js';
import { identify5g, openHlr, snnFor, with5gKeys } from './auth-5g.js';
import { green, red } from './transcript.js';
import {
  type OpenTransport,
  openTransport,
  type TransportOpts,
  transportOptions,
} from './transport-options.js';

/** A one-subscriber HSS from a profile: its EF.IMSI and its subscriber keys (test set-ups only). */
export function hssFromProfile(p: CompiledProfile): SubscriberRecord {
  const sub = p.subscriber;
  if (!sub) throw new Error('the profile has no subscriber section; give --hss FILE');
  let imsi: string | undefined;
  for (const f of walk(p.spec.mf))
    if (fidHex(f.fid) === '6F07' && f.type === 'EF') imsi = decodeImsi(f.initial);
  if (!imsi) throw new Error('the profile has no EF.IMSI to name the subscriber; give --imsi');
  const common = {
    imsi,
    amf: sub.amf ?? Uint8Array.of(0x80, 0x00),
    gsm: true,
    indBits: sub.sqn.indBits ?? 5,
    seq: 0,
  };
  if (sub.algorithm === 'tuak')
    return { ...common, algorithm: 'tuak', k: sub.k, topc: sub.topc, top: sub.top, tuak: sub.tuak };
  return { ...common, k: sub.k, opc: sub.opc, op: sub.op, constants: sub.constants };
}

/** The IMSI of an emulated card's profile (for --hlr without --imsi). */
function profileImsi(t: OpenTransport): string {
  if (t.embedded?.downloadedEnabled)
    throw new Error('the enabled profile was downloaded: say which subscriber with --imsi');
  const p = t.embedded?.profile;
  if (!p) throw new Error('with --reader and --hlr, say which subscriber with --imsi');
  return hssFromProfile(p).imsi;
}

/** The HSS a command works with (--hss file, else one subscriber from the embedded card's profile) and the IMSI. */
export function openHss(opts: { hss?: string; imsi?: string }, t: OpenTransport): { auc: Auc; imsi: string } {
  let records: SubscriberRecord[];
  if (opts.hss) records = loadSubscribers(opts.hss);
  else if (t.embedded?.downloadedEnabled)
    throw new Error(
      'the enabled profile was downloaded: no profile file holds its keys, give the HSS with --hss FILE',
    );
  else if (t.embedded) records = [hssFromProfile(t.embedded.profile)];
  else throw new Error('with --reader the HSS needs the subscriber keys: give --hss FILE');
  const imsi = opts.imsi ?? (records.length === 1 ? records[0]!.imsi : undefined);
  if (!imsi) throw new Error('the HSS has several subscribers: say which with --imsi');
  const auc = createAuc(records);
  if (!auc.has(imsi)) throw new Error(`the HSS has no subscriber ${imsi}`);
  return { auc, imsi };
}

/**
 * The PIN1 a device enters before it attaches: --pin, else, for an emulated card, the profile's own test PIN1
 * when it is enabled (a disabled PIN1 needs none). A physical card needs --pin unless its PIN1 is disabled.
 */
export function pinFor(opts: { pin?: string }, t: OpenTransport): string | undefined {
  if (opts.pin !== undefined) return opts.pin;
  // An eUICC's terminal sees the enabled profile (SGP.22 §2.2), a downloaded one too: its PIN1 counts.
  const spec = t.embedded?.euicc ? t.embedded.euicc.active.spec : t.embedded?.profile.spec;
  const p1 = spec?.pins.find((p) => p.ref === 0x01 && p.enabled);
  if (!p1) return undefined;
  let digits = '';
  for (const b of p1.value) if (b !== 0xff) digits += String.fromCharCode(b);
  return digits;
}

export function printStep(s: AttachStep): void {
  switch (s.kind) {
    case 'vector':
      console.log(`HSS   RAND ${toHex(s.vector.rand)}`);
      console.log(
        `      AUTN ${toHex(s.vector.autn)}${s.vector.sqn === undefined ? '' : `  (SQN ${s.vector.sqn.toString(16).padStart(12, '0')})`}`,
      );
      break;
    case 'answer':
      if (s.res) console.log(`card  RES  ${toHex(s.res)}  RES = XRES: ${s.ok ? green('yes') : red('no')}`);
      else console.log(red(`card  refused: SW ${s.sw.toString(16).toUpperCase()}`));
      break;
    case 'sync-failure':
      console.log(`card  synchronisation failure, AUTS ${toHex(s.auts)}`);
      break;
    case 'resync':
      console.log(
        s.ok
          ? s.sqnMs === undefined
            ? 'HSS   resynchronised from AUTS'
            : `HSS   resynchronised from AUTS: SQN_MS ${s.sqnMs.toString(16).padStart(12, '0')}, continuing above it`
          : red('HSS   AUTS rejected (MAC-S wrong)'),
      );
      break;
  }
}

export function registerAuth(program: Command): void {
  const cmd = program
    .command('auth')
    .description('authenticate a card against the AuC/HSS (AUTHENTICATE, resync on AUTS)')
    .option(
      '--hss <file>',
      'subscriber file of the HSS (JSON); default: one subscriber from the card profile',
    )
    .option(
      '--imsi <imsi>',
      'subscriber to authenticate (default: the profile IMSI, or the only one in --hss)',
      imsiDigits,
    )
    .option('--count <n>', 'authentications in a row', integer(1, 1_000_000), 1)
    .option(
      '--pin <pin>',
      "PIN1 to verify first (default: an emulated card's profile PIN1; none if disabled)",
      pinDigits,
    )
    .option('--5g', 'SUCI from the card (GET IDENTITY) to SUPI by the SIDF, and the 5G AKA keys')
    .option(
      '--keys <file>',
      'SIDF home network private keys for --5g (default: the profile sidf section)',
      nonEmpty,
    )
    .option(
      '--hlr <host:port>',
      'take the vectors from an Osmocom HLR over GSUP instead of the local AuC',
      hostPort,
    );
  transportOptions(cmd).action(
    async (
      opts: TransportOpts & {
        hss?: string;
        imsi?: string;
        count: number;
        pin?: string;
        '5g'?: boolean;
        keys?: string;
        hlr?: string;
      },
    ) => {
      const count = opts.count;
      const t = await openTransport(opts, 'uicc auth');
      // RAND is fresh every run: a replay of this trace compares everything but the RAND-dependent bytes.
      t.recorder?.ignore({
        name: 'AUTHENTICATE with a fresh RAND',
        match: '00 88 00 81 *',
        command: '.. .. .. .. .. .. *',
        response: 'xx*',
      });
      const hlr = opts.hlr ? await openHlr(opts.hlr) : undefined;
      try {
        await selectUsim(t.transport, pinFor(opts, t));
        const profile = t.embedded?.profile;
        const supi = opts['5g'] ? await identify5g(t.transport, profile, opts) : undefined;
        const { auc, imsi } = hlr
          ? { auc: hlr.source, imsi: opts.imsi ?? supi ?? profileImsi(t) }
          : openHss({ ...opts, imsi: opts.imsi ?? supi }, t);
        let print = count === 1 ? printStep : () => {};
        if (opts['5g'] && count === 1) print = with5gKeys(snnFor(imsi, profile), imsi, printStep);
        let failed = 0;
        for (let i = 0; i < count; i++) {
          const r = await attach(t.transport, auc, imsi, print);
          if (!r.ok) {
            failed++;
            console.log(red(`authentication ${i + 1} failed: ${r.reason}`));
          }
        }
        if (count > 1) console.log(`${count - failed} of ${count} authentications succeeded`);
        if (opts.hss && !hlr) saveSubscribers(opts.hss, (auc as Auc).records());
        process.exitCode = failed ? 1 : 0;
      } finally {
        hlr?.client.close();
        await t.close();
      }
    },
  );
}
