// The parse-time check of a script line's command (hex digits, command name, arguments), so that
// `uicc run` reports every mistake before it sends the first APDU.

import { NAMED } from '../commands.js';
import type { Where } from './parse.js';
import { commandBytes } from './run.js';

/** Throws a ScriptError for a bad command; `full`: build it completely (no variables left in it). */
export function checkCommand(text: string, at: Where, column: number, full: boolean): void {
  if (full) {
    commandBytes(text, at, column);
    return;
  }
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (/^[0-9a-fA-F]{2}/.test(first) && !NAMED[first.toLowerCase()]) {
    // Variables were blanked out: only the hex digits around them are checked.
    const bad = /[^0-9a-fA-F\s]/.exec(text);
    if (bad) commandBytes(text, at, column);
    return;
  }
  if (!NAMED[first.toLowerCase()]) commandBytes(first, at, column);
}
