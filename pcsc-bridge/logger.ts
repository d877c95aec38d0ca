// The logger the bridge writes to: one line per event, no secrets (APDU bytes go to the exchange callback,
// never to the log, because command data can carry PINs and keys).

export interface BridgeLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: BridgeLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Writes info and above to stderr with a prefix; debug only when `verbose`. */
export function consoleLogger(prefix = 'pcsc-bridge', verbose = false): BridgeLogger {
  const line = (level: string, m: string) => process.stderr.write(`${prefix} ${level}: ${m}\n`);
  return {
    debug: (m) => {
      if (verbose) line('debug', m);
    },
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}
