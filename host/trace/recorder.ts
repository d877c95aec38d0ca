// Recording: the hot path keeps raw bytes and times only; rendering (masking, decoding) and writing
// happen in batches, off the exchange call (docs/traces.md §Cost). Three ways in:
//   tracingTransport(inner, recorder) - any host Transport (embedded, PC/SC);
//   tracingCard(card, recorder)       - an IccCard, for the card side of vpcd or in-process loops;
//   recorder.record({command, response, elapsedMs}) - a plain event, e.g. vpcd's onExchange.

import type { Bytes } from '../../card-os/bytes.js';
import type { IccCard } from '../../card-os/icc.js';
import type { Transport } from '../transport/transport.js';
import { compileRule, type IgnoreRule } from './ignore.js';
import type { RenderedEvent, Trace, TraceHeader } from './model.js';
import { RawStore } from './raw-store.js';
import { TraceRenderer } from './render.js';

/** Where rendered events go: a JSONL file, a pcap file, memory. */
export interface TraceSink {
  begin(header: TraceHeader): void;
  write(batch: readonly RenderedEvent[]): void;
  rule(rule: IgnoreRule): void;
  end(): void;
}

export interface RecorderOptions {
  sinks: TraceSink[];
  /** Transport name for the header ("embedded", the reader name, "vpcd"). */
  transport: string;
  atr?: Bytes;
  tool?: string;
  profile?: string;
  /**
   * Raw events kept before a background flush is scheduled. Default 4096. A loop that never yields to the
   * event loop flushes in line at 16 times this, so memory stays bounded.
   */
  batch?: number;
  /** Longest time an event waits in memory before it is written, ms. Default 1000. */
  maxDelayMs?: number;
}

export class TraceRecorder {
  readonly header: TraceHeader;
  private readonly raw = new RawStore();
  private readonly renderer = new TraceRenderer();
  private readonly t0 = performance.now();
  private readonly sinks: TraceSink[];
  private readonly batch: number;
  private readonly maxDelayMs: number;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: RecorderOptions) {
    this.sinks = opts.sinks;
    this.batch = opts.batch ?? 4096;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.header = {
      started: Date.now(),
      transport: opts.transport,
      atr: opts.atr,
      tool: opts.tool,
      profile: opts.profile,
    };
    for (const s of this.sinks) s.begin(this.header);
  }

  /** One exchange; `start` and `end` are performance.now() values. Copies the bytes (callers may reuse them). */
  exchange(command: Bytes, response: Bytes, start: number, end: number): void {
    if (this.closed) return;
    this.raw.exchange(command, response, start - this.t0, end - start);
    this.arm();
  }

  /**
   * An in-process exchange, stamped once as it happens: the card answers in well under a microsecond, so its
   * duration is not measured (a second clock read would cost as much as the APDU).
   */
  exchangeNow(command: Bytes, response: Bytes): void {
    if (this.closed) return;
    this.raw.exchange(command, response, performance.now() - this.t0, Number.NaN);
    this.arm();
  }

  /** An exchange seen elsewhere (vpcd's onExchange), timed as ending now. */
  record(e: { command: Bytes; response: Bytes; elapsedMs?: number }): void {
    const end = performance.now();
    this.exchange(e.command, e.response, end - (e.elapsedMs ?? 0), end);
  }

  reset(atr: Bytes): void {
    if (this.closed) return;
    this.raw.other({ kind: 'reset', t: performance.now() - this.t0, atr: atr.slice() });
    this.arm();
  }

  /** Free text in the trace: a script step, what a tool did (never a secret). */
  note(text: string): void {
    if (this.closed) return;
    this.raw.other({ kind: 'note', t: performance.now() - this.t0, text });
    this.arm();
  }

  /** Declares an ignore rule in the trace (e.g. a tool that sends a fresh RAND each run). Throws if malformed. */
  ignore(rule: IgnoreRule): void {
    compileRule(rule, 'ignore rule');
    for (const s of this.sinks) s.rule(rule);
  }

  private arm(): void {
    const n = this.raw.length;
    if (n === 1 && !this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs).unref();
    if (n >= this.batch && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (n >= this.batch * 16) this.flush();
  }

  /** Renders and writes what is pending. */
  flush(): void {
    this.scheduled = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.raw.length === 0) return;
    if (this.sinks.length === 0) {
      this.raw.clear();
      return;
    }
    const rendered = this.raw.drain().map((e) => this.renderer.render(e));
    for (const s of this.sinks) s.write(rendered);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const s of this.sinks) s.end();
  }
}

/** A Transport that records every exchange and reset of `inner`; closing it closes the recorder too. */
export function tracingTransport(inner: Transport, recorder: TraceRecorder): Transport {
  // The embedded card records inside its own (synchronous) exchange: no second async layer, one clock read.
  if (inner.record) {
    inner.record(recorder);
    return {
      ...inner,
      async close() {
        try {
          await inner.close();
        } finally {
          recorder.close();
        }
      },
    };
  }
  return {
    name: inner.name,
    async transmit(command: Bytes) {
      const start = performance.now();
      let response: Bytes;
      try {
        response = await inner.transmit(command);
      } catch (e) {
        recorder.note(`transmit failed: ${(e as Error).message}`);
        throw e;
      }
      recorder.exchange(command, response, start, performance.now());
      return response;
    },
    async reset() {
      const atr = await inner.reset();
      recorder.reset(atr);
      return atr;
    },
    atr: () => inner.atr(),
    async close() {
      try {
        await inner.close();
      } finally {
        recorder.close();
      }
    },
  };
}

/** An IccCard that records what passes through it (power on and reset count as resets). */
export function tracingCard(card: IccCard, recorder: TraceRecorder): IccCard {
  return {
    atr: () => card.atr(),
    powerOn() {
      const atr = card.powerOn();
      recorder.reset(atr);
      return atr;
    },
    reset() {
      const atr = card.reset();
      recorder.reset(atr);
      return atr;
    },
    powerOff: () => card.powerOff(),
    transmit(command: Bytes) {
      const response = card.transmit(command);
      recorder.exchangeNow(command, response);
      return response;
    },
  };
}

/** Keeps rendered events in memory (tests, programmatic use). */
export class MemorySink implements TraceSink {
  header: TraceHeader | undefined;
  readonly events: RenderedEvent[] = [];
  readonly rules: IgnoreRule[] = [];

  begin(h: TraceHeader): void {
    this.header = h;
  }

  write(batch: readonly RenderedEvent[]): void {
    this.events.push(...batch);
  }

  rule(r: IgnoreRule): void {
    this.rules.push(r);
  }

  end(): void {}

  trace(): Trace {
    if (!this.header) throw new Error('the recorder has not started');
    return { header: this.header, events: this.events, ignore: this.rules };
  }
}
