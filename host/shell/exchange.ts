// The shell's one exchange rule on a raw transport: under T=0 a command with response data answers 61xx and
// the data is fetched with GET RESPONSE; a wrong Le answers 6Cxx and the command is resent with the right
// one (ISO/IEC 7816-3 §10.3.4, TS 102 221 §7.3.1.1.4). Kept in this one function so the shell can move to
// the project's shared host T=0 exchange without touching its commands.

import { buildCommand } from '../../card-os/apdu.js';
import type { Bytes } from '../../card-os/bytes.js';
import { getResponseCla } from '../transport/cla.js';
import type { Transport } from '../transport/transport.js';

/** Sends `cmd`; `each` sees every APDU pair on the wire (command, then GET RESPONSE or resend). */
export async function exchange(
  transport: Transport,
  cmd: Bytes,
  each?: (command: Bytes, response: Bytes) => void,
): Promise<Bytes> {
  const send = async (c: Bytes) => {
    const r = await transport.transmit(c);
    each?.(c, r);
    return r;
  };
  let r = await send(cmd);
  if (r.length === 2 && r[0] === 0x6c)
    r = await send(Uint8Array.from([...cmd.subarray(0, cmd.length - 1), r[1]!]));
  if (!(r.length === 2 && r[0] === 0x61)) return r;
  const data: number[] = [];
  while (r.length === 2 && r[0] === 0x61) {
    r = await send(buildCommand(getResponseCla(cmd[0]!), 0xc0, 0, 0, undefined, r[1] || 256));
    data.push(...r.subarray(0, r.length - 2));
  }
  return Uint8Array.from([...data, ...r.subarray(r.length - 2)]);
}
