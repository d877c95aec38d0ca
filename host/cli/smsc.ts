// `uicc smsc serve`: an SMPP v3.4 SMSC on 127.0.0.1 in front of emulated cards, each reached by its MSISDN.
// Messages to a card are delivered as SMS-PP data download; the card's PoR and delivery receipts go back
// to the ESMEs as deliver_sm.

import type { Command } from 'commander';
import { defaultProfilePath } from '../card-factory.js';
import { CardStore } from '../smsc/card-store.js';
import { loadSmscConfig } from '../smsc/config.js';
import { CardFleet, msisdnRange, readProfile } from '../smsc/fleet.js';
import { Smsc } from '../smsc/smsc.js';
import { maskSmppSecrets, PcapTcpWriter } from '../trace/pcap-tcp.js';

interface ServeOpts {
  port: string;
  cards?: string;
  profile?: string;
  count?: string;
  config?: string;
  pcap?: string;
  quiet?: boolean;
}

function intOption(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < min || n > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}, got "${v}"`);
  return n;
}

export function registerSmsc(program: Command): void {
  const smsc = program.command('smsc').description('SMSC (SMPP v3.4 server) in front of emulated cards');
  smsc
    .command('serve')
    .description("serve SMPP on 127.0.0.1; messages to a card's MSISDN reach it as SMS-PP download")
    .option('--port <n>', 'TCP port (0: any free one, printed at start)', '2775')
    .option(
      '--cards <dir>',
      'card images, one per MSISDN (<msisdn>.card): loaded, and saved when a card changes',
    )
    .option('--profile <file>', 'profile for cards without an image (default profiles/default-usim.yaml)')
    .option('--count <n>', 'number of cards made from the profile, MSISDNs from firstMsisdn up')
    .option('--config <file>', 'accounts, first MSISDN, powered-off cards, retry time (YAML)')
    .option('--pcap <file>', 'write the SMPP traffic as a pcap (TCP on 127.0.0.1)')
    .option('--quiet', 'log only the start line')
    .action(async (opts: ServeOpts) => {
      const port = intOption(opts.port, 'port', 0, 65535);
      const config = loadSmscConfig(opts.config);
      const store = opts.cards ? new CardStore(opts.cards) : undefined;
      let msisdns: string[];
      let profile: { name: string; text: string } | undefined;
      if (opts.count !== undefined || opts.profile || !store) {
        const count = intOption(opts.count ?? '1', 'count', 1, 10_000_000);
        profile = readProfile(opts.profile ?? defaultProfilePath());
        msisdns = msisdnRange(config.firstMsisdn, count);
      } else {
        msisdns = store.msisdns();
        if (!msisdns.length)
          throw new Error(`${opts.cards}: no card images (<msisdn>.card); give --count to make cards`);
      }
      const fleet = new CardFleet({ msisdns, ...(store ? { store } : {}), ...(profile ? { profile } : {}) });
      const pcap = opts.pcap ? new PcapTcpWriter(opts.pcap) : undefined;
      const log = opts.quiet ? undefined : (line: string) => console.log(line);
      const server = new Smsc(fleet, config, {
        ...(log ? { log } : {}),
        ...(pcap
          ? {
              tap: (socket) => {
                const r = pcap.stream(socket.remotePort ?? 0, socket.localPort ?? 0);
                socket.on('close', () => r.close());
                return (bytes, out) => r.data(maskSmppSecrets(bytes), out);
              },
            }
          : {}),
      });
      for (const m of config.poweredOff) {
        if (!fleet.has(m)) throw new Error(`${opts.config}: poweredOff: no card has MSISDN ${m}`);
        await server.setPower(m, false);
      }
      const bound = await server.listen(port);
      console.log(
        `uicc smsc: SMPP on 127.0.0.1:${bound}, ${fleet.size} card(s), MSISDN ${msisdns[0]}${msisdns.length > 1 ? `..${msisdns[msisdns.length - 1]}` : ''}; Ctrl-C stops`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      pcap?.close();
      const s = server.stats;
      console.log(
        `uicc smsc: stopped; ${s.submitted} submitted, ${s.delivered} delivered, ${s.failed} failed, ${s.rejected} refused`,
      );
    });
}
