import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import {
  GSMTAP_SIM_APDU,
  GSMTAP_SIM_ATR,
  gsmtapHeader,
  simApduPayload,
  tpduCommandLength,
} from '../../host/trace/gsmtap.js';
import { pcapFileHeader, pcapGsmtapRecord } from '../../host/trace/pcap.js';
import { READ_IMSI_SCRIPT, recordScript, tmp } from './helpers.js';

describe('GSMTAP SIM framing', () => {
  it('writes the 16-byte v2 header: type 4 (SIM), sub-type, frame number', () => {
    expect(toHex(gsmtapHeader(GSMTAP_SIM_APDU, 0x01020304))).toBe('02040400000000000102030400000000');
    expect(gsmtapHeader(GSMTAP_SIM_ATR, 0)[12]).toBe(1);
  });

  it('frames each ISO case as the T=0 wire carries it: header, P3, command data, response', () => {
    // Case 1: P3 00 added.
    expect(toHex(simApduPayload(fromHex('0070800100'.slice(0, 8)), fromHex('9000')))).toBe('00708001009000');
    // Case 2: P3 = Le, then the data.
    expect(toHex(simApduPayload(fromHex('00B0000009'), fromHex('0809101010325476989000')))).toBe(
      '00B00000090809101010325476989000',
    );
    // Case 3.
    expect(toHex(simApduPayload(fromHex('00A4000C023F00'), fromHex('9000')))).toBe('00A4000C023F009000');
    // Case 4: the Le is not on the T=0 wire.
    expect(toHex(simApduPayload(fromHex('00A4000C023F0000'), fromHex('6121')))).toBe('00A4000C023F006121');
  });

  it('gives a case-2 command answered with fewer bytes than Le the returned count as P3', () => {
    expect(toHex(simApduPayload(fromHex('00B0000009'), fromHex('6982')))).toBe('00B00000006982');
    expect(toHex(simApduPayload(fromHex('00B0000009'), fromHex('6C05')))).toBe('00B00000006C05');
    // Le 00 (256) stays: the dissector reads no data for P3 = 00.
    expect(toHex(simApduPayload(fromHex('00B0000000'), fromHex('01029000')))).toBe('00B000000001029000');
  });

  it('drops the Le of extended case 4 only', () => {
    expect(tpduCommandLength(fromHex('00D60000000003010203'))).toBe(10);
    expect(tpduCommandLength(fromHex('00D600000000030102030100'))).toBe(10);
    expect(tpduCommandLength(fromHex('00B00000000100'))).toBe(7);
    expect(tpduCommandLength(fromHex('00B000'))).toBe(3);
  });
});

describe('pcap file', () => {
  it('has the libpcap header: magic, version 2.4, Ethernet', () => {
    expect(toHex(pcapFileHeader())).toBe('D4C3B2A10200040000000000000000000000040001000000');
  });

  it('wraps GSMTAP in UDP to port 4729 over IPv4 with a valid header checksum', () => {
    const rec = pcapGsmtapRecord(1_700_000_000_123.456, GSMTAP_SIM_APDU, 7, fromHex('00A4000C023F009000'));
    const v = new DataView(rec.buffer);
    expect(v.getUint32(0, true)).toBe(1_700_000_000);
    expect(v.getUint32(4, true)).toBe(123_456);
    const frameLen = v.getUint32(8, true);
    expect(frameLen).toBe(rec.length - 16);
    expect(frameLen).toBe(14 + 20 + 8 + 16 + 9);
    const ip = 16 + 14;
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += v.getUint16(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(v.getUint16(ip + 20 + 2)).toBe(4729);
    expect(toHex(rec.subarray(ip + 28, ip + 28 + 3))).toBe('020404');
    expect(toHex(rec.subarray(rec.length - 9))).toBe('00A4000C023F009000');
  });
});

const hasTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

// tshark is a Debian package the CI installs; elsewhere the test says so instead of failing.
describe.skipIf(!hasTshark && !process.env.CI)(
  'Wireshark decodes the pcap (tshark, gsm_sim dissector)',
  () => {
    it('decodes every APDU of a recorded script run as GSM SIM with the right instruction', async () => {
      const dir = tmp();
      const pcap = join(dir, 'run.pcap');
      expect(await recordScript(READ_IMSI_SCRIPT, [pcap])).toBe(0);
      const out = execFileSync(
        'tshark',
        [
          '-r',
          pcap,
          '-T',
          'fields',
          '-E',
          'separator=|',
          '-e',
          'frame.number',
          '-e',
          'gsm_sim.apdu.ins',
          '-e',
          'gsm_sim.apdu.sw',
          '-e',
          '_ws.col.Info',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
      );
      const rows = out
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      // Packet 1 is the ATR the trace started with; 2..7 the six exchanges of the script.
      expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      const apdus = rows.slice(1);
      expect(apdus.map((r) => r[1])).toEqual(['0xa4', '0xa4', '0x20', '0xa4', '0xc0', '0xb0']);
      expect(apdus.map((r) => r[2])).toEqual(['0x6129', '0x613c', '0x9000', '0x6119', '0x9000', '0x9000']);
      const info = apdus.map((r) => r[3]!);
      expect(info[0]).toMatch(/SELECT File MF/);
      expect(info[1]).toMatch(/SELECT Application a0000000871002/);
      expect(info[2]).toMatch(/VERIFY/);
      expect(info[3]).toMatch(/SELECT File EF\.IMSI/);
      expect(info[4]).toMatch(/GET RESPONSE/);
      expect(info[5]).toMatch(/READ BINARY Offset=0/);
      for (const i of info) expect(i).not.toMatch(/Malformed/);
    });

    it('writes the PIN block masked', async () => {
      const dir = tmp();
      const pcap = join(dir, 'run.pcap');
      await recordScript(READ_IMSI_SCRIPT, [pcap]);
      const raw = toHex(readFileSync(pcap));
      expect(raw).not.toContain('31323334FFFFFFFF');
      expect(raw).toContain(`0020000108${'2A'.repeat(8)}9000`);
      const data = execFileSync('tshark', ['-r', pcap, '-Y', 'gsm_sim.apdu.ins == 0x20', '-x'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 30_000,
      });
      expect(data).toContain('2a 2a 2a 2a 2a 2a 2a 90 00');
    });
  },
);
