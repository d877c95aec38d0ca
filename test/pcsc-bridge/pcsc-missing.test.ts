// Without the optional native package `smartcard` the project still loads, and every PC/SC function says how
// to install it. (Simulated by making the package fail to load, as it does when its native build is missing.)

import { describe, expect, it, vi } from 'vitest';

vi.mock('smartcard', () => {
  throw new Error("Cannot find module '../../build/Release/smartcard_napi.node'");
});

const { listReaders, openReader, pcscAvailability, waitForReader } = await import(
  '../../pcsc-bridge/pcsc-transport.js'
);
const { pcscdAvailability } = await import('../../pcsc-bridge/pcscd-harness.js');

const HINT =
  /native package "smartcard", which did not load \(.+\); install the PC\/SC stack and rebuild the binding: apt-get install libpcsclite-dev pcscd && npm rebuild smartcard/;

describe('PC/SC without the smartcard binding', () => {
  it('throws an Error that says how to install it, from every entry point', async () => {
    await expect(listReaders()).rejects.toThrow(HINT);
    await expect(openReader('any')).rejects.toThrow(HINT);
    await expect(waitForReader('any', { timeoutMs: 10 })).rejects.toThrow(HINT);
    expect(await pcscAvailability()).toEqual({ ok: false, reason: expect.stringMatching(HINT) });
  });

  it('makes the pcscd harness report itself unavailable with the same reason', async () => {
    const a = await pcscdAvailability();
    expect(a.ok).toBe(false);
  });
});
