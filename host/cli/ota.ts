// `uicc ota`: remote file management over SMS-PP. Builds the secured packet for a TAR and keyset, sends it
// as ENVELOPE(s) to the card (any transport), and prints the decoded PoR.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { OtaKeyset } from '../../applets/ota/ota-config.js';
import { decodeSpi, type Spi } from '../../applets/ota/spi.js';
import { buildCommand, dataOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { writeFileDurably } from '../../card-os/image.js';
import { swName } from '../../card-os/sw.js';
import { defaultProfilePath } from '../card-factory.js';
import { decodeIccid } from '../codecs/iccid.js';
import { readInputFile } from '../input-file.js';
import { send } from '../network/attach.js';
import { CounterBook } from '../ota/counter-book.js';
import { deliverOta } from '../ota/deliver.js';
import { OtaServer, type PorResult } from '../ota/ota-server.js';
import { deliverOtaSmpp } from '../ota/smpp-delivery.js';
import { otaSchema } from '../profile/applets.js';
import { Esme } from '../smpp/esme.js';
import { hexBytes, hostPort, integer, msisdnDigits, nonEmpty } from './arg-parsers.js';
import { green, red } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

function hexArg(v: string, name: string, bytes: number): number {
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))
    throw new Error(`--${name} must be ${bytes * 2} hex digits, got "${v}"`);
  return Number.parseInt(v, 16);
}

/** Keysets from a YAML/JSON file in the profile's `ota.keysets` format (or a whole profile). */
export function loadKeysets(file: string): OtaKeyset[] {
  let doc: unknown;
  try {
    doc = parseYaml(readInputFile(file, 'OTA keys'), { schema: 'failsafe', maxAliasCount: 100 }); // scalars stay text, as in profiles
  } catch (e) {
    throw new Error(`${file}: cannot read keys (${(e as Error).message.split('\n')[0]})`);
  }
  const o = (doc as { ota?: unknown })?.ota ?? doc;
  const r = otaSchema.safeParse({ tars: [], ...(o as object) });
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${['keysets', ...i.path.slice(1)].join('.')}: ${i.message}`);
  }
  return r.data.keysets;
}

/** The counter book file: [["iccid/tar", last counter], ...]; errors name the file. */
export function readCounterFile(file: string): [string, number][] {
  let j: unknown;
  try {
    j = JSON.parse(readInputFile(file, 'counter book'));
  } catch (e) {
    if ((e as Error).message.startsWith(file)) throw e;
    throw new Error(`${file}: counter book is not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(j))
    throw new Error(`${file}: counter book must be a list of ["ICCID/TAR", counter] pairs`);
  return j.map((e, i) => {
    if (
      !Array.isArray(e) ||
      typeof e[0] !== 'string' ||
      !Number.isSafeInteger(e[1]) ||
      e[1] < 0 ||
      e[1] > 2 ** 40 - 1
    )
      throw new Error(`${file}: counter book entry ${i + 1} must be ["ICCID/TAR", counter 0..2^40-1]`);
    return [e[0], e[1]] as [string, number];
  });
}

export function registerOta(program: Command): void {
  const cmd = program
    .command('ota')
    .description('send remote file management commands in an OTA secured packet (SMS-PP) and print the PoR')
    .argument('<apdu...>', 'command APDUs of the remote script (hex)')
    .option('--tar <hex>', 'TAR: B00010 UICC RFM, B00011 USIM RFM', hexBytes(3), 'B00011')
    .option('--kic <hex>', 'KIc byte (key version high nibble, algorithm low)', hexBytes(1), '22')
    .option('--kid <hex>', 'KID byte', hexBytes(1), '22')
    .option('--spi <hex>', 'SPI, 2 bytes (TS 102 225 §5.1.1)', hexBytes(2), '1639')
    .option(
      '--keys <file>',
      'OTA keysets (YAML, like a profile ota: section); default: the card profile',
      nonEmpty,
    )
    // CNTR is 5 bytes (TS 102 225 §5.1.1); 2^40 - 1 is the largest.
    .option(
      '--cntr <n>',
      'counter to send (default: the next from the counter book)',
      integer(0, 2 ** 40 - 1),
    )
    .option(
      '--counters <file>',
      'counter book (JSON) kept between runs; default: beside --card, else none',
      nonEmpty,
    )
    .option(
      '--smpp <host:port>',
      'send through an SMSC over SMPP v3.4 instead of to a card (needs --msisdn)',
      hostPort,
    )
    .option('--msisdn <digits>', "with --smpp: the card's MSISDN", msisdnDigits)
    .option('--system-id <id>', 'with --smpp: SMPP system_id to bind with', nonEmpty, 'test')
    .option('--password <pw>', 'with --smpp: SMPP password', 'test')
    .option('--source <digits>', 'with --smpp: our address (source_addr)', msisdnDigits, '12345');
  transportOptions(cmd).action(
    async (
      apdus: string[],
      opts: TransportOpts & {
        tar: string;
        kic: string;
        kid: string;
        spi: string;
        keys?: string;
        cntr?: number;
        counters?: string;
        smpp?: string;
        msisdn?: string;
        systemId: string;
        password: string;
        source: string;
      },
    ) => {
      const spiWord = hexArg(opts.spi, 'spi', 2);
      const spi = decodeSpi(spiWord >> 8, spiWord & 0xff);
      if (!spi) throw new Error(`--spi ${opts.spi} uses reserved codings (TS 102 225 §5.1.1)`);
      const tar = hexArg(opts.tar, 'tar', 3);
      const kic = hexArg(opts.kic, 'kic', 1);
      const kid = hexArg(opts.kid, 'kid', 1);
      let script: Bytes;
      try {
        script = fromHex(apdus.join(''));
      } catch {
        throw new Error('the APDUs must be hex');
      }
      if (opts.smpp) {
        await otaOverSmpp(opts as SmppCliOpts, { tar, spi, kic, kid, script });
        return;
      }
      const t = await openTransport(opts, 'uicc ota');
      try {
        let keysets: OtaKeyset[];
        if (opts.keys) keysets = loadKeysets(opts.keys);
        else if (t.embedded?.profile.ota) keysets = t.embedded.profile.ota.keysets;
        else throw new Error('no OTA keys: give --keys FILE');
        const counterFile = opts.counters ?? (opts.card ? `${opts.card}.ota-counters.json` : undefined);
        const book = new CounterBook(
          counterFile && existsSync(counterFile) ? readCounterFile(counterFile) : [],
        );
        // The card names itself by its ICCID (EF.ICCID, SFI 02, always readable).
        const iccid =
          decodeIccid(dataOf(await send(t.transport, buildCommand(0x00, 0xb0, 0x82, 0x00, undefined, 10)))) ??
          'unknown';
        const req = {
          iccid,
          tar,
          spi,
          kic,
          kid,
          keysets,
          script,
          cntr: opts.cntr,
        };
        const d = await deliverOta(t.transport, new OtaServer(book), req);
        if (counterFile) writeFileDurably(counterFile, JSON.stringify(book.entries()), 'counter book');
        console.log(
          `card ${iccid}  TAR ${opts.tar.toUpperCase()}  CNTR ${d.cntr}  SPI ${opts.spi.toUpperCase()}  KIc ${opts.kic} KID ${opts.kid}`,
        );
        if (d.proactive.length)
          console.log(`PoR came by SMS-SUBMIT in ${d.proactive.length} SEND SHORT MESSAGE command(s)`);
        if (!d.por) {
          console.log(red(`no PoR (ENVELOPE answered ${d.sw.toString(16).toUpperCase()}: ${swName(d.sw)})`));
          process.exitCode = 1;
          return;
        }
        t.recorder?.note(
          d.por.ok
            ? `PoR ${d.por.status.toString(16).padStart(2, '0')} ${d.por.statusName}, CNTR ${d.por.cntr}`
            : `PoR rejected: ${d.por.error}`,
        );
        printPor(d.por);
      } finally {
        await t.close();
      }
    },
  );
}

/** Prints a PoR and sets the exit code (0 only for PoR OK). */
function printPor(por: PorResult): void {
  if (!por.ok) {
    console.log(red(`PoR rejected: ${por.error}`));
    process.exitCode = 1;
    return;
  }
  const line = `PoR ${por.status.toString(16).padStart(2, '0').toUpperCase()} ${por.statusName}  (${por.secured ? 'checksum verified' : 'unprotected'})`;
  console.log(por.status === 0 ? green(line) : red(line));
  if (por.data.length) {
    const n = por.data[0]!;
    const sw = por.data.length >= 3 ? (por.data[1]! << 8) | por.data[2]! : undefined;
    console.log(
      `  ${n} command(s) executed${sw !== undefined ? `, last SW ${toHex(por.data.subarray(1, 3))} (${swName(sw)})` : ''}`,
    );
    if (por.data.length > 3) console.log(`  data ${toHex(por.data.subarray(3))}`);
  }
  process.exitCode = por.status === 0 ? 0 : 1;
}

interface SmppCliOpts {
  smpp: string;
  msisdn?: string;
  systemId: string;
  password: string;
  source: string;
  keys?: string;
  cntr?: number;
  counters?: string;
}

/** `uicc ota --smpp`: the same command packet, submitted to an SMSC; the PoR read from its deliver_sm. */
async function otaOverSmpp(
  opts: SmppCliOpts,
  r: { tar: number; spi: Spi; kic: number; kid: number; script: Bytes },
): Promise<void> {
  // Both checked when the options were parsed (host/cli/arg-parsers.ts).
  const m = /^(.+):(\d{1,5})$/.exec(opts.smpp)!;
  if (!opts.msisdn) throw new Error("--smpp needs --msisdn with the card's number (digits)");
  const msisdn = opts.msisdn;
  const keysets = loadKeysets(opts.keys ?? defaultProfilePath());
  const book = new CounterBook(
    opts.counters && existsSync(opts.counters) ? readCounterFile(opts.counters) : [],
  );
  let esme: Esme;
  try {
    esme = await Esme.connect({
      host: m[1]!,
      port: Number(m[2]),
      systemId: opts.systemId,
      password: opts.password,
    });
  } catch (e) {
    throw new Error(`SMSC ${opts.smpp}: ${(e as Error).message}`);
  }
  try {
    const req = { iccid: msisdn, ...r, keysets, cntr: opts.cntr };
    const d = await deliverOtaSmpp(esme, new OtaServer(book), req, { msisdn, source: opts.source });
    if (opts.counters) writeFileDurably(opts.counters, JSON.stringify(book.entries()), 'counter book');
    console.log(
      `MSISDN ${msisdn} via SMSC ${opts.smpp}  message id ${d.messageIds.join(',')}  CNTR ${d.cntr}`,
    );
    if (d.receipt) console.log(`delivery receipt: ${d.receipt}`);
    if (!d.por) {
      console.log(red('no PoR came back from the SMSC'));
      process.exitCode = 1;
      return;
    }
    printPor(d.por);
  } finally {
    await esme.close();
  }
}
