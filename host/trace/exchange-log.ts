// The lines `uicc serve --log` prints for one exchange: rendered like a trace event, so the same masking rule
// (host/trace/redact.ts) keeps PINs, keys and CK/IK out of the log.

import type { Bytes } from '../../card-os/bytes.js';
import { maskedHex } from './redact.js';
import type { TraceRenderer } from './render.js';

export function exchangeLogLines(
  renderer: TraceRenderer,
  command: Bytes,
  response: Bytes,
  ms: number,
): string[] {
  const r = renderer.render({ kind: 'exchange', t: 0, ms, command, response });
  if (r.kind !== 'exchange') return [];
  return [
    `> ${maskedHex(command, r.redactions, 'command')}  ${r.name}`,
    `< ${maskedHex(response, r.redactions, 'response')}  ${r.status}  (${ms.toFixed(2)} ms)`,
  ];
}
