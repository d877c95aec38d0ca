// `uicc scenario operator-change`: moves a fleet of emulated M2M cards from one operator to another over
// OTA (TR 33.812 Alternatives 3a/3b, or slots derived from a master secret), docs/key-slots.md.

import { type Command, InvalidArgumentError } from 'commander';
import type { OldProfilePolicy } from '../scenario/download-change.js';
import { VARIANTS, type Variant } from '../scenario/operator-change.js';
import { progressBar } from '../scenario/progress.js';
import { formatReport } from '../scenario/report.js';
import { runScenario } from '../scenario/run.js';

function integer(min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`an integer ${min}..${max}`);
    return n;
  };
}

function probability(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('a probability in [0, 1)');
  return n;
}

function variant(v: string): Variant {
  if (!VARIANTS.includes(v as Variant)) throw new InvalidArgumentError(`one of ${VARIANTS.join(', ')}`);
  return v as Variant;
}

function oldProfile(v: string): OldProfilePolicy {
  if (v !== 'disable' && v !== 'delete') throw new InvalidArgumentError('disable or delete');
  return v;
}

export function registerScenario(program: Command): void {
  const scenario = program.command('scenario').description('end-to-end scenarios over emulated cards');
  scenario
    .command('operator-change')
    .description(
      'move a fleet of M2M cards from one operator to another over OTA (or eUICCs by profile download), then report',
    )
    .option('--cards <n>', 'cards in the fleet', integer(1, 10_000_000), 100)
    .option('--from <operator>', 'the operator the cards are sold with', 'A')
    .option('--to <operator>', 'the operator they move to', 'B')
    .option(
      '--variant <v>',
      "3a (IMSI change, keys handed over then rotated), 3b (next key slot), derive (next slot, keys derived), download (eUICC: new profile from the new operator's SM-DP+)",
      variant,
      '3b' as Variant,
    )
    .option('--slots <n>', 'key slots per card, slot 0 included', integer(1, 32), 8)
    .option('--por-loss <p>', 'probability that a PoR is lost on its way back (simulated)', probability, 0)
    .option('--seed <n>', 'seed of the loss simulation', integer(0, 2 ** 31), 1)
    .option('--workers <n>', 'worker threads the fleet is split over (0: this thread)', integer(0, 64), 1)
    .option(
      '--profile <file>',
      "card profile with a keySlots section (default profiles/m2m-keyslots.yaml); download: the new operator's profile (default profiles/examples/minimal.yaml)",
    )
    .option('--euicc <file>', 'download: eUICC definition (default profiles/euicc/m2m-fleet.yaml)')
    .option('--old-profile <policy>', 'download: disable or delete the old profile', oldProfile, 'disable')
    .option('--es9-loss <p>', 'download: probability that an ES9+ answer is lost (simulated)', probability, 0)
    .option(
      '--notification-loss <p>',
      'download: probability that a notification answer is lost (simulated)',
      probability,
      0,
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (o: {
        cards: number;
        from: string;
        to: string;
        variant: Variant;
        slots: number;
        porLoss: number;
        seed: number;
        workers: number;
        profile?: string;
        euicc?: string;
        oldProfile: OldProfilePolicy;
        es9Loss: number;
        notificationLoss: number;
        json?: boolean;
      }) => {
        const bar = progressBar();
        try {
          const report = await runScenario({
            cards: o.cards,
            from: o.from,
            to: o.to,
            variant: o.variant,
            slots: o.slots,
            porLoss: o.porLoss,
            seed: o.seed,
            workers: o.workers,
            ...(o.profile ? { profile: o.profile } : {}),
            ...(o.euicc ? { euicc: o.euicc } : {}),
            oldProfile: o.oldProfile,
            es9Loss: o.es9Loss,
            notificationLoss: o.notificationLoss,
            onProgress: (f, phase) => bar.update(f, phase),
          });
          bar.done();
          console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
          if (report.failed > 0) process.exitCode = 1;
        } finally {
          bar.done();
        }
      },
    );
}
