// `uicc serve`: the emulated card in a real PC/SC stack, through vsmartcard's vpcd driver in pcscd.
// Client mode (default) connects to the vpcd port pcscd listens on; --reverse listens for vpcd instead
// (DEVICENAME 127.0.0.1:<port> in /etc/reader.conf.d/vpcd). Loopback only.

import type { Command } from 'commander';
import { toHex } from '../../card-os/bytes.js';
import { consoleLogger } from '../../pcsc-bridge/logger.js';
import { connectCardToVpcd, VPCD_DEFAULT_PORT } from '../../pcsc-bridge/vpcd-card.js';
import { openCard } from '../card-factory.js';
import { exchangeLogLines } from '../trace/exchange-log.js';
import { openRecorder } from '../trace/open.js';
import { TraceRenderer } from '../trace/render.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run an emulated card behind pcscd (vsmartcard vpcd) until stopped')
    .option('--profile <file>', 'card profile (default: profiles/default-usim.yaml)')
    .option('--card <image>', 'card image: loaded if present, created otherwise, saved on every change')
    .option('--port <n>', `vpcd port (default ${VPCD_DEFAULT_PORT})`)
    .option('--reverse', 'listen for vpcd (reversed mode) instead of connecting to it')
    .option(
      '--protocol <p>',
      "auto | t0 | t1: how the card answers (vpcd forwards no PPS); auto = the ATR's first protocol, as in-process",
      'auto',
    )
    .option('--log', 'print every exchange')
    .option(
      '--trace <file>',
      'record every exchange: FILE.jsonl or FILE.pcap; repeatable',
      (v: string, p: string[] = []) => [...p, v],
    )
    .action(
      async (opts: {
        profile?: string;
        card?: string;
        port?: string;
        reverse?: boolean;
        protocol: string;
        log?: boolean;
        trace?: string[];
      }) => {
        const port = opts.port === undefined ? VPCD_DEFAULT_PORT : Number.parseInt(opts.port, 10);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port must be 0..65535, got "${opts.port}"`);
        const opened = openCard({ profile: opts.profile, card: opts.card });
        const card = opened.card;
        const p = opts.protocol.toLowerCase();
        if (!['auto', 't0', 't1'].includes(p))
          throw new Error(`--protocol must be auto, t0 or t1, got "${opts.protocol}"`);
        // auto keeps the protocol the card has in-process, so one script gives the same transcript both ways;
        // hosts that apply the T=0 rules (pySim, scriptor's GET RESPONSE lines) work with it under either
        // protocol pcsc-lite settles on.
        if (p !== 'auto') card.protocol = p === 't0' ? 0 : 1;
        let steps = card.nvm.steps;
        const logger = opts.log ? new TraceRenderer() : undefined;
        const recorder = opts.trace?.length
          ? openRecorder(opts.trace, {
              transport: 'vpcd',
              atr: card.atr(),
              tool: 'uicc serve',
              profile: opened.profileName,
            })
          : undefined;
        const conn = await connectCardToVpcd({
          card,
          mode: opts.reverse ? 'reversed' : 'client',
          port,
          logger: consoleLogger('uicc serve', false),
          onExchange: (e) => {
            recorder?.record(e);
            // The same masking as traces: no PIN, key or CK/IK in the log.
            if (logger)
              for (const l of exchangeLogLines(logger, e.command, e.response, e.elapsedMs)) console.log(l);
            if (card.nvm.steps !== steps) {
              steps = card.nvm.steps;
              opened.save();
            }
          },
        });
        console.log(
          `uicc serve: card ${opened.profileName} (ATR ${toHex(card.atr())}, T=${card.protocol}) ` +
            (opts.reverse
              ? `listening for vpcd on 127.0.0.1:${conn.port}`
              : `connecting to vpcd at 127.0.0.1:${conn.port}`) +
            '; Ctrl-C stops',
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await conn.close();
        await recorder?.close();
        opened.save();
      },
    );
}
