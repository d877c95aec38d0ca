// `uicc euicc download --ac CODE [--cc CODE] [--enable]`: the LPA's profile download (SGP.22 §3.1.3) from
// the SM-DP+ the activation code names, over ES9+ HTTPS (host/smdp/es9-client.ts, trusting the test CI)
// and ES10b on the eUICC (host/euicc/download.ts), with a progress line per step, errors named for people
// (SM-DP+ status codes, ES10b error codes, the ProfileInstallationResult's reason), then the pending
// notifications for that SM-DP+ (RetrieveNotificationsList -> handleNotification ->
// RemoveNotificationFromList).

import type { Command } from 'commander';
import type { Transport } from '../transport/transport.js';
import { nonEmpty } from './arg-parsers.js';

interface DownloadOpts {
  ac: string;
  cc?: string;
  enable?: boolean;
  timeout?: number;
}

type Open = () => Promise<{ t: Transport }>;

export function registerEuiccDownload(e: Command, open: Open): void {
  e.command('download')
    .description('download a profile from an SM-DP+ (activation code), optionally enable it')
    .requiredOption(
      '--ac <code>',
      'activation code: LPA:1$<SM-DP+ address>$<matching ID>[$<OID>][$1]',
      nonEmpty,
    )
    .option('--cc <code>', 'confirmation code, when the activation code asks for one')
    .option('--enable', 'enable the downloaded profile (the card is reset)')
    .action(async (o: DownloadOpts) => {
      process.exitCode = await runDownload(o, open);
    });
}

async function runDownload(o: DownloadOpts, open: Open): Promise<number> {
  const { parseActivationCode } = await import('../smdp/activation-code.js');
  const ac = parseActivationCode(o.ac);
  if (ac.confirmationCodeRequired && o.cc === undefined)
    throw new Error('this activation code requires a confirmation code: give --cc CODE');
  const [{ downloadProfile, DownloadError }, { createEs9Client, es9Post }, { Lpa }, notify, names, es9json] =
    await Promise.all([
      import('../euicc/download.js'),
      import('../smdp/es9-client.js'),
      import('../euicc/lpa.js'),
      import('../euicc/notify.js'),
      import('../euicc/rsp-errors.js'),
      import('../smdp/es9-json.js'),
    ]);
  const es9 = createEs9Client({ smdpAddress: ac.smdpAddress });
  const { t } = await open();
  try {
    await t.reset();
    console.log(`SM-DP+ ${ac.smdpAddress}, matching ID ${ac.matchingId || '(none: by EID)'}`);
    let result: Awaited<ReturnType<typeof downloadProfile>>;
    try {
      result = await downloadProfile({
        transmit: (c) => t.transmit(c),
        es9,
        smdpAddress: ac.smdpAddress,
        matchingId: ac.matchingId,
        ...(o.cc !== undefined ? { confirmationCode: o.cc } : {}),
        onProgress: (step) => console.log(`  ${step}`),
      });
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err;
      const d = err.detail;
      let why = err.message;
      if (d.subjectCode && d.reasonCode)
        why = `${err.step}: the SM-DP+ refused: ${es9json.describeStatus({
          subjectCode: d.subjectCode,
          reasonCode: d.reasonCode,
          // the server's own words follow the codes in the driver's message
          message: err.message.replace(/^.*?\d+(\.\d+)*\/\d+(\.\d+)*\s*/, '').trim(),
        })}`;
      else if (d.errorReason !== undefined || d.bppCommandId !== undefined)
        why = `the eUICC did not install the profile: bppCommandId ${names.named(names.BPP_COMMAND_NAMES, d.bppCommandId)}, errorReason ${names.named(names.PIR_ERROR_REASONS, d.errorReason)}`;
      else if (d.code !== undefined)
        why = `${err.step}: the eUICC refused: ${names.named(err.step === 'PrepareDownload' ? names.PREPARE_DOWNLOAD_ERRORS : names.AUTHENTICATE_SERVER_ERRORS, d.code)}`;
      throw new Error(`download failed: ${why}`);
    }
    console.log(`installed ${result.iccid} in ISD-P ${result.isdpAid}`);
    let lpa = await Lpa.open(t);
    if (o.enable) {
      const code = await lpa.enable(result.iccid);
      if (code !== 0) {
        console.log(
          `enable ${result.iccid}: ${code} (${(await import('../euicc/lpa.js')).RESULT_NAMES[code] ?? 'unknown'})`,
        );
        await lpa.close();
        return 1;
      }
      await lpa.close();
      await t.reset();
      console.log(`enabled ${result.iccid}; the card was reset (REFRESH)`);
      lpa = await Lpa.open(t);
    }
    // SGP.22 §3.5: the notifications for this SM-DP+ (its install result if still pending, the enable and
    // the disable of the profile it replaced when they name it); others stay on the card for their servers.
    const report = await notify.deliverNotifications(
      lpa,
      (address) => address === ac.smdpAddress,
      async (n) => {
        const r = await es9Post({ smdpAddress: ac.smdpAddress }, 'handleNotification', {
          pendingNotification: Buffer.from(n.der).toString('base64'),
        });
        const st = r.header?.functionExecutionStatus;
        if (st?.status !== 'Executed-Success') throw new Error(es9json.describeStatus(st?.statusCodeData));
      },
    );
    await lpa.close();
    for (const n of report.sent)
      console.log(`  notification ${n.seq} (${n.event}) sent to ${n.address} and removed`);
    for (const f of report.failed) console.log(`  notification ${f.n.seq} (${f.n.event}) not sent: ${f.why}`);
    if (report.kept.length)
      console.log(`  ${report.kept.length} notification(s) for other SM-DP+ addresses kept on the card`);
    return report.failed.length ? 1 : 0;
  } finally {
    await t.close();
  }
}
