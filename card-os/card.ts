// The card OS: one APDU in, one response out. Parses the command, routes it to the current application's
// applet or to the OS command table, and shapes the answer for the active protocol (T=0 procedure bytes
// 61xx/6Cxx, TS 102 221 §7.3.1; T=1 direct). It never throws to its caller (except PowerLoss, the
// simulated tearing used by tests).

import { type Command, channelOf, parseCommand, response } from './apdu.js';
import type { Applet, AppletContext, IsolatedSession, Reply } from './applet.js';
import { type Bytes, equal, fromHex } from './bytes.js';
import { COMMANDS } from './commands/table.js';
import { buildFcp } from './fs/fcp.js';
import { type CardSpec, contentKey, type FileSpec, fidHex, lcsKey, walk } from './fs/model.js';
import { indexTree, type TreeIndex } from './fs/tree.js';
import type { IccCard } from './icc.js';
import { Nvm, type NvmSnapshot, PowerLoss } from './nvm.js';
import { allowed, rulesOf } from './security/arr.js';
import { isAdm, pinRecords, readStatus } from './security/pin.js';
import { type ChannelState, newChannel, newSession, type Session } from './session.js';
import { SW } from './sw.js';

/** What a command handler gets. */

/** Most proactive commands pending at once: a concatenated SMS has at most 255 segments (TS 23.040 §9.2.3.24.1). */
export const MAX_PROACTIVE_PENDING = 255;

export interface Exec {
  cmd: Command;
  os: CardOs;
  session: Session;
  ch: ChannelState;
  chNo: number;
}

/** Everything derived once from a profile and shared by all cards made from it. */
interface Compiled {
  index: TreeIndex;
  base: Map<string, Bytes>;
  pins: Map<number, CardSpec['pins'][number]>;
}

const compiled = new WeakMap<CardSpec, Compiled>();

function compile(spec: CardSpec): Compiled {
  let c = compiled.get(spec);
  if (c) return c;
  const base = new Map<string, Bytes>(spec.nvm);
  for (const f of walk(spec.mf)) if (f.type === 'EF') base.set(contentKey(f), f.initial);
  for (const [k, v] of pinRecords(spec.pins)) base.set(k, v);
  c = { index: indexTree(spec.mf), base, pins: new Map(spec.pins.map((p) => [p.ref, p])) };
  compiled.set(spec, c);
  return c;
}

/** The protocols an ATR offers, in order (ISO 7816-3 §8.2.3: the low nibble of each TDi; none means T=0). */
export function offeredProtocols(atr: Bytes): number[] {
  const out: number[] = [];
  if (atr.length < 2) return [0];
  let y = atr[1]! >> 4;
  let i = 2;
  while (y & 0x08 && i < atr.length) {
    i += ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1)) | 0; // skip TAi, TBi, TCi
    const td = atr[i++];
    if (td === undefined) break;
    if (!out.includes(td & 0x0f)) out.push(td & 0x0f);
    y = td >> 4;
  }
  const tp = out.filter((p) => p === 0 || p === 1);
  return tp.length ? tp : [0];
}

/** The transmission protocol the ATR offers first: the one in force without a PPS exchange. */
export function firstProtocol(atr: Bytes): 0 | 1 {
  return offeredProtocols(atr)[0] === 1 ? 1 : 0;
}

export interface CardOptions {
  applets?: Applet[];
  /** NVM as saved (card image); default: a fresh card. */
  nvm?: NvmSnapshot;
  /** Force the protocol instead of the ATR's first offer (a PPS exchange in real life). */
  protocol?: 0 | 1;
}

export class CardOs implements IccCard {
  readonly spec: CardSpec;
  readonly index: TreeIndex;
  readonly nvm: Nvm;
  readonly applets: Applet[];
  protocol: 0 | 1;
  private readonly pins: Compiled['pins'];
  private session: Session;
  private powered = true;
  private proactive: { cmd: Bytes; owner: Applet | undefined }[] = [];
  /** Terminal exchanges so far; the pending proactive commands all come from exchange `proactiveFrom`. */
  private exchanges = 0;
  private proactiveFrom = -1;
  private lastProactiveOwner: Applet | undefined;
  private termProfile: Bytes = new Uint8Array(0);
  /** Per-applet RAM, cleared at reset (volatile state such as secure sessions). */
  private ram = new Map<string, Map<string, unknown>>();
  private isolatedRam = new WeakMap<Session, Map<string, Map<string, unknown>>>();

  constructor(spec: CardSpec, opts: CardOptions = {}) {
    this.spec = spec;
    const c = compile(spec);
    this.index = c.index;
    this.pins = c.pins;
    this.nvm = opts.nvm ? Nvm.restore(c.base, opts.nvm) : new Nvm(c.base);
    this.applets = opts.applets ?? [];
    this.protocol = opts.protocol ?? firstProtocol(spec.atr);
    this.session = newSession(spec.mf);
    this.runResetHooks();
  }

  // ---- IccCard ----

  atr(): Bytes {
    return this.spec.atr;
  }

  powerOn(): Bytes {
    return this.reset();
  }

  reset(): Bytes {
    this.powered = true;
    this.session = newSession(this.spec.mf);
    this.proactive = [];
    this.lastProactiveOwner = undefined;
    this.termProfile = new Uint8Array(0);
    this.nvm.recover();
    this.runResetHooks();
    return this.spec.atr;
  }

  powerOff(): void {
    this.powered = false;
  }

  transmit(raw: Bytes): Bytes {
    try {
      if (!this.powered) return response(SW.TECHNICAL_PROBLEM);
      this.exchanges++;
      return this.exchange(raw, this.session, false);
    } catch (e) {
      if (e instanceof PowerLoss) throw e;
      // A bug must not take the card down: answer "technical problem" and keep going.
      return response(SW.TECHNICAL_PROBLEM);
    }
  }

  // ---- dispatch ----

  private exchange(raw: Bytes, session: Session, isolated: boolean): Bytes {
    const parsed = parseCommand(raw);
    if (!parsed.cmd) return response(parsed.error);
    const cmd = this.protocol === 0 ? t0Case1(parsed.cmd) : parsed.cmd;
    const cla = cmd.cla;
    // CLA coding, ISO/IEC 7816-4 §5.4.1 and TS 102 221 §10.1.1: 0X/8X (channels 0-3, SM in b4-b3), 4X-7X and
    // CX-FX (channels 4-19, SM in b6), b5 = command chaining. 2X/3X/BX are RFU, AX is the GSM class, FF is
    // reserved for PPS: not ours.
    const hi = cla & 0xf0;
    if (cla === 0xff || hi === 0xa0 || hi === 0x20 || hi === 0x30 || hi === 0xb0)
      return response(SW.CLA_NOT_SUPPORTED);
    const chNo = channelOf(cla);
    const ch = session.channels[chNo];
    if (!ch) return response(SW.LOGICAL_CHANNEL_NOT_SUPPORTED);

    if (cmd.ins === 0xc0) return this.getResponse(cmd, ch, isolated);
    ch.pending = undefined;

    const x: Exec = { cmd, os: this, session, ch, chNo };
    let reply: Reply | undefined;
    const applet = ch.applet;
    // Secure messaging and command chaining bits reach only applets that implement them (GP security domains);
    // for the others the OS answers 6882/6884 below.
    const smOrChaining = (cla & 0x40 ? cla & 0x20 : cla & 0x0c) || cla & 0x10;
    if (applet?.process && (!smOrChaining || applet.secureMessaging))
      reply = applet.process(cmd, this.context(x, applet));
    if (!reply) {
      const def = COMMANDS[cmd.ins];
      if (!def) reply = { sw: SW.INS_NOT_SUPPORTED };
      else if (!def.cla(cla)) reply = { sw: SW.CLA_NOT_SUPPORTED };
      else if (cla & 0x10)
        reply = { sw: SW.CHAINING_NOT_SUPPORTED }; // only applets take chained commands
      else if (cla & 0x40 ? cla & 0x20 : cla & 0x0c) reply = { sw: SW.SECURE_MESSAGING_NOT_SUPPORTED };
      else reply = def.run(x);
    }
    return this.shape(reply, cmd, ch, isolated);
  }

  /** Applies T=0 / T=1 rules to a handler's answer (TS 102 221 §7.3.1.1.4, ISO 7816-3 §10.3.3). */
  private shape(reply: Reply, cmd: Command, ch: ChannelState, isolated: boolean): Bytes {
    let sw = reply.sw;
    const data = reply.data;
    if (data && data.length > 0) {
      if (cmd.case === 2 && cmd.le !== undefined) {
        // T=0: a wrong P3 gets 6Cxx with the right one. More than 256 bytes cannot be named in one byte:
        // the first 256 go now and 61xx announces the rest.
        if (this.protocol === 0 && data.length !== cmd.le && !(data.length > 256 && cmd.le === 256))
          return response(0x6c00 | (data.length & 0xff));
        if (data.length > cmd.le) {
          ch.pending = data.subarray(cmd.le);
          return response(0x6100 | Math.min(0xff, ch.pending.length), data.subarray(0, cmd.le));
        }
        return response(this.withProactive(sw, isolated), data);
      }
      if (this.protocol === 1 && cmd.le !== undefined) {
        if (data.length > cmd.le) {
          ch.pending = data.subarray(cmd.le);
          return response(0x6100 | Math.min(0xff, ch.pending.length), data.subarray(0, cmd.le));
        }
        return response(this.withProactive(sw, isolated), data);
      }
      // T=0 case 3/4, or no Le: the data waits for GET RESPONSE.
      ch.pending = data;
      if (sw === SW.OK) sw = 0x6100 | (data.length & 0xff);
      return response(sw);
    }
    return response(this.withProactive(sw, isolated));
  }

  private withProactive(sw: number, isolated: boolean): number {
    if (sw === SW.OK && !isolated && this.proactive.length > 0)
      return 0x9100 | Math.min(0xff, this.proactive[0]!.cmd.length);
    return sw;
  }

  private getResponse(cmd: Command, ch: ChannelState, isolated: boolean): Bytes {
    const p = ch.pending;
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return response(SW.WRONG_P1P2);
    if (!p) return response(SW.CONDITIONS_NOT_SATISFIED);
    if (cmd.le === undefined) return response(SW.WRONG_LENGTH);
    const le = cmd.le;
    if (le > p.length) return response(0x6c00 | (p.length & 0xff));
    if (le < p.length) {
      ch.pending = p.subarray(le);
      return response(0x6100 | Math.min(0xff, ch.pending.length), p.subarray(0, le));
    }
    ch.pending = undefined;
    return response(this.withProactive(SW.OK, isolated), p);
  }

  // ---- services for command handlers ----

  pinSpec(ref: number) {
    return this.pins.get(ref);
  }

  /** A key reference counts as satisfied when verified, granted, or (for a PIN, not an ADM key) disabled. */
  hasKey(session: Session, ref: number): boolean {
    if (session.verified.has(ref) || session.grants.has(ref)) return true;
    if (isAdm(ref)) return false;
    const st = readStatus(this.nvm, ref);
    return st !== undefined && !st.enabled;
  }

  /** Access check for an operation on a file (TS 102 221 §9.2). Files without 8B are unrestricted. */
  allowed(session: Session, f: FileSpec, am: number, ins?: number): boolean {
    if (!f.arr) return true;
    const arrEf = this.index.arrFile.get(f);
    if (!arrEf?.recordLength) return false;
    const content = this.content(arrEf);
    const n = f.arr.record;
    if (n < 1 || n > arrEf.recordCount!) return false;
    return allowed(rulesOf(content, arrEf.recordLength, n), am, ins, (ref) => this.hasKey(session, ref));
  }

  content(f: FileSpec): Bytes {
    return this.nvm.get(contentKey(f)) ?? f.initial;
  }

  setContent(f: FileSpec, b: Bytes): void {
    this.nvm.set(contentKey(f), b);
  }

  lcs(f: FileSpec): number {
    const v = this.nvm.get(lcsKey(f));
    return v ? v[0]! : f.lcsi;
  }

  setLcs(f: FileSpec, v: number): void {
    this.nvm.set(lcsKey(f), Uint8Array.of(v));
  }

  fcp(f: FileSpec): Bytes {
    return buildFcp(f, {
      lcsi: this.lcs(f),
      used: f.structure === 'ber-tlv' ? this.content(f).length : undefined,
      pinEnabled: (ref) => readStatus(this.nvm, ref)?.enabled ?? false,
    });
  }

  appletFor(aidOrAdf: Bytes | undefined): Applet | undefined {
    if (!aidOrAdf) return undefined;
    return this.applets.find((a) => a.aid && equal(a.aid, aidOrAdf));
  }

  /** Makes `applet` (or none) the channel's application, telling the previous one. */
  setApplication(x: Exec, adf: FileSpec | undefined, applet: Applet | undefined): void {
    const prev = x.ch.applet;
    if (prev && prev !== applet && prev.deselect) prev.deselect(this.context(x, prev));
    x.ch.adf = adf;
    x.ch.applet = applet;
  }

  openChannel(session: Session, n: number, from: ChannelState | undefined): void {
    session.channels[n] = from ? { ...from, pending: undefined } : newChannel(this.spec.mf);
  }

  closeChannel(x: Exec, n: number): void {
    const ch = x.session.channels[n];
    if (ch?.applet?.deselect) ch.applet.deselect(this.context({ ...x, ch, chNo: n }, ch.applet));
    x.session.channels[n] = undefined;
  }

  /**
   * Queues a proactive command; false when it cannot be (the caller is told, nothing is kept). The card
   * holds the commands of one proactive session only (TS 102 223 §6.1, TS 102 221 §7.4.2.2: the terminal
   * is told with 91xx and FETCHes them one after the other): a command can join the pending ones only if
   * they come from the same terminal exchange (e.g. the segments of one PoR), at most
   * MAX_PROACTIVE_PENDING of them. ENVELOPEs are refused with 9300 while any is pending (`cat.ts`), so a
   * terminal that never FETCHes cannot make the card hold more.
   */
  queueProactive(cmd: Bytes, owner: Applet | undefined): boolean {
    if (this.proactive.length > 0 && this.proactiveFrom !== this.exchanges) return false;
    if (this.proactive.length >= MAX_PROACTIVE_PENDING) return false;
    this.proactiveFrom = this.exchanges;
    this.proactive.push({ cmd, owner });
    return true;
  }

  /** Proactive commands waiting for FETCH. */
  get pendingProactive(): number {
    return this.proactive.length;
  }

  peekProactive(): Bytes | undefined {
    return this.proactive[0]?.cmd;
  }

  /** FETCH (TS 102 221 §11.2.3): hands out the pending proactive command. */
  takeProactive(): Bytes | undefined {
    const p = this.proactive.shift();
    if (!p) return undefined;
    this.lastProactiveOwner = p.owner;
    return p.cmd;
  }

  /** The applet whose proactive command the terminal answers; a TERMINAL RESPONSE consumes it. */
  takeProactiveOwner(): Applet | undefined {
    const o = this.lastProactiveOwner;
    this.lastProactiveOwner = undefined;
    return o;
  }

  setTerminalProfile(p: Bytes): void {
    this.termProfile = p.slice();
  }

  /** Runs a command in an isolated session (RFM): same handlers, same access rules, its own state. */
  isolatedSession(grants: number[], selectAid?: Bytes): IsolatedSession {
    const session = newSession(this.spec.mf, grants);
    if (selectAid) {
      const adf = this.index.adfs.find((a) => a.aid && equal(a.aid, selectAid));
      const ch = session.channels[0]!;
      if (adf) {
        ch.df = adf;
        ch.adf = adf;
        ch.applet = this.appletFor(adf.aid);
      }
    }
    return { transmit: (c: Bytes) => this.exchange(c, session, true) };
  }

  /** The applet's window onto the OS, cached in the session per applet and channel. */
  context(x: Exec, applet: Applet): AppletContext {
    let perChannel = x.session.contexts.get(applet);
    if (!perChannel) {
      perChannel = [];
      x.session.contexts.set(applet, perChannel);
    }
    return (perChannel[x.chNo] ??= this.makeContext(x.chNo, applet, x.session));
  }

  private makeContext(chNo: number, applet: Applet, session: Session): AppletContext {
    const os = this;
    const adf = applet.aid ? this.index.adfs.find((a) => a.aid && equal(a.aid, applet.aid!)) : undefined;
    const st =
      adf && applet.serviceTable !== undefined
        ? this.index.byPath.get(`${adf.path}/${fidHex(applet.serviceTable)}`)
        : undefined;
    return {
      channel: chNo,
      remote: session !== this.session,
      get protocol() {
        return os.protocol;
      },
      nvm: this.nvm,
      adf,
      file: (path: string) => {
        if (path.startsWith('ADF/'))
          return adf ? this.index.byPath.get(`${adf.path}/${path.slice(4)}`) : undefined;
        return this.index.byPath.get(path);
      },
      readFile: (f) => this.content(f),
      writeFile: (f, b) => this.setContent(f, b),
      hasKey: (ref) => this.hasKey(session, ref),
      openSession: (o) => this.isolatedSession(o.grants, o.selectAid),
      queueProactive: (c) => this.queueProactive(c, applet),
      terminalProfile: () => this.termProfile,
      ram: this.ramOf(applet, session),
      service: (n) => {
        if (!st || n < 1) return false;
        const b = this.content(st);
        const i = (n - 1) >> 3;
        return i < b.length && (b[i]! & (1 << ((n - 1) & 7))) !== 0;
      },
    };
  }

  /** RAM of an applet: the terminal's session has the card's; an isolated session (RFM) has its own. */
  private ramOf(applet: Applet, session: Session): Map<string, unknown> {
    let byApplet = this.ram;
    if (session !== this.session) {
      byApplet = this.isolatedRam.get(session) ?? new Map();
      this.isolatedRam.set(session, byApplet);
    }
    let m = byApplet.get(applet.name);
    if (!m) {
      m = new Map();
      byApplet.set(applet.name, m);
    }
    return m;
  }

  private runResetHooks(): void {
    const x: Exec = {
      cmd: RESET_CMD,
      os: this,
      session: this.session,
      ch: this.session.channels[0]!,
      chNo: 0,
    };
    // The hooks still see the RAM of before the reset (to wipe session keys), then RAM is cleared.
    for (const a of this.applets) if (a.reset) a.reset(this.context(x, a));
    this.session.contexts.clear();
    this.ram.clear();
  }

  /** Memory this card holds of its own (beyond the shared profile template). */
  get ownBytes(): number {
    return this.nvm.ownBytes;
  }
}

/**
 * Under T=0 a case-1 command travels as a 5-byte header with P3=00 (ISO/IEC 7816-3 §12.2.2), which reads
 * like a case-2 command asking for 256 bytes; the OS commands that are case 1 for these parameters take it
 * as no data (lpac closes its channel with `00 70 80 01 00`).
 */
function t0Case1(cmd: Command): Command {
  if (cmd.case !== 2 || cmd.extended || cmd.raw.length !== 5 || cmd.raw[4] !== 0) return cmd;
  const def = COMMANDS[cmd.ins];
  if (!def?.case1 || !def.cla(cmd.cla) || !def.case1(cmd.p1, cmd.p2)) return cmd;
  return { ...cmd, le: undefined, case: 1 };
}

const RESET_CMD: Command = {
  cla: 0,
  ins: 0,
  p1: 0,
  p2: 0,
  data: new Uint8Array(0),
  le: undefined,
  extended: false,
  case: 1,
  raw: fromHex('00000000'),
};

export function createCard(spec: CardSpec, opts: CardOptions = {}): CardOs {
  return new CardOs(spec, opts);
}
