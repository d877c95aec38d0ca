// `uicc smdp serve|order|list`: a test SM-DP+ (SGP.22 ES9+ over HTTPS on loopback) with its inventory and
// download orders in a state file (host/smdp/store.ts). `order` prints the activation code a user scans
// or types into `uicc euicc download --ac`.

import type { Command } from 'commander';
import { formatActivationCode } from '../smdp/activation-code.js';
import { type InventoryEntry, openOrders, type ProfileClass, SmdpStore } from '../smdp/store.js';
import { integer, nonEmpty, oneOf } from './arg-parsers.js';

const DEFAULT_STATE = 'smdp-state.json';

/** The activation code of an order (SGP.22 §4.1), or undefined before the SM-DP+ has an address. */
function codeOf(p: InventoryEntry, address: string | undefined): string | undefined {
  if (!address || p.matchingId === undefined) return undefined;
  return formatActivationCode({
    smdpAddress: address,
    matchingId: p.matchingId,
    confirmationCodeRequired: p.ccHash !== undefined,
  });
}

function printOrders(store: SmdpStore): void {
  const address = store.address;
  for (const p of openOrders(store.list())) {
    const who = p.matchingId ? '' : ` (default SM-DP+ for EID ${p.eid})`;
    console.log(`order ${p.iccid} ${p.state}: ${codeOf(p, address)}${who}`);
  }
}

export function registerSmdp(program: Command): void {
  const smdp = program
    .command('smdp')
    .description('test SM-DP+ (SGP.22 ES9+ over HTTPS): serve, order profiles, list orders');

  smdp
    .command('serve')
    .description('serve ES9+ over HTTPS on loopback; prints the activation codes of open orders')
    .option('--port <n>', 'TCP port (0: a free one, printed at start)', integer(0, 65535), 8443)
    .option('--host <ip>', 'address to listen on', nonEmpty, '127.0.0.1')
    .option(
      '--name <fqdn>',
      'SM-DP+ host name in activation codes and its TLS certificate',
      nonEmpty,
      'localhost',
    )
    .option(
      '--state <file>',
      'state file: inventory and orders (created if missing)',
      nonEmpty,
      DEFAULT_STATE,
    )
    .option(
      '--profiles <dir>',
      'add every profile package (*.der, SAIP) and YAML profile (*.yaml) in this folder to the inventory',
    )
    .option('--quiet', 'log only the start line and the orders')
    .action(
      async (o: {
        port: number;
        host: string;
        name: string;
        state: string;
        profiles?: string;
        quiet?: boolean;
      }) => {
        const { addProfileFolder, startSmdp } = await import('../smdp/service.js');
        const store = SmdpStore.open(o.state);
        if (o.profiles) {
          const added = await addProfileFolder(store, o.profiles);
          console.log(`inventory: ${added.length} profile package(s) from ${o.profiles}`);
        }
        const log = o.quiet ? undefined : (line: string) => console.log(line);
        const s = await startSmdp({
          store,
          name: o.name,
          host: o.host,
          port: o.port,
          ...(log ? { log } : {}),
        });
        console.log(
          `uicc smdp: ES9+ on https://${s.address} (listening on ${o.host}:${s.port}); Ctrl-C stops`,
        );
        printOrders(store);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await s.close();
        console.log('uicc smdp: stopped');
      },
    );

  smdp
    .command('order')
    .description('order a profile for a download; prints its activation code')
    .requiredOption('--state <file>', 'state file of the SM-DP+', nonEmpty)
    .option(
      '--profile <file>',
      'profile package (SAIP .der) or YAML profile: added to the inventory and ordered',
    )
    .option('--iccid <digits>', 'order this profile of the inventory')
    .option('--eid <eid>', 'only this eUICC may download it (alone: found by EID, empty matching ID)')
    .option('--matching-id <id>', 'matching ID (default: a new random one, unless --eid alone)')
    .option('--cc <code>', 'confirmation code the user must enter (kept only as SHA-256)')
    .option('--address <host[:port]>', 'SM-DP+ address for the activation code (default: the one serve set)')
    .option('--spn <name>', 'service provider name in the profile metadata (with --profile)')
    .option('--profile-name <name>', 'profile name in the metadata (with --profile)')
    .option('--class <class>', 'profile class (with --profile)', oneOf('test', 'provisioning', 'operational'))
    .action(
      async (o: {
        state: string;
        profile?: string;
        iccid?: string;
        eid?: string;
        matchingId?: string;
        cc?: string;
        address?: string;
        spn?: string;
        profileName?: string;
        class?: ProfileClass;
      }) => {
        if (o.profile && o.iccid) throw new Error('give --profile FILE or --iccid ICCID, not both');
        const store = SmdpStore.open(o.state);
        const address = o.address ?? store.address;
        if (!address)
          throw new Error(
            `${o.state}: the SM-DP+ has no address yet: start \`uicc smdp serve --state ${o.state}\` first or give --address HOST[:PORT]`,
          );
        // A bad address is refused before anything is ordered.
        formatActivationCode({ smdpAddress: address, matchingId: '', confirmationCodeRequired: false });
        let iccid = o.iccid;
        if (o.profile) {
          const { readProfilePackage } = await import('../smdp/service.js');
          const pkg = await readProfilePackage(o.profile);
          const name = o.profileName ?? pkg.name;
          iccid = store.addProfile(pkg.upp, o.profile, {
            ...(o.spn ? { spn: o.spn } : {}),
            ...(name ? { name } : {}),
            ...(o.class ? { class: o.class } : {}),
          });
        }
        const p = store.reserve({
          ...(iccid ? { iccid } : {}),
          ...(o.eid ? { eid: o.eid } : {}),
          ...(o.matchingId !== undefined ? { matchingId: o.matchingId } : {}),
          ...(o.cc !== undefined ? { confirmationCode: o.cc } : {}),
        });
        console.log(`ordered ${p.iccid}${p.eid ? ` for EID ${p.eid}` : ''}`);
        console.log(codeOf(p, address));
      },
    );

  smdp
    .command('list')
    .description('inventory and orders with their states')
    .requiredOption('--state <file>', 'state file of the SM-DP+', nonEmpty)
    .action((o: { state: string }) => {
      const store = SmdpStore.open(o.state);
      const address = store.address;
      for (const p of store.list()) {
        const code = p.state === 'installed' ? '' : (codeOf(p, address) ?? '');
        const parts = [
          p.iccid.padEnd(20),
          p.state.padEnd(10),
          p.metadata.name ?? '',
          p.eid ? `eid ${p.eid}` : '',
          p.boundEid && p.boundEid !== p.eid ? `downloaded by ${p.boundEid}` : '',
          p.reason ? `(${p.reason})` : '',
          code,
        ];
        console.log(parts.filter(Boolean).join('  '));
      }
    });
}
