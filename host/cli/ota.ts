// `uicc ota`: remote file management over SMS-PP. Builds the secured packet for a TAR and keyset, sends it
// as ENVELOPE(s) to the card (any transport), and prints the decoded PoR.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { OtaKeyset } from '../../applets/ota/ota-config.js';
import { decodeSpi } from '../../applets/ota/spi.js';
import { buildCommand, dataOf } from '../../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { writeFileDurably } from '../../card-os/image.js';
import { swName } from '../../card-os/sw.js';
import { decodeIccid } from '../codecs/iccid.js';
import { readInputFile } from '../input-file.js';
import { send } from '../network/attach.js';
import { CounterBook } from '../ota/counter-book.js';
import { deliverOta } from '../ota/deliver.js';
import { OtaServer } from '../ota/ota-server.js';
import { otaSchema } from '../profile/applets.js';
import { hexBytes, integer, nonEmpty } from './arg-parsers.js';
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
    );
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
        if (!d.por.ok) {
          console.log(red(`PoR rejected: ${d.por.error}`));
          process.exitCode = 1;
          return;
        }
        const p = d.por;
        t.recorder?.note(`PoR ${p.status.toString(16).padStart(2, '0')} ${p.statusName}, CNTR ${p.cntr}`);
        const line = `PoR ${p.status.toString(16).padStart(2, '0').toUpperCase()} ${p.statusName}  (${p.secured ? 'checksum verified' : 'unprotected'})`;
        console.log(p.status === 0 ? green(line) : red(line));
        if (p.data.length) {
          const n = p.data[0]!;
          const sw = p.data.length >= 3 ? (p.data[1]! << 8) | p.data[2]! : undefined;
          console.log(
            `  ${n} command(s) executed${sw !== undefined ? `, last SW ${toHex(p.data.subarray(1, 3))} (${swName(sw)})` : ''}`,
          );
          if (p.data.length > 3) console.log(`  data ${toHex(p.data.subarray(3))}`);
        }
        process.exitCode = p.status === 0 ? 0 : 1;
      } finally {
        await t.close();
      }
    },
  );
}
