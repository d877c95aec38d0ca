// `uicc euicc info|list|enable|disable|delete|nickname|notifications|memory-reset`: local profile management
// of an eUICC (SGP.22 ES10, host/euicc/lpa.ts) on the embedded emulator (profiles/default-euicc.yaml, or
// --euicc FILE; a fresh eUICC per run) or on a card behind --reader.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toHex } from '../../card-os/bytes.js';
import { projectRoot } from '../card-factory.js';
import { openCardLazy } from '../card-source.js';
import { createEuicc, loadEuicc } from '../euicc/load.js';
import { Lpa, RESULT_NAMES } from '../euicc/lpa.js';
import { embeddedTransport } from '../transport/embedded.js';
import type { Transport } from '../transport/transport.js';
import { registerEuiccDownload } from './euicc-download.js';
import { registerEuiccIot } from './euicc-iot.js';
import { cardImageOptions, cardSource } from './transport-options.js';

interface EuiccOpts {
  euicc?: string;
  reader?: string;
  card?: string;
  cardKeyFile?: string;
  wait?: number;
}

const defaultEuicc = () => join(projectRoot(), 'profiles', 'default-euicc.yaml');

/** A --card image of an eUICC: made from --euicc (or the default) when new, saved after every change. */
async function openImage(o: EuiccOpts): Promise<{ t: Transport; embedded: boolean }> {
  const card = o.card!;
  const src = cardSource({ ...o, profile: existsSync(card) ? o.euicc : (o.euicc ?? defaultEuicc()) });
  const opened = await openCardLazy(src);
  if (!opened.euicc) {
    opened.close();
    throw new Error(`${card}: the card image is not an eUICC (it was made from ${opened.profileName})`);
  }
  const t = embeddedTransport(opened.euicc, { onChange: () => opened.save() });
  return { t: { ...t, close: async () => opened.close() }, embedded: true };
}

async function open(o: EuiccOpts): Promise<{ t: Transport; embedded: boolean }> {
  if (o.reader) {
    if (o.euicc || o.card)
      throw new Error('--reader talks to a real card; --euicc and --card are for the emulator');
    const { openReader } = await import('../../pcsc-bridge/pcsc-transport.js');
    return { t: await openReader(o.reader), embedded: false };
  }
  if (o.card) return openImage(o);
  const file = o.euicc ?? defaultEuicc();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `${file}: cannot read the eUICC definition (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return { t: embeddedTransport(createEuicc(loadEuicc(file, text))), embedded: true };
}

async function withLpa(
  o: EuiccOpts,
  fn: (lpa: Lpa, t: Transport) => Promise<number | undefined>,
): Promise<void> {
  const { t } = await open(o);
  try {
    await t.reset();
    const lpa = await Lpa.open(t);
    const code = await fn(lpa, t);
    await lpa.close();
    if (code) process.exitCode = 1;
  } finally {
    await t.close();
  }
}

function printList(list: Awaited<ReturnType<Lpa['profiles']>>): void {
  for (const p of list) {
    const names = [p.serviceProvider, p.name].filter(Boolean).join(' / ');
    const nick = p.nickname ? ` "${p.nickname}"` : '';
    console.log(
      `${p.state === 'enabled' ? '*' : ' '} ${p.iccid.padEnd(20)} ${p.isdpAid}  ${(p.class ?? '').padEnd(11)} ${names}${nick}`,
    );
  }
}

/** Prints an ES10c result; after an enable/disable the embedded card is reset as its REFRESH asks. */
async function report(what: string, code: number, t: Transport, resetAfter: boolean): Promise<number> {
  console.log(`${what}: ${code} (${RESULT_NAMES[code] ?? 'unknown'})`);
  if (code === 0 && resetAfter) {
    await t.reset();
    console.log('REFRESH: the card was reset; the terminal now sees the enabled profile');
  }
  return code;
}

export function registerEuicc(program: Command): void {
  const e: Command = program
    .command('euicc')
    .description('eUICC local profile management (SGP.22 ES10): info, list, enable, disable, delete...')
    .option(
      '--euicc <file>',
      'eUICC definition for the embedded emulator (default: profiles/default-euicc.yaml)',
    )
    .option('--reader <name>', 'use the eUICC in a PC/SC reader instead of the embedded emulator')
    .option(
      '--card <image>',
      'eUICC card image: loaded if present, created from --euicc otherwise; state persists between runs',
    );
  cardImageOptions(e);
  const opts = () => e.opts<EuiccOpts>();

  e.command('info')
    .description('EID, configured addresses and EUICCInfo2')
    .action(() =>
      withLpa(opts(), async (lpa) => {
        console.log(`EID                ${await lpa.eid()}`);
        const a = await lpa.addresses();
        console.log(`default SM-DP+     ${a.defaultDp ?? '(none)'}`);
        console.log(`root SM-DS         ${a.rootDs ?? '(none)'}`);
        const info = await lpa.euiccInfo2();
        const v = info.find((x) => x.tag === 0x82)?.value;
        if (v) console.log(`SGP.22 version     ${v.join('.')}`);
        const fw = info.find((x) => x.tag === 0x83)?.value;
        if (fw) console.log(`firmware           ${fw.join('.')}`);
        const ci = info.find((x) => x.tag === 0xa9)?.value;
        if (ci) console.log(`CI key ids         ${toHex(ci.subarray(2))}`);
        return 0;
      }),
    );

  e.command('list')
    .description('installed profiles (* = enabled)')
    .action(() =>
      withLpa(opts(), async (lpa) => {
        printList(await lpa.profiles());
        return 0;
      }),
    );

  e.command('enable <id>')
    .description('enable a profile by ICCID or ISD-P AID; the card is reset (REFRESH)')
    .action((id: string) =>
      withLpa(opts(), async (lpa, t) => {
        const code = await report(`enable ${id}`, await lpa.enable(id), t, true);
        if (code === 0) {
          const again = await Lpa.open(t);
          printList(await again.profiles());
        }
        return code;
      }),
    );

  e.command('disable <id>')
    .description('disable the enabled profile; the card is reset (REFRESH)')
    .action((id: string) =>
      withLpa(opts(), async (lpa, t) => report(`disable ${id}`, await lpa.disable(id), t, true)),
    );

  e.command('delete <id>')
    .description('delete a disabled profile')
    .action((id: string) =>
      withLpa(opts(), async (lpa, t) => report(`delete ${id}`, await lpa.delete(id), t, false)),
    );

  e.command('nickname <iccid> <nickname>')
    .description('set the nickname of a profile')
    .action((iccid: string, nick: string) =>
      withLpa(opts(), async (lpa, t) =>
        report(`nickname ${iccid}`, await lpa.nickname(iccid, nick), t, false),
      ),
    );

  e.command('notifications')
    .description('pending notifications (install, enable, disable, delete)')
    .option('--remove <seq>', 'remove the notification with this sequence number')
    .action((o: { remove?: string }) =>
      withLpa(opts(), async (lpa, t) => {
        if (o.remove !== undefined) {
          if (!/^\d+$/.test(o.remove)) throw new Error(`--remove ${o.remove}: expected a sequence number`);
          return report(`remove ${o.remove}`, await lpa.removeNotification(Number(o.remove)), t, false);
        }
        for (const n of await lpa.notifications())
          console.log(`${String(n.seq).padStart(4)} ${n.event.padEnd(8)} ${n.iccid ?? ''} -> ${n.address}`);
        return 0;
      }),
    );

  e.command('memory-reset')
    .description('eUICCMemoryReset: delete operational and test profiles, reset the default SM-DP+ address')
    .action(() =>
      withLpa(opts(), async (lpa, t) => report('memory reset', await lpa.memoryReset(), t, true)),
    );

  registerEuiccDownload(e, () => open(opts()));
  registerEuiccIot(e, (fn) => withLpa(opts(), (lpa) => fn(lpa)));
}
