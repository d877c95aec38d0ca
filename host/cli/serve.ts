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
import { integer, oneOf } from './arg-parsers.js';
import { cardImageOptions, cardSource } from './transport-options.js';

export function registerServe(program: Command): void {
  cardImageOptions(program.command('serve'))
    .description('run an emulated card behind pcscd (vsmartcard vpcd) until stopped')
    .option('--profile <file>', 'card profile (default: profiles/default-usim.yaml)')
    .option('--card <image>', 'card image: loaded if present, created otherwise, saved on every change')
    .option('--port <n>', `vpcd port (default ${VPCD_DEFAULT_PORT})`, integer(0, 65535))
    .option('--reverse', 'listen for vpcd (reversed mode) instead of connecting to it')
    .option(
      '--protocol <p>',
      "auto | t0 | t1: how the card answers (vpcd forwards no PPS); auto = the ATR's first protocol, as in-process",
      oneOf('auto', 't0', 't1'),
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
        port?: number;
        cardKeyFile?: string;
        wait?: number;
        reverse?: boolean;
        protocol: string;
        log?: boolean;
        trace?: string[];
      }) => {
        const port = opts.port ?? VPCD_DEFAULT_PORT;
        const opened = openCard(cardSource(opts));
        // An eUICC definition or image serves the whole eUICC (ISD-R and every ISD-P, GSMA SGP.22 §2.2), not its own card OS alone.
        const card = opened.euicc ?? opened.card;
        const writeSteps = () => opened.euicc?.writeSteps ?? opened.card.nvm.steps;
        const p = opts.protocol;
        // auto keeps the protocol the card has in-process, so one script gives the same transcript both ways;
        // hosts that apply the T=0 rules (pySim, scriptor's GET RESPONSE lines) work with it under either
        // protocol pcsc-lite settles on.
        if (p !== 'auto') card.protocol = p === 't0' ? 0 : 1;
        let steps = writeSteps();
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
            if (writeSteps() !== steps) {
              steps = writeSteps();
              try {
                opened.save();
              } catch (e) {
                // The answer must not reach the terminal unless what it reports is on disk: stop before the
                // frame goes out (to the host this looks like a card removed mid-command).
                console.error(`uicc serve: ${(e as Error).message}; stopping, the last answer was not sent`);
                process.exit(2);
              }
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
        opened.close();
      },
    );
}
