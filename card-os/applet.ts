// What an applet is, and the small window onto the card OS it gets.
// Applets are stateless objects shared by every card that runs them; their persistent state lives in the
// card's NVM (under their own key prefix), so one applet instance can serve ten thousand cards.

import type { Command } from './apdu.js';
import type { Bytes } from './bytes.js';
import type { FileSpec } from './fs/model.js';
import type { Nvm } from './nvm.js';

export interface Reply {
  sw: number;
  data?: Bytes;
}

export interface Applet {
  readonly name: string;
  /**
   * Application identifier. When the profile has an ADF with this AID the applet rides on that ADF (the
   * USIM); otherwise it is a non-file application selected by AID (a security domain).
   */
  readonly aid?: Bytes;
  /**
   * Whether the applet takes commands with secure messaging or command chaining in CLA (a GP security
   * domain does); otherwise the OS refuses such commands (6882/6884) before the applet sees them.
   */
  readonly secureMessaging?: boolean;
  /**
   * FID of the application's service table in its ADF (USIM: EF.UST 6F38, TS 31.102 §4.2.8; ISIM: EF.IST
   * 6F07, TS 31.103 §4.2.7), which `AppletContext.service` reads.
   */
  readonly serviceTable?: number;
  /** Commands while this applet is the channel's current application. `undefined`: not mine, the OS goes on. */
  process?(cmd: Command, ctx: AppletContext): Reply | undefined;
  /** Answer to SELECT for a non-file application (e.g. FCI template 6F). */
  select?(ctx: AppletContext): Reply;
  /** The channel's application changes away from this applet, or the channel closes. */
  deselect?(ctx: AppletContext): void;
  /** ENVELOPE BER-TLV tags this applet takes (TS 102 223 §7: D1 SMS-PP download...). */
  readonly envelopeTags?: readonly number[];
  envelope?(cmd: Command, ctx: AppletContext): Reply;
  /** TERMINAL RESPONSE to a proactive command this applet queued. */
  terminalResponse?(data: Bytes, ctx: AppletContext): Reply;
  /** Power-up or reset: the moment staged changes (e.g. a subscription switch) take effect. */
  reset?(ctx: AppletContext): void;
}

/** An isolated OS session with its own selection and security state (for RFM, or internal scripts). */
export interface IsolatedSession {
  /** Runs one command APDU through the OS exactly as a terminal command would, with this session's rights. */
  transmit(command: Bytes): Bytes;
}

export interface AppletContext {
  /** Logical channel of the command (0 for envelopes and resets). */
  readonly channel: number;
  /** The command comes from a remote session (RFM over OTA), not from the terminal. */
  readonly remote: boolean;
  /** Active transmission protocol, 0 or 1. */
  readonly protocol: 0 | 1;
  /** The card's NVM: use `transaction` for multi-record updates; keys under "secret/" are never readable. */
  readonly nvm: Nvm;
  /** The ADF this applet rides on, if any. */
  readonly adf: FileSpec | undefined;
  /** Finds a file by FID path relative to the MF ("3F00/7FF0/6F07") or the applet's ADF ("ADF/6F07"). */
  file(path: string): FileSpec | undefined;
  /** Internal read of a file's content (no access check: the card OS reading its own data). */
  readFile(file: FileSpec): Bytes;
  /** Internal write of a file's content (no access check). Joins the running NVM transaction if any. */
  writeFile(file: FileSpec, content: Bytes): void;
  /** Whether a key reference (PIN, ADM) is verified or granted in the command's session. */
  hasKey(ref: number): boolean;
  /** Opens a session that runs commands with the given access rights and, optionally, an application selected. */
  openSession(opts: { grants: number[]; selectAid?: Bytes }): IsolatedSession;
  /**
   * Queues a proactive command (TS 102 223); the terminal is told with 91xx and FETCHes it. False when the
   * card already holds proactive commands from an earlier exchange (one proactive session at a time): the
   * command is dropped and the applet decides what that means for it.
   */
  queueProactive(command: Bytes): boolean;
  /** TERMINAL PROFILE as last sent by the terminal (TS 102 223 §5.2), empty before. */
  terminalProfile(): Bytes;
  /**
   * RAM of this card for this applet: survives between commands, cleared at every reset and power-up
   * (secure channel sessions, SMS reassembly buffers...).
   */
  readonly ram: Map<string, unknown>;
  /** Whether service `n` is available in the service table of this applet's ADF (`Applet.serviceTable`). */
  service(n: number): boolean;
}
