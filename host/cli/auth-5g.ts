// The 5G parts of `uicc auth`: `--5g` asks the card for its SUCI (GET IDENTITY, TS 31.102 §7.5),
// de-conceals it with the SIDF (SUPI shown) and prints the 5G AKA values (TS 33.501 Annex A) beside the 3G
// ones; `--hlr HOST:PORT` takes the vectors from an Osmocom HLR over GSUP instead of the local AuC.

import { suciString } from '../../applets/usim/suci.js';
import { buildCommand, dataOf, swOf } from '../../card-os/apdu.js';
import { type Bytes, equalCt, toHex } from '../../card-os/bytes.js';
import { swName } from '../../card-os/sw.js';
import { derive5gKeys, servingNetworkName } from '../network/aka-5g.js';
import type { AttachStep, NetworkVector } from '../network/attach.js';
import { send } from '../network/attach.js';
import { connectGsup, type GsupClient, hlrVectorSource, parseHostPort } from '../network/gsup-client.js';
import { deconcealSuci, parseSuci } from '../network/sidf.js';
import type { CompiledProfile } from '../profile/load.js';
import type { Transport } from '../transport/transport.js';
import { sidfKeys, suciInputs } from './suci.js';
import { green, red } from './transcript.js';

/** GET IDENTITY, SUCI context: the SUCI string and the SUPI the SIDF recovers; undefined if the card has none. */
export async function identify5g(
  t: Transport,
  profile: CompiledProfile | undefined,
  opts: { keys?: string },
): Promise<string | undefined> {
  const r = await send(t, buildCommand(0x80, 0x78, 0x00, 0x01, undefined, 256));
  const sw = swOf(r);
  if (sw !== 0x9000) {
    console.log(red(`card  GET IDENTITY: ${toHex(r.subarray(-2))} (${swName(sw)}), no SUCI from the card`));
    return undefined;
  }
  const suci = parseSuci(toHex(dataOf(r)));
  if (!suci) {
    console.log(red(`card  GET IDENTITY answered a malformed SUCI: ${toHex(dataOf(r))}`));
    return undefined;
  }
  console.log(`card  SUCI ${suciString(suci)}`);
  const d = deconcealSuci(suci, sidfKeys(opts, profile));
  if (!d.ok) {
    console.log(red(`SIDF  cannot de-conceal: ${d.reason}`));
    return undefined;
  }
  console.log(`SIDF  SUPI ${d.supi}`);
  return d.imsi;
}

/** The serving network name of the IMSI's home PLMN (MNC length from the profile's EF.AD, else 2). */
export function snnFor(imsi: string, profile: CompiledProfile | undefined): string {
  const mncLength = profile ? suciInputs(profile).mncLength : 2;
  return servingNetworkName(imsi.slice(0, 3), imsi.slice(3, 3 + mncLength));
}

/** Wraps a step printer: after a successful answer, prints RES* and XRES*, HXRES*, KAUSF and KSEAF. */
export function with5gKeys(
  snn: string,
  supi: string,
  print: (s: AttachStep) => void,
): (s: AttachStep) => void {
  let vector: NetworkVector | undefined;
  return (s) => {
    print(s);
    if (s.kind === 'vector') vector = s.vector;
    if (s.kind !== 'answer' || !s.res || !s.ck || !s.ik || !vector) return;
    const sqnXorAk: Bytes = vector.autn.subarray(0, 6);
    const ue = derive5gKeys({ ck: s.ck, ik: s.ik, rand: vector.rand, res: s.res, sqnXorAk, snn });
    const net = derive5gKeys({
      ck: vector.ck,
      ik: vector.ik,
      rand: vector.rand,
      res: vector.xres,
      sqnXorAk,
      snn,
      supi,
    });
    const same = equalCt(ue.resStar, net.resStar);
    console.log(`5G    serving network name ${snn}`);
    console.log(`card  RES*   ${toHex(ue.resStar)}  RES* = XRES*: ${same ? green('yes') : red('no')}`);
    console.log(`AUSF  XRES*  ${toHex(net.resStar)}`);
    console.log(`SEAF  HXRES* ${toHex(net.hxresStar)}`);
    console.log(`AUSF  KAUSF  ${toHex(net.kausf)}`);
    console.log(`SEAF  KSEAF  ${toHex(net.kseaf)}`);
    console.log(`AMF   KAMF   ${toHex(net.kamf!)}  (ABBA 0000)`);
  };
}

export async function openHlr(
  spec: string,
): Promise<{ client: GsupClient; source: ReturnType<typeof hlrVectorSource> }> {
  const { host, port } = parseHostPort(spec);
  const client = await connectGsup(host, port);
  return { client, source: hlrVectorSource(client) };
}
