// A progress bar on a terminal: redrawn in place on stderr (so stdout keeps only the report), at most
// every 100 ms, and nothing at all when stderr is not a TTY (logs and pipes stay clean).

export interface ProgressBar {
  update(fraction: number, label: string): void;
  done(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 30): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  const draw = (fraction: number, label: string) => {
    const f = Math.min(1, Math.max(0, fraction));
    const full = Math.round(f * width);
    stream.write(
      `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${label}\u001b[K`,
    );
    drawn = true;
  };
  return {
    update(fraction, label) {
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      draw(fraction, label);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
