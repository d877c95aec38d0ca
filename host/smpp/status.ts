// command_status values, SMPP v3.4 §5.1.3 (the ones this SMSC and its clients use or report).

export const STATUS = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDLEN: 0x02,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RINVMSGID: 0x0c,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RINVSERTYP: 0x15,
  RINVESMCLASS: 0x43,
  RSUBMITFAIL: 0x45,
  RINVSYSTYP: 0x53,
  RINVSCHED: 0x61,
  RINVEXPIRY: 0x62,
  RINVOPTPARSTREAM: 0xc0,
  ROPTPARNOTALLWD: 0xc1,
  RINVPARLEN: 0xc2,
  RMISSINGOPTPARAM: 0xc3,
  RINVOPTPARAMVAL: 0xc4,
  RDELIVERYFAILURE: 0xfe,
  RUNKNOWNERR: 0xff,
} as const;

export type CommandStatus = (typeof STATUS)[keyof typeof STATUS];

const NAMES = new Map<number, string>(Object.entries(STATUS).map(([k, v]) => [v, `ESME_${k}`]));

export function statusName(s: number): string {
  return NAMES.get(s) ?? `0x${(s >>> 0).toString(16).padStart(8, '0')}`;
}
