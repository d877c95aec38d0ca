// The LPA's profile download (SGP.22 §3.1.3): ES10b on the card (through STORE DATA, host/euicc/lpa.ts)
// and ES9+ with the SM-DP+ (any `Es9Client`: the protocol core itself in process, or an HTTPS client),
// in lpac's order: GetEUICCChallenge + GetEUICCInfo1 -> InitiateAuthentication -> AuthenticateServer ->
// AuthenticateClient -> PrepareDownload -> GetBoundProfilePackage -> LoadBoundProfilePackage (one STORE
// DATA sequence per BPP piece) -> HandleNotification with the ProfileInstallationResult. A failure after
// the card opened a session cancels it on both ends (ES10b/ES9+ CancelSession).

import { BPP_COMMAND } from '../../applets/euicc/bsp.js';
import { child, children, derUint, uint } from '../../applets/euicc/der.js';
import { type Bytes, concat, toHex } from '../../card-os/bytes.js';
import { ber, readBer, type Tlv } from '../../card-os/tlv.js';
import { parseActivationCode } from '../smdp/activation-code.js';
import { confirmationCodeHash } from '../smdp/core.js';
import type { Es9Functions, Es9Response } from '../smdp/types.js';
import { iccidDigits, Lpa } from './lpa.js';

/** The five ES9+ functions as the LPA calls them (SGP.22 §5.6); the SM-DP+ core is one. */
export type Es9Client = Es9Functions;

export interface DownloadOptions {
  transmit: (command: Bytes) => Promise<Bytes>;
  es9: Es9Client;
  /** `LPA:1$<SM-DP+ address>$<matchingId>[$<SM-DP+ OID>[$1]]` (SGP.22 §4.1), or the two fields. */
  activationCode?: string;
  smdpAddress?: string;
  matchingId?: string;
  confirmationCode?: string;
  /** Send the install notification to the SM-DP+ and remove it from the card (default yes). */
  sendNotification?: boolean;
  onProgress?: (step: string) => void;
}

export interface DownloadResult {
  iccid: string;
  isdpAid: string;
  /** The ProfileInstallationResult (BF37) the card signed. */
  profileInstallationResult: Bytes;
}

/** Why a download stopped: the ES10 function and its code, or the ES9+ function and its status codes. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly step: string,
    readonly detail: {
      /** ES10b error code (AuthenticateServer, PrepareDownload). */
      code?: number;
      /** ES9+ statusCodeData. */
      subjectCode?: string;
      reasonCode?: string;
      /** ProfileInstallationResult errorResult. */
      bppCommandId?: number;
      errorReason?: number;
      profileInstallationResult?: Bytes;
    } = {},
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const b64 = (b: Bytes) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
const unb64 = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

function checkEs9(step: string, r: Es9Response): void {
  const st = r.header?.functionExecutionStatus;
  if (st?.status === 'Executed-Success' || st?.status === 'Executed-WithWarning') return;
  const c = st?.statusCodeData;
  throw new DownloadError(
    `${step}: ${st?.status ?? 'no status'} ${c?.subjectCode}/${c?.reasonCode} ${c?.message ?? ''}`,
    step,
    {
      ...(c?.subjectCode ? { subjectCode: c.subjectCode } : {}),
      ...(c?.reasonCode ? { reasonCode: c.reasonCode } : {}),
    },
  );
}

/**
 * The pieces of a BPP as LPAs send them (SGP.22 §5.7.6, lpac): BF36 header + BF23, A0 whole, A1 header,
 * each 88, A2 whole (if any), A3 header, each 86.
 */
export function bppPieces(bpp: Bytes): Bytes[] {
  const top = readBer(bpp);
  if (top?.tag !== 0xbf36)
    throw new DownloadError('the SM-DP+ sent no BoundProfilePackage', 'getBoundProfilePackage');
  const items = children(top.value);
  if (!items?.length)
    throw new DownloadError('the BoundProfilePackage is malformed', 'getBoundProfilePackage');
  const hdr = (t: Tlv) => top.value.subarray(t.offset, t.offset + t.length - t.value.length);
  const whole = (t: Tlv) => top.value.subarray(t.offset, t.offset + t.length);
  const out: Bytes[] = [concat(bpp.subarray(0, top.length - top.value.length), whole(items[0]!))];
  for (const t of items.slice(1)) {
    if (t.tag === 0xa0 || t.tag === 0xa2) out.push(whole(t));
    else {
      out.push(hdr(t));
      for (const seg of children(t.value) ?? [])
        out.push(t.value.subarray(seg.offset, seg.offset + seg.length));
    }
  }
  return out;
}

export async function downloadProfile(o: DownloadOptions): Promise<DownloadResult> {
  const ac = o.activationCode ? parseActivationCode(o.activationCode) : undefined;
  const smdpAddress = ac?.smdpAddress ?? o.smdpAddress;
  const matchingId = ac?.matchingId ?? o.matchingId ?? '';
  if (!smdpAddress) throw new Error('downloadProfile: an activation code or an SM-DP+ address is needed');
  const progress = o.onProgress ?? (() => {});
  const lpa = await Lpa.open({ transmit: o.transmit });
  try {
    progress('GetEUICCChallenge');
    const challenge = (await lpa.call(ber(0xbf2e))).value;
    const euiccChallenge = children(challenge)?.find((t) => t.tag === 0x80)?.value;
    const info1 = await lpa.send(ber(0xbf20));
    if (!euiccChallenge) throw new DownloadError('the eUICC gave no challenge', 'GetEUICCChallenge');

    progress('initiateAuthentication');
    const ia = await o.es9.initiateAuthentication({
      smdpAddress,
      euiccChallenge: b64(euiccChallenge),
      euiccInfo1: b64(info1),
    });
    checkEs9('initiateAuthentication', ia);

    progress('AuthenticateServer');
    // ctxParams1 (SGP.22 §5.7.13): matchingId and deviceInfo (TAC, empty deviceCapabilities), as lpac sends it.
    const ctx = ber(
      0xa0,
      ...(matchingId ? [ber(0x80, utf8(matchingId))] : []),
      ber(0xa1, ber(0x80, Uint8Array.of(0x35, 0x29, 0x06, 0x11)), ber(0xa1)),
    );
    const asr = await lpa.send(
      ber(
        0xbf38,
        unb64(ia.serverSigned1),
        unb64(ia.serverSignature1),
        unb64(ia.euiccCiPKIdToBeUsed),
        unb64(ia.serverCertificate),
        ctx,
      ),
    );
    const transactionId = ia.transactionId!;
    progress('authenticateClient');
    const ac2 = await o.es9.authenticateClient({ transactionId, authenticateServerResponse: b64(asr) });
    throwOnEs10Error('AuthenticateServer', asr);
    try {
      checkEs9('authenticateClient', ac2);
    } catch (e) {
      await cancelOnCard(lpa, transactionId);
      throw e;
    }

    progress('PrepareDownload');
    const hashCc =
      o.confirmationCode !== undefined
        ? [
            ber(
              0x04,
              confirmationCodeHash(o.confirmationCode, Uint8Array.from(Buffer.from(transactionId, 'hex'))),
            ),
          ]
        : [];
    const pdr = await lpa.send(
      ber(0xbf21, unb64(ac2.smdpSigned2), unb64(ac2.smdpSignature2), ...hashCc, unb64(ac2.smdpCertificate)),
    );
    progress('getBoundProfilePackage');
    const gbpp = await o.es9.getBoundProfilePackage({ transactionId, prepareDownloadResponse: b64(pdr) });
    throwOnEs10Error('PrepareDownload', pdr);
    try {
      checkEs9('getBoundProfilePackage', gbpp);
    } catch (e) {
      const cancel = await cancelOnCard(lpa, transactionId);
      if (cancel) await o.es9.cancelSession({ transactionId, cancelSessionResponse: b64(cancel) });
      throw e;
    }

    progress('LoadBoundProfilePackage');
    let pir: Bytes | undefined;
    for (const piece of bppPieces(unb64(gbpp.boundProfilePackage))) {
      const answer = await lpa.send(piece);
      if (answer.length) {
        pir = answer;
        break;
      }
    }
    if (!pir)
      throw new DownloadError('the eUICC gave no ProfileInstallationResult', 'LoadBoundProfilePackage');
    const result = readPir(pir);
    if (o.sendNotification !== false) {
      progress('handleNotification');
      const hn = await o.es9.handleNotification({ pendingNotification: b64(pir) });
      checkEs9('handleNotification', hn);
      if (result.seq !== undefined) await lpa.call(ber(0xbf30, ber(0x80, derUint(result.seq))));
    }
    if (!result.ok)
      throw new DownloadError(
        `LoadBoundProfilePackage: bppCommandId ${result.bppCommandId}, errorReason ${result.errorReason}`,
        'LoadBoundProfilePackage',
        {
          ...(result.bppCommandId === undefined ? {} : { bppCommandId: result.bppCommandId }),
          ...(result.errorReason === undefined ? {} : { errorReason: result.errorReason }),
          profileInstallationResult: pir,
        },
      );
    return { iccid: result.iccid ?? '', isdpAid: result.aid ?? '', profileInstallationResult: pir };
  } finally {
    await lpa.close();
  }
}

/** An ES10b answer's error branch (A1 { 80 tid?, 02 code }) as a DownloadError (the SM-DP+ was told already). */
function throwOnEs10Error(step: string, answer: Bytes): void {
  const choice = readBer(readBer(answer)?.value ?? new Uint8Array(0));
  if (choice?.tag !== 0xa1) return;
  const code = uint(children(choice.value)?.find((t) => t.tag === 0x02)?.value);
  throw new DownloadError(`${step}: error ${code}`, step, code === undefined ? {} : { code });
}

/** ES10b.CancelSession (reason 1 postponed): the card's signed answer, or undefined if it had no session. */
async function cancelOnCard(lpa: Lpa, tid: string): Promise<Bytes | undefined> {
  const r = await lpa.send(
    ber(0xbf41, ber(0x80, Uint8Array.from(Buffer.from(tid, 'hex'))), ber(0x81, Uint8Array.of(1))),
  );
  return readBer(readBer(r)?.value ?? new Uint8Array(0))?.tag === 0xa0 ? r : undefined;
}

function readPir(pir: Bytes): {
  ok: boolean;
  seq?: number;
  iccid?: string;
  aid?: string;
  bppCommandId?: number;
  errorReason?: number;
} {
  const top = readBer(pir);
  const data = top?.tag === 0xbf37 ? children(top.value)?.find((t) => t.tag === 0xbf27) : undefined;
  const f = data && children(data.value);
  if (!f)
    throw new DownloadError('the eUICC answered no ProfileInstallationResult', 'LoadBoundProfilePackage');
  const meta = children(child(f, 0xbf2f)?.value ?? new Uint8Array(0)) ?? [];
  const seq = uint(child(meta, 0x80)?.value);
  const iccid = child(meta, 0x5a)?.value;
  const result = readBer(child(f, 0xa2)?.value ?? new Uint8Array(0));
  const r = children(result?.value ?? new Uint8Array(0)) ?? [];
  const base = { ...(seq === undefined ? {} : { seq }), ...(iccid ? { iccid: iccidDigits(iccid) } : {}) };
  if (result?.tag === 0xa0) {
    const aid = child(r, 0x4f)?.value;
    return { ok: true, ...base, ...(aid ? { aid: toHex(aid) } : {}) };
  }
  const bppCommandId = uint(child(r, 0x80)?.value) ?? BPP_COMMAND.initialiseSecureChannel;
  const errorReason = uint(child(r, 0x81)?.value);
  return { ok: false, ...base, bppCommandId, ...(errorReason === undefined ? {} : { errorReason }) };
}
