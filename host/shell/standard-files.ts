// Standard file names by FID, for cards whose profile the shell does not have (a physical card through
// --reader): the MF level of TS 102 221 §13, DF.TELECOM of TS 31.102 §4.4 (with DF.GRAPHICS §4.6.1 and
// DF.PHONEBOOK §4.4.2), ADF.USIM of TS 31.102 §4.2 with DF.GSM-ACCESS (§4.6.2), and ADF.ISIM of
// TS 31.103. Names follow the specs' EF names as pySim-shell shows them. The shell probes each with SELECT
// and keeps the ones the card has.

export interface StandardDf {
  name: string;
  fid: number;
  files: Record<number, string>;
  dfs?: StandardDf[];
}

/** Known ADFs by AID prefix (RID + application code, TS 101 220 Annex E). */
export const STANDARD_ADFS: { prefix: string; name: string; df: StandardDf }[] = [];

const USIM_FILES: Record<number, string> = {
  0x6f05: 'EF.LI',
  0x6f06: 'EF.ARR',
  0x6f07: 'EF.IMSI',
  0x6f08: 'EF.Keys',
  0x6f09: 'EF.KeysPS',
  0x6f2c: 'EF.DCK',
  0x6f31: 'EF.HPPLMN',
  0x6f32: 'EF.CNL',
  0x6f37: 'EF.ACMmax',
  0x6f38: 'EF.UST',
  0x6f39: 'EF.ACM',
  0x6f3b: 'EF.FDN',
  0x6f3c: 'EF.SMS',
  0x6f3e: 'EF.GID1',
  0x6f3f: 'EF.GID2',
  0x6f40: 'EF.MSISDN',
  0x6f41: 'EF.PUCT',
  0x6f42: 'EF.SMSP',
  0x6f43: 'EF.SMSS',
  0x6f45: 'EF.CBMI',
  0x6f46: 'EF.SPN',
  0x6f47: 'EF.SMSR',
  0x6f48: 'EF.CBMID',
  0x6f49: 'EF.SDN',
  0x6f4b: 'EF.EXT2',
  0x6f4c: 'EF.EXT3',
  0x6f4d: 'EF.BDN',
  0x6f4e: 'EF.EXT5',
  0x6f50: 'EF.CBMIR',
  0x6f55: 'EF.EXT4',
  0x6f56: 'EF.EST',
  0x6f57: 'EF.ACL',
  0x6f58: 'EF.CMI',
  0x6f5b: 'EF.START-HFN',
  0x6f5c: 'EF.THRESHOLD',
  0x6f60: 'EF.PLMNwAcT',
  0x6f61: 'EF.OPLMNwAcT',
  0x6f62: 'EF.HPLMNwAcT',
  0x6f73: 'EF.PSLOCI',
  0x6f78: 'EF.ACC',
  0x6f7b: 'EF.FPLMN',
  0x6f7e: 'EF.LOCI',
  0x6f80: 'EF.ICI',
  0x6f81: 'EF.OCI',
  0x6f82: 'EF.ICT',
  0x6f83: 'EF.OCT',
  0x6fad: 'EF.AD',
  0x6fb7: 'EF.ECC',
  0x6fc4: 'EF.NETPAR',
  0x6fc5: 'EF.PNN',
  0x6fc6: 'EF.OPL',
  0x6fcd: 'EF.SPDI',
  0x6fd9: 'EF.EHPLMN',
  0x6fdc: 'EF.LRPLMNSI',
  0x6fe3: 'EF.EPSLOCI',
  0x6fe4: 'EF.EPSNSC',
};

export const USIM_DF: StandardDf = {
  name: 'ADF.USIM',
  fid: 0x7ff0,
  files: USIM_FILES,
  dfs: [{ name: 'DF.GSM-ACCESS', fid: 0x5f3b, files: { 0x4f20: 'EF.Kc', 0x4f52: 'EF.KcGPRS' } }],
};

/** ADF.ISIM, TS 31.103 §4.2. */
export const ISIM_DF: StandardDf = {
  name: 'ADF.ISIM',
  fid: 0x7ff2,
  files: {
    0x6f02: 'EF.IMPI',
    0x6f03: 'EF.DOMAIN',
    0x6f04: 'EF.IMPU',
    0x6f06: 'EF.ARR',
    0x6f07: 'EF.IST',
    0x6f09: 'EF.P-CSCF',
    0x6fad: 'EF.AD',
  },
};

STANDARD_ADFS.push(
  { prefix: 'A0000000871002', name: 'ADF.USIM', df: USIM_DF },
  { prefix: 'A0000000871004', name: 'ADF.ISIM', df: ISIM_DF },
);

export const MF_DF: StandardDf = {
  name: 'MF',
  fid: 0x3f00,
  files: { 0x2f00: 'EF.DIR', 0x2fe2: 'EF.ICCID', 0x2f05: 'EF.PL', 0x2f06: 'EF.ARR', 0x2f08: 'EF.UMPC' },
  dfs: [
    {
      name: 'DF.TELECOM',
      fid: 0x7f10,
      files: {
        0x6f06: 'EF.ARR',
        0x6f3a: 'EF.ADN',
        0x6f3b: 'EF.FDN',
        0x6f3c: 'EF.SMS',
        0x6f40: 'EF.MSISDN',
        0x6f42: 'EF.SMSP',
        0x6f43: 'EF.SMSS',
        0x6f44: 'EF.LND',
        0x6f47: 'EF.SMSR',
        0x6f49: 'EF.SDN',
        0x6f4a: 'EF.EXT1',
        0x6f4b: 'EF.EXT2',
        0x6f4c: 'EF.EXT3',
        0x6f4d: 'EF.BDN',
        0x6f4e: 'EF.EXT4',
      },
      dfs: [
        { name: 'DF.GRAPHICS', fid: 0x5f50, files: { 0x4f20: 'EF.IMG' } },
        {
          name: 'DF.PHONEBOOK',
          fid: 0x5f3a,
          files: { 0x4f30: 'EF.PBR', 0x4f22: 'EF.PSC', 0x4f23: 'EF.CC', 0x4f24: 'EF.PUID', 0x4f3a: 'EF.ADN' },
        },
      ],
    },
  ],
};
