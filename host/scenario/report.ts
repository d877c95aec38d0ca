// The scenario report as people read it (and as JSON for scripts).

import type { ScenarioReport } from './run.js';

const ms = (v: number) => (v >= 100 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(2)} ms`);

export function formatReport(r: ScenarioReport): string {
  const lines = [
    `operator change ${r.from} -> ${r.to} (${r.variant}), ${r.cards} cards${r.workers > 0 ? `, ${r.workers} worker thread${r.workers > 1 ? 's' : ''}` : ''}`,
    `  moved     ${r.moved}`,
    `  failed    ${r.failed}`,
  ];
  for (const [reason, n] of Object.entries(r.failures).sort((a, b) => b[1] - a[1]))
    lines.push(`    ${String(n).padStart(6)}  ${reason}`);
  const d = r.download;
  lines.push(
    `  retried   ${r.retriedCards} cards (${r.retries} ${d ? 'download and notification' : 'OTA'} retries)`,
    `  resyncs   ${r.resyncs} (SQN resynchronisations at attach)`,
    ...(d
      ? [
          `  orders    ${d.ordersInstalled} installed, ${d.extraClaims} claimed again, ${d.duplicateInstalls} duplicate installs`,
          `  sessions  ${d.sessionsCancelled} cancelled (lost ES9+ answer), ${d.sessionsExpired} expired (power loss)`,
          `  notified  ${d.notificationsToNew} to ${r.to}, ${d.notificationsToOld} to ${r.from}, ${d.notificationsPending} still pending`,
          `  old       ${d.oldProfilesKept} old profiles kept (PPR2), ${d.powerLosses} power losses survived`,
        ]
      : [`  escrow    ${r.escrow.granted} requests granted, ${r.escrow.refused} refused`]),
    `  time      build ${ms(r.buildMs)}, change ${ms(r.elapsedMs)}, total ${ms(r.totalMs)}`,
    `  per card  ${ms(r.msPerCard.mean)} mean, ${ms(r.msPerCard.p50)} p50, ${ms(r.msPerCard.p99)} p99 (own steps)`,
    `  rate      ${r.scenarioCardsPerSecond.toFixed(0)} cards/s (build and change), ${r.cardsPerSecond.toFixed(0)} cards/s (change)`,
  );
  return lines.join('\n');
}
