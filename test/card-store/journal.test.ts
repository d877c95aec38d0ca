// The journal of written records: each writing exchange is one fsynced append; a crash right after an
// answer keeps it; a torn last entry is dropped; damage before the end is refused; a journal already
// folded into a newer image is ignored.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCard } from '../../host/card-factory.js';
import { CardStore } from '../../host/card-store/store.js';
import { ADM1, PIN1, tx, USIM_AID } from '../support/uicc.js';

const dir = () => mkdtempSync(join(tmpdir(), 'uicc-journal-'));

/** Opens the image, selects EF.IMSI with ADM1 verified, and writes `n` different IMSIs; returns the card. */
function writeImsis(path: string, n: number, first = 0) {
  const c = openCard({ card: path });
  c.card.protocol = 1;
  tx(c.card, `00A4040407${USIM_AID}`);
  tx(c.card, `0020000A08${ADM1}`);
  tx(c.card, '00A40004026F07');
  for (let i = first; i < first + n; i++) {
    expect(tx(c.card, `00D60000090809101010325476${(i % 100).toString().padStart(2, '0')}`).sw).toBe('9000');
    c.save(); // what the CLI does after each exchange that wrote
  }
  return c;
}

function readImsi(path: string): string {
  const c = openCard({ card: path });
  try {
    c.card.protocol = 1;
    tx(c.card, `00A4040407${USIM_AID}`);
    tx(c.card, `0020000108${PIN1}`);
    return tx(c.card, '00B0870009').data;
  } finally {
    c.close();
  }
}

/** A crash: the process is gone without closing; the OS frees its lock with it (here: by hand). */
function crash(path: string) {
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, command: 'crashed', since: '' }));
}

describe('card image journal', () => {
  it('a write answered 9000 survives a crash right after: replayed from the journal', () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path }).close();
    const image = readFileSync(path);
    const c = writeImsis(path, 3);
    void c; // never closed: the process "dies" here
    crash(path);
    expect(readFileSync(path).equals(image)).toBe(true); // no whole-image save per write
    expect(statSync(`${path}.journal`).size).toBeGreaterThan(24);
    expect(readImsi(path)).toBe('080910101032547602');
    // Closing folded the journal into the image and removed it.
    expect(existsSync(`${path}.journal`)).toBe(false);
    expect(readImsi(path)).toBe('080910101032547602');
  });

  it('a torn last entry (power cut mid-append) is dropped; the entries before it are kept', () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path }).close();
    writeImsis(path, 2);
    crash(path);
    const j = `${path}.journal`;
    const whole = statSync(j).size;
    // Cut inside the second entry, at every byte: the first write always survives.
    const full = readFileSync(j);
    const firstEnd = 24 + 20 + full.readUInt32BE(24);
    for (const cut of [firstEnd + 1, firstEnd + 10, whole - 1]) {
      writeFileSync(j, full.subarray(0, cut));
      crash(path);
      const c = openCard({ card: path });
      c.card.protocol = 1;
      tx(c.card, `00A4040407${USIM_AID}`);
      tx(c.card, `0020000108${PIN1}`);
      expect(tx(c.card, '00B0870009').data, `cut at ${cut}`).toBe('080910101032547600');
      // The torn tail was cut before anything new is appended after it.
      expect(statSync(j).size).toBe(firstEnd);
      crash(path);
    }
  });

  it('a damaged entry followed by more entries is refused, naming the journal and the entry', () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path }).close();
    writeImsis(path, 3);
    crash(path);
    const j = `${path}.journal`;
    const b = readFileSync(j);
    b[24 + 20 + 5]! ^= 1; // inside the first entry's payload
    writeFileSync(j, b);
    expect(() => openCard({ card: path })).toThrow(`${j}: card journal entry 1 is damaged (checksum)`);
  });

  it('a journal of an older image generation is ignored (crash between the image rename and its removal)', () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path }).close();
    writeImsis(path, 1);
    crash(path);
    const old = readFileSync(`${path}.journal`);
    // Now a later run writes 05 and closes: the image holds 05, the journal is gone.
    writeImsis(path, 1, 5).close();
    writeFileSync(`${path}.journal`, old); // the stale journal comes back
    expect(readImsi(path)).toBe('080910101032547605');
  });

  it('the journal is folded into the image when it outgrows its threshold', () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path }).close();
    const store = CardStore.open(path, { compactAt: 2000 });
    const c = openCard(); // a card from the profile, attached to the image's store
    store.attach(store.found!.profile, c.card.nvm);
    c.card.protocol = 1;
    tx(c.card, `00A4040407${USIM_AID}`);
    tx(c.card, `0020000A08${ADM1}`);
    tx(c.card, '00A40004026F07');
    let maxJournal = 0;
    for (let i = 0; i < 60; i++) {
      tx(c.card, `00D60000090809101010325476${(i % 100).toString().padStart(2, '0')}`);
      store.commit();
      if (existsSync(`${path}.journal`)) maxJournal = Math.max(maxJournal, statSync(`${path}.journal`).size);
    }
    expect(maxJournal).toBeLessThanOrEqual(2000 + 200);
    store.close();
    expect(readImsi(path)).toBe('080910101032547659');
  });
});
