// The public API of the `uicc` package (`import { createCard } from 'uicc'`), made for tests in other
// repositories: cards from profiles, typed responses, scripts with structured results, card images, and the
// network-side parts of the main flows (OTA server, AuC/HSS, SCP11 off-card entity) with the codecs to read
// answers. Everything not exported here is internal and may change; docs/api.md documents this module.

import { readFileSync } from 'node:fs';
import { dataOf, swOf } from '../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../card-os/bytes.js';
import type { CardOs } from '../card-os/card.js';
import { createCard as createCardOs } from '../card-os/card.js';
import { saveImage } from '../card-os/image.js';
import { swName } from '../card-os/sw.js';
import { defaultProfilePath, prepareProfile } from '../host/card-factory.js';
import { CardStore } from '../host/card-store/store.js';
import { commandName } from '../host/decode/apdu.js';
import type { CompiledProfile } from '../host/profile/load.js';
import { parseScriptText, type Step } from '../host/script/parse.js';
import { type ScriptReport, scriptCollector } from '../host/script/report.js';
import { runScript as runSteps, type ScriptEvent } from '../host/script/run.js';
import { embeddedTransport } from '../host/transport/embedded.js';
import { exchange } from '../host/transport/t0-exchange.js';
import type { Transport } from '../host/transport/transport.js';

export type { Bytes } from '../card-os/bytes.js';
export { fromHex, toHex } from '../card-os/bytes.js';

/** A response APDU, decoded. */
export interface Response {
  /** The whole response: data || SW1 SW2. */
  bytes: Bytes;
  /** Response data without the status word. */
  data: Bytes;
  /** The status word as a number, e.g. 0x9000. */
  sw: number;
  /** The status word as four hex digits, e.g. "9000". */
  swHex: string;
  /** What the status word means (TS 102 221 §10.2), e.g. "File or application not found". */
  swName: string;
  /** SW 9000, or 91xx (OK with a proactive command pending). */
  ok: boolean;
}

/** Decodes a response APDU. */
export function decodeResponse(bytes: Bytes): Response {
  const sw = swOf(bytes);
  return {
    bytes,
    data: dataOf(bytes),
    sw,
    swHex: sw.toString(16).toUpperCase().padStart(4, '0'),
    swName: swName(sw),
    ok: sw === 0x9000 || sw >> 8 === 0x91,
  };
}

/** Where a card's profile comes from. Without any: the default test USIM (public test keys only). */
export interface CardOptions {
  /** A profile file (YAML, docs/profile-format.md). */
  profile?: string;
  /** Profile YAML text; `profileName` names it in error messages. */
  profileYaml?: string;
  profileName?: string;
  /** A card image saved by `card.save()` or `uicc --card` (takes the profile it was made from). */
  image?: string;
}

export interface TransmitOptions {
  /**
   * Follow 61xx with GET RESPONSE and resend on 6Cxx (the host T=0 rules, host/transport/t0-exchange.ts), so
   * the answer is the complete response. Default false: the card's answer as it is, as a script sees it.
   */
  getResponse?: boolean;
}

/** An emulated card in this process. */
export interface Card {
  /** Sends a command APDU (bytes or hex, spaces allowed) and decodes the answer. */
  transmit(apdu: Bytes | string, options?: TransmitOptions): Promise<Response>;
  /** Warm reset; returns the ATR. Volatile state (selections, PIN verification) is lost, NVM stays. */
  reset(): Promise<Bytes>;
  atr(): Bytes;
  /** The card as a Transport (one `transmit(command) -> response` method), for the flows below. */
  readonly transport: Transport;
  /** Runs an APDU script (docs/script-format.md) given as a file path or `{ text }`; never throws on a failed expectation. */
  runScript(script: string | { text: string; name?: string }): Promise<ScriptResult>;
  /** Saves the card image (profile + everything the card wrote) to a file; `loadCard({ image })` continues it. */
  save(path: string): void;
  /** The compiled profile (its subscriber section seeds an AuC: `subscriberOf(card.profile)`). */
  readonly profile: CompiledProfile;
  /** The card OS itself, for tests that inject power loss or inspect NVM (internal API, may change). */
  readonly os: CardOs;
}

/** One exchange of a script run. */
export interface ScriptExchange {
  file: string;
  line: number;
  step?: string;
  command: string;
  name: string;
  response: Response;
  expected?: string;
  failure?: string;
}

export interface ScriptResult extends ScriptReport {
  ok: boolean;
  /** Every exchange, in order, with its decoded response. */
  transcript: ScriptExchange[];
}

function profileSource(o: CardOptions): { text: string; name: string } {
  if (o.profileYaml !== undefined) return { text: o.profileYaml, name: o.profileName ?? '<profile>' };
  const file = o.profile ?? defaultProfilePath();
  return { text: readFileSync(file, 'utf8'), name: file };
}

function toBytes(apdu: Bytes | string): Bytes {
  return typeof apdu === 'string' ? fromHex(apdu.replace(/\s+/g, '')) : apdu;
}

function wrap(os: CardOs, profile: { text: string; name: string }, compiled: CompiledProfile): Card {
  const transport = embeddedTransport(os);
  return {
    transport,
    os,
    profile: compiled,
    atr: () => os.atr(),
    reset: () => transport.reset(),
    async transmit(apdu, options = {}) {
      const cmd = toBytes(apdu);
      return decodeResponse(
        options.getResponse ? await exchange(transport, cmd) : await transport.transmit(cmd),
      );
    },
    async runScript(script) {
      const name = typeof script === 'string' ? script : (script.name ?? '<script>');
      const text = typeof script === 'string' ? readFileSync(script, 'utf8') : script.text;
      return runParsed(transport, parseScriptText(text, name), name);
    },
    save(path) {
      saveImage(path, { profile, nvm: os.nvm.snapshot() });
    },
  };
}

async function runParsed(transport: Transport, steps: Step[], name: string): Promise<ScriptResult> {
  const collect = scriptCollector(name);
  const exchanges: ScriptExchange[] = [];
  await runSteps(steps, transport, (e: ScriptEvent) => {
    collect.onEvent(e);
    if (e.type !== 'exchange') return;
    exchanges.push({
      file: e.at.file,
      line: e.at.line,
      ...(e.step === undefined ? {} : { step: e.step }),
      command: toHex(e.command),
      name: commandName(e.command),
      response: decodeResponse(e.response),
      ...(e.expected ? { expected: e.expected.text } : {}),
      ...(e.failure ? { failure: e.failure } : {}),
    });
  });
  const report = collect.finish();
  return { ...report, ok: report.failed === 0, transcript: exchanges };
}

/**
 * A new card personalised from a profile (file, YAML text or the default). Throws ProfileError naming
 * file:line for a bad profile.
 */
export async function createCard(options: CardOptions = {}): Promise<Card> {
  if (options.image) return loadCard(options.image);
  const src = profileSource(options);
  const p = prepareProfile(src.text, src.name);
  return wrap(createCardOs(p.spec, { applets: p.applets }), src, p.profile);
}

/** A card continued from an image file (saved by `card.save()` or the CLI's `--card`). */
export async function loadCard(image: string): Promise<Card> {
  // Through the image store: the image's lock is held while it is read, its journal (left by `uicc --card`)
  // is replayed, and an encrypted image is refused with a clear message rather than misread.
  const store = CardStore.open(image);
  const img = store.found;
  store.close();
  if (!img) throw new Error(`${image}: no such card image`);
  const p = prepareProfile(img.profile.text, img.profile.name);
  return wrap(createCardOs(p.spec, { applets: p.applets, nvm: img.nvm }), img.profile, p.profile);
}

export { buildCommand, parseCommand } from '../card-os/apdu.js';
export { SW, swName } from '../card-os/sw.js';
export { hssFromProfile as subscriberOf } from '../host/cli/auth.js';
// ---- codecs for EF contents (TS 31.102 / TS 102 221 / TS 51.011) ----
export * as codecs from '../host/codecs/index.js';
export { commandName } from '../host/decode/apdu.js';
export {
  type AttachResult,
  type AttachStep,
  attach,
  authenticateApdu,
  selectUsim,
} from '../host/network/attach.js';
// ---- AuC/HSS (TS 33.102, Milenage TS 35.206) and the network attach ----
export type { Auc, AuthVector } from '../host/network/auc.js';
export { createAuc } from '../host/network/auc.js';
export type { SubscriberRecord } from '../host/network/subscribers.js';
// ---- OTA (TS 102 225 / TS 31.115 secured packets over SMS-PP, TS 102 226 RFM) ----
export { CounterBook } from '../host/ota/counter-book.js';
export { type Delivery, deliverOta } from '../host/ota/deliver.js';
export { type OtaCommandRequest, OtaServer, type PorResult } from '../host/ota/ota-server.js';
export { OTA_TEST_CONFIG, OTA_TEST_KEYSETS, OTA_TEST_TARS } from '../host/ota/test-keys.js';
// ---- profiles ----
export type { CompiledProfile } from '../host/profile/load.js';
export { ProfileError, parseProfileText } from '../host/profile/load.js';
export { updateLongTermKeys } from '../host/scp11/ltk-update.js';
// ---- SCP11 off-card entity (GPC v2.3 Amd F) and the long-term key update ----
export { type OceConfig, type OceSession, openScp11 } from '../host/scp11/oce.js';
export { createCa, issueCertificate, TEST_PKI } from '../host/scp11/pki.js';
export { junitXml } from '../host/script/junit.js';
// ---- scripts, status words, the T=0 exchange ----
export type { Expectation, Step, Where } from '../host/script/parse.js';
export { parseScriptText, ScriptError } from '../host/script/parse.js';
export type { CaseResult, Failure, RunSummary, ScriptReport } from '../host/script/report.js';
export { tapLines } from '../host/script/tap.js';
export { claOnChannel, getResponseCla, interindustryCla } from '../host/transport/cla.js';
export { embeddedTransport } from '../host/transport/embedded.js';
export { exchange as t0Exchange, type T0Options, transmitT0 } from '../host/transport/t0-exchange.js';
export type { Transport } from '../host/transport/transport.js';
export { defaultProfilePath };
