// Names for the masked secrets of one trace, so that `uicc replay --secrets` can resend exactly what was
// recorded (docs/traces.md §Secrets). Each distinct value gets its own name: the first value masked as `pin1`
// keeps that name, a different one becomes `pin1#2`, then `pin1#3`; the same value always gets the same
// name. A new PIN (`pin1.new` of CHANGE / UNBLOCK PIN) shares the values of its PIN, so a later VERIFY with
// it is named `pin1.new` too. The values stay in memory while the trace is rendered; only names are written.

import { type Bytes, equalCt } from '../../card-os/bytes.js';
import type { Redaction } from './model.js';

export class SecretNamer {
  /** Per family (`pin1` for pin1, pin1.new...): the values seen and the name each got. */
  private readonly families = new Map<string, { value: Bytes; name: string }[]>();
  /** Distinct values named from each base name so far. */
  private readonly counts = new Map<string, number>();

  /** The name for `value` masked under `secret` (as `commandSecrets` calls it). */
  name(secret: string, value: Bytes): string {
    // A range that covers several secrets (a malformed PIN command) keeps its compound name.
    if (secret.includes('+')) return secret;
    const family = secret.endsWith('.new') ? secret.slice(0, -4) : secret;
    let seen = this.families.get(family);
    if (!seen) {
      seen = [];
      this.families.set(family, seen);
    }
    const hit = seen.find((s) => s.value.length === value.length && equalCt(s.value, value));
    if (hit) return hit.name;
    const n = (this.counts.get(secret) ?? 0) + 1;
    this.counts.set(secret, n);
    const name = n === 1 ? secret : `${secret}#${n}`;
    seen.push({ value: value.slice(), name });
    return name;
  }

  /** The command redactions of one exchange with their names made per value. */
  nameAll(command: Bytes, redactions: Redaction[]): Redaction[] {
    return redactions.map((r) =>
      r.in === 'command' && r.secret
        ? { ...r, secret: this.name(r.secret, command.subarray(r.at, r.at + r.len)) }
        : r,
    );
  }
}
