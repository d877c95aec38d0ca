// The file structure templates of the TCA "eUICC Profile Package: Interoperable Format Technical
// Specification" (v3.3.1, Annex A; earlier versions where a template OID names one), as data: for each
// template OID 2.23.143.1.2.x the files of its slots (the PE's File fields, named as in the PE ASN.1),
// with the FID, structure, size, EF.ARR record, SFI and default content a PE inherits when it does not
// give them. A PE gives only what differs (TS.48 profiles omit the FID and size of EF.IMSI, for example).
//
// Row columns: slot, FID ('----': the PE must give it, e.g. an ADF's temporary FID or a slot that stands
// for several files), type (MF DF ADF, TR transparent, LF linear fixed, CY cyclic, BT BER-TLV),
// size (TR/BT bytes, LF/CY records x record length; '-' unknown: the PE must give it), EF.ARR record
// (in the EF.ARR of the file's context), SFI ('-': none), then optionally in=FID (the DF of the template
// the file lives in, when not the template's base DF), def=PATTERN (default content: hex, 'A...B' repeats
// the last byte of A to fill the file or record, then B) or rep=PATTERN (the pattern is repeated).
// The CSIM templates (2.10, 2.11) are not transcribed: their PEs install when each file carries its
// complete FCP (every TS.48 profile does).

import { PE_SLOTS, type PeName } from './pe-types.js';

export type TemplateFileType = 'MF' | 'DF' | 'ADF' | 'TR' | 'LF' | 'CY' | 'BT';

export interface TemplateFile {
  slot: string;
  fid?: number;
  type: TemplateFileType;
  /** TR/BT: file size; LF/CY: record length. */
  size?: number;
  records?: number;
  arr: number;
  sfi?: number;
  /** FID of the template DF the file is in, when not the template's base DF. */
  in?: number;
  /** Default content pattern (see the header comment), per record for LF/CY. */
  pattern?: string;
  repeat?: boolean;
}

export interface Template {
  oid: string;
  pe: PeName;
  name: string;
  clause: string;
  /** Optional-files templates add files to the base DF of this template. */
  extends?: string;
  /** The base DF of this template lives in the base DF of that template (DF.5GS in ADF.USIM). */
  parent?: string;
  /** "Created by default": slots a PE leaves out are still created, from the template (unless doNotCreate). */
  byDefault?: boolean;
  files: readonly TemplateFile[];
}

interface TemplateRows extends Omit<Template, 'files'> {
  /**
   * A later version (or a template sharing another's files): that template's rows for this PE's slots,
   * with `files` replacing rows of the same slot and adding new ones.
   */
  from?: string;
  files: readonly string[];
}

const TEMPLATE_ROWS: readonly TemplateRows[] = [
  {
    oid: '2.23.143.1.2.1',
    byDefault: true,
    pe: 'mf',
    name: 'MF',
    clause: 'Annex A §9.2',
    files: [
      'mf                           3F00 MF  -       14 -',
      'ef-pl                        2F05 TR  2        1 05 def=FF...FF',
      'ef-iccid                     2F02 TR  10      11 -',
      'ef-dir                       2F00 LF  -x-     10 1E',
      'ef-arr                       2F06 LF  -x-     10 -',
      'ef-umpc                      2F08 TR  5       10 08',
    ],
  },
  {
    oid: '2.23.143.1.2.2',
    pe: 'cd',
    name: 'DF.CD',
    clause: 'Annex A §9.3',
    files: [
      'df-cd                        7F11 DF  -       14 -',
      'ef-launchpad                 6F01 TR  -        2 -',
      'ef-icon                      ---- TR  -        2 -',
    ],
  },
  {
    oid: '2.23.143.1.2.3',
    pe: 'telecom',
    name: 'DF.TELECOM',
    clause: 'Annex A §9.4 (v2.3.1)',
    files: [
      'df-telecom                   7F10 DF  -       14 -',
      'ef-arr                       6F06 LF  -x-     10 -',
      'ef-rma                       6F53 LF  -x-      3 -',
      'ef-sume                      6F54 TR  22       3 -',
      'ef-ice-dn                    6FE0 LF  50x24    9 - def=FF...FF',
      'ef-ice-ff                    6FE1 LF  -x-      9 - def=FF...FF',
      'ef-psismsc                   6FE5 LF  -x-      5 -',
      'df-graphics                  5F50 DF  -       14 -',
      'ef-img                       4F20 LF  -x-      2 - in=5F50 def=00FF...FF',
      'ef-ice-graphics              4F21 BT  -        9 - in=5F50',
      'ef-launch-scws               4F01 TR  -       10 - in=5F50',
      'ef-iidf                      ---- TR  -        2 - in=5F50 def=FF...FF',
      'ef-icon                      ---- TR  -       10 - in=5F50',
      'df-phonebook                 5F3A DF  -       14 -',
      'ef-pbr                       4F30 LF  -x-      2 - in=5F3A',
      'ef-ext1                      ---- LF  -x13     5 - in=5F3A def=00FF...FF',
      'ef-aas                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-gas                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-psc                       4F22 TR  4        5 - in=5F3A def=00000000',
      'ef-cc                        4F23 TR  2        5 - in=5F3A def=0000',
      'ef-puid                      4F24 TR  2        5 - in=5F3A def=0000',
      'ef-iap                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-adn                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-anr                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-puri                      ---- LF  -x-      5 - in=5F3A',
      'ef-email                     ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-sne                       ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'ef-uid                       ---- LF  -x2      5 - in=5F3A def=0000',
      'ef-grp                       ---- LF  -x-      5 - in=5F3A def=00...00',
      'ef-ccp1                      ---- LF  -x-      5 - in=5F3A def=FF...FF',
      'df-multimedia                5F3B DF  -       14 -',
      'ef-mml                       4F47 BT  -        5 - in=5F3B',
      'ef-mmdf                      4F48 BT  -        5 - in=5F3B',
      'df-mmss                      5F3C DF  -       14 -',
      'ef-mlpl                      4F20 TR  -        2 01 in=5F3C',
      'ef-mspl                      4F21 TR  -        2 02 in=5F3C',
      'ef-mmssmode                  4F22 TR  1        2 03 in=5F3C',
    ],
  },
  {
    oid: '2.23.143.1.2.3.2',
    pe: 'telecom',
    name: 'DF.TELECOM v2',
    clause: 'Annex A §9.4',
    from: '2.23.143.1.2.3',
    files: [
      'df-mcs                       5F3D DF  -       14 -',
      'ef-mst                       4F01 TR  -        2 01 in=5F3D',
      'ef-mcs-config                4F02 BT  -        2 02 in=5F3D',
      'df-v2x                       5F3E DF  -       14 -',
      'ef-vst                       4F01 TR  -        2 01 in=5F3E',
      'ef-v2x-config                4F02 BT  -        2 02 in=5F3E',
      'ef-v2xp-pc5                  4F03 TR  -        2 - in=5F3E',
      'ef-v2xp-Uu                   4F04 TR  -        2 - in=5F3E',
    ],
  },
  {
    oid: '2.23.143.1.2.4',
    byDefault: true,
    pe: 'usim',
    name: 'ADF.USIM',
    clause: 'Annex A §9.5.1 (v2.3.1)',
    files: [
      'adf-usim                     ---- ADF -       14 -',
      'ef-imsi                      6F07 TR  9        2 07',
      'ef-arr                       6F06 LF  -x-     10 17',
      'ef-keys                      6F08 TR  33       5 08 def=07FF...FF',
      'ef-keysPS                    6F09 TR  33       5 09 def=07FF...FF',
      'ef-hpplmn                    6F31 TR  1        2 12 def=0A',
      'ef-ust                       6F38 TR  14       2 04',
      'ef-fdn                       6F3B LF  20x26    8 - def=FF...FF',
      'ef-sms                       6F3C LF  10x176   5 - def=00FF...FF',
      'ef-smsp                      6F42 LF  1x38     5 - def=FF...FF',
      'ef-smss                      6F43 TR  2        5 - def=FFFF',
      'ef-spn                       6F46 TR  17      10 -',
      'ef-est                       6F56 TR  1        8 05',
      'ef-start-hfn                 6F5B TR  6        5 0F def=F00000F00000',
      'ef-threshold                 6F5C TR  3        2 10 def=FFFFFF',
      'ef-psloci                    6F73 TR  14       5 0C def=FFFFFFFFFFFFFFFFFFFF0000FF01',
      'ef-acc                       6F78 TR  2        2 06',
      'ef-fplmn                     6F7B TR  12       5 0D def=FF...FF',
      'ef-loci                      6F7E TR  11       5 0B def=FFFFFFFFFFFFFF0000FF01',
      'ef-ad                        6FAD TR  4       10 03 def=00000002',
      'ef-ecc                       6FB7 LF  1x4     10 01',
      'ef-netpar                    6FC4 TR  128      5 - def=FF...FF',
      'ef-epsloci                   6FE3 TR  18       5 1E def=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000001',
      'ef-epsnsc                    6FE4 LF  1x80     5 18 def=FF...FF',
    ],
  },
  {
    oid: '2.23.143.1.2.4.2',
    byDefault: true,
    pe: 'usim',
    name: 'ADF.USIM v2',
    clause: 'Annex A §9.5.1',
    from: '2.23.143.1.2.4',
    files: ['ef-ust                       6F38 TR  17       2 04'],
  },
  {
    oid: '2.23.143.1.2.5',
    pe: 'opt-usim',
    name: 'ADF.USIM optional files',
    clause: 'Annex A §9.5.2 (v2.3.1)',
    extends: '2.23.143.1.2.4',
    files: [
      'ef-li                        6F05 TR  6        1 02 def=FF...FF',
      'ef-acmax                     6F37 TR  3        5 - def=000000',
      'ef-acm                       6F39 CY  1x3      7 - def=000000',
      'ef-gid1                      6F3E TR  8        2 -',
      'ef-gid2                      6F3F TR  8        2 -',
      'ef-msisdn                    6F40 LF  1x24     2 - def=FF...FF',
      'ef-puct                      6F41 TR  5        5 - def=FFFFFF0000',
      'ef-cbmi                      6F45 TR  10       5 - def=FF...FF',
      'ef-cbmid                     6F48 TR  10       2 0E def=FF...FF',
      'ef-sdn                       6F49 LF  10x24    2 - def=FF...FF',
      'ef-ext2                      6F4B LF  10x13    8 - def=00FF...FF',
      'ef-ext3                      6F4C LF  10x13    2 - def=00FF...FF',
      'ef-cbmir                     6F50 TR  20       5 - def=FF...FF',
      'ef-plmnwact                  6F60 TR  40       5 0A rep=FFFFFF0000',
      'ef-oplmnwact                 6F61 TR  40       2 11 rep=FFFFFF0000',
      'ef-hplmnwact                 6F62 TR  5        2 13 rep=FFFFFF0000',
      'ef-dck                       6F2C TR  16       5 - def=FF...FF',
      'ef-cnl                       6F32 TR  30       2 - def=FF...FF',
      'ef-smsr                      6F47 LF  10x30    5 - def=00FF...FF',
      'ef-bdn                       6F4D LF  10x25    8 - def=FF...FF',
      'ef-ext5                      6F4E LF  10x13    5 - def=00FF...FF',
      'ef-ccp2                      6F4F LF  5x15     5 16 def=FF...FF',
      'ef-ext4                      6F55 LF  10x13    8 - def=00FF...FF',
      'ef-acl                       6F57 TR  101      8 - def=00FF...FF',
      'ef-cmi                       6F58 LF  10x11    2 - def=FF...FF',
      'ef-ici                       6F80 CY  20x38    5 14 def=FF...FF0000000001FFFF',
      'ef-oci                       6F81 CY  20x37    5 15 def=FF...FF00000001FFFF',
      'ef-ict                       6F82 CY  1x3      7 - def=000000',
      'ef-oct                       6F83 CY  1x3      7 - def=000000',
      'ef-vgcs                      6FB1 TR  20       2 -',
      'ef-vgcss                     6FB2 TR  7        5 -',
      'ef-vbs                       6FB3 TR  20       2 -',
      'ef-vbss                      6FB4 TR  7        5 -',
      'ef-emlpp                     6FB5 TR  2        2 -',
      'ef-aaem                      6FB6 TR  1        5 - def=00',
      'ef-hiddenkey                 6FC3 TR  4        5 - def=FF...FF',
      'ef-pnn                       6FC5 LF  10x16   10 19',
      'ef-opl                       6FC6 LF  5x8     10 1A',
      'ef-mbdn                      6FC7 LF  3x24     5 -',
      'ef-ext6                      6FC8 LF  10x13    5 - def=00FF...FF',
      'ef-mbi                       6FC9 LF  10x5     5 -',
      'ef-mwis                      6FCA LF  10x6     5 - def=00...00',
      'ef-cfis                      6FCB LF  10x16    5 - def=0100FF...FF',
      'ef-ext7                      6FCC LF  10x13    5 - def=00FF...FF',
      'ef-spdi                      6FCD TR  17       2 1B',
      'ef-mmsn                      6FCE LF  10x6     5 - def=000000FF...FF',
      'ef-ext8                      6FCF LF  10x13    5 - def=00FF...FF',
      'ef-mmsicp                    6FD0 TR  100      2 - def=FF...FF',
      'ef-mmsup                     6FD1 LF  -x-      5 - def=FF...FF',
      'ef-mmsucp                    6FD2 TR  100      5 - def=FF...FF',
      'ef-nia                       6FD3 LF  5x11     2 - def=FF...FF',
      'ef-vgcsca                    6FD4 TR  -        2 - def=00...00',
      'ef-vbsca                     6FD5 TR  -        2 - def=00...00',
      'ef-gbabp                     6FD6 TR  -        5 - def=FF...FF',
      'ef-msk                       6FD7 LF  -x-      2 - def=FF...FF',
      'ef-muk                       6FD8 LF  -x-      2 - def=FF...FF',
      'ef-ehplmn                    6FD9 TR  15       2 1D def=FF...FF',
      'ef-gbanl                     6FDA LF  -x-      2 - def=FF...FF',
      'ef-ehplmnpi                  6FDB TR  1        2 - def=00',
      'ef-lrplmnsi                  6FDC TR  1        2 - def=00',
      'ef-nafkca                    6FDD LF  -x-      2 - def=FF...FF',
      'ef-spni                      6FDE TR  -       10 - def=00FF...FF',
      'ef-pnni                      6FDF LF  -x-     10 - def=00FF...FF',
      'ef-ncp-ip                    6FE2 LF  -x-      2 -',
      'ef-ufc                       6FE6 TR  30      10 - def=801E60C01E900080040000000000000000F0000000004000000000000080',
      'ef-nasconfig                 6FE8 TR  18       2 -',
      'ef-uicciari                  6FE7 LF  -x-      2 -',
      'ef-pws                       6FEC TR  -       10 -',
      'ef-fdnuri                    6FED LF  -x-      8 - def=FF...FF',
      'ef-bdnuri                    6FEE LF  -x-      8 - def=FF...FF',
      'ef-sdnuri                    6FEF LF  -x-      2 - def=FF...FF',
      'ef-ial                       6FF0 LF  -x-      3 - def=FF...FF',
      'ef-ips                       6FF1 CY  -x4     10 - def=FF...FF',
      'ef-ipd                       6FF2 LF  -x-      3 - def=FF...FF',
    ],
  },
  {
    oid: '2.23.143.1.2.5.2',
    pe: 'opt-usim',
    name: 'ADF.USIM optional files v2',
    clause: 'Annex A §9.5.2',
    extends: '2.23.143.1.2.4.2',
    from: '2.23.143.1.2.5',
    files: [
      'ef-plmnwact                  6F60 TR  40       5 0A def=FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000',
      'ef-oplmnwact                 6F61 TR  40       2 11 def=FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000',
      'ef-hplmnwact                 6F62 TR  5        2 13 def=FFFFFF0000',
      'ef-epdgid                    6FF3 TR  -        2 -',
      'ef-epdgselection             6FF4 TR  -        2 -',
      'ef-epdgidem                  6FF5 TR  -        2 -',
      'ef-epdgselectionem           6FF6 TR  -        2 -',
      'ef-frompreferred             6FF7 TR  1        2 - def=00',
      'ef-imsconfigdata             6FF8 BT  -        2 -',
      'ef-3gpppsdataoff             6FF9 TR  4        2 -',
      'ef-3gpppsdataoffservicelist  6FFA LF  -x-      2 -',
      'ef-xcapconfigdata            6FFC BT  -        2 -',
      'ef-earfcnlist                6FFD TR  -       10 -',
      'ef-mudmidconfigdata          6FFE BT  -        2 -',
    ],
  },
  {
    oid: '2.23.143.1.2.5.3',
    pe: 'opt-usim',
    name: 'ADF.USIM optional files v3',
    clause: 'Annex A §9.5.2.3 (v3.3.1)',
    extends: '2.23.143.1.2.4.2',
    from: '2.23.143.1.2.5.2',
    files: ['ef-eaka                      6F01 TR  1        3 -'],
  },
  {
    oid: '2.23.143.1.2.6',
    parent: '2.23.143.1.2.4',
    pe: 'phonebook',
    name: 'DF.PHONEBOOK under ADF.USIM',
    clause: 'Annex A §9.5.3',
    from: '2.23.143.1.2.3',
    files: [],
  },
  {
    oid: '2.23.143.1.2.7',
    pe: 'gsm-access',
    name: 'DF.GSM-ACCESS under ADF.USIM',
    clause: 'Annex A §9.5.4',
    parent: '2.23.143.1.2.4',
    files: [
      'df-gsm-access                5F3B DF  -       14 -',
      'ef-kc                        4F20 TR  9        5 01 def=FF...FF07',
      'ef-kcgprs                    4F52 TR  9        5 02 def=FF...FF07',
      'ef-cpbcch                    4F63 TR  10       5 - def=FF...FF',
      'ef-invscan                   4F64 TR  1        2 - def=00',
    ],
  },
  {
    oid: '2.23.143.1.2.13',
    pe: 'df-5gs',
    name: 'DF.5GS',
    clause: 'Annex A §9.5.11 (v2.3.1)',
    parent: '2.23.143.1.2.4',
    files: [
      'df-df-5gs                    5FC0 DF  -       14 -',
      'ef-5gs3gpploci               4F01 TR  20       5 01 def=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000001',
      'ef-5gsn3gpploci              4F02 TR  20       5 02 def=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000001',
      'ef-5gs3gppnsc                4F03 LF  1x57     5 03 def=FF...FF',
      'ef-5gsn3gppnsc               4F04 LF  1x57     5 04 def=FF...FF',
      'ef-5gauthkeys                4F05 TR  110      5 05',
      'ef-uac-aic                   4F06 TR  4        2 06',
      'ef-suci-calc-info            4F07 TR  -        2 07 def=FF...FF',
      'ef-opl5g                     4F08 LF  -x10    10 08 def=FF...FF',
      'ef-supinai                   4F09 TR  -        2 09',
      'ef-routing-indicator         4F0A TR  4        2 0A def=F0FFFFFF',
    ],
  },
  {
    oid: '2.23.143.1.2.13.2',
    pe: 'df-5gs',
    name: 'DF.5GS v2',
    clause: 'Annex A §9.5.11.2',
    parent: '2.23.143.1.2.4',
    from: '2.23.143.1.2.13',
    files: [
      'ef-ursp                      4F0B BT  -        2 -',
      'ef-tn3gppsnn                 4F0C TR  1        2 0C def=00',
    ],
  },
  {
    oid: '2.23.143.1.2.13.3',
    pe: 'df-5gs',
    name: 'DF.5GS v3',
    clause: 'Annex A §9.5.11.3',
    parent: '2.23.143.1.2.4',
    from: '2.23.143.1.2.13.2',
    files: [
      'ef-5gs3gppnsc                4F03 LF  2x62     5 03 def=FF...FF',
      'ef-5gsn3gppnsc               4F04 LF  2x62     5 04 def=FF...FF',
    ],
  },
  {
    oid: '2.23.143.1.2.13.4',
    pe: 'df-5gs',
    name: 'DF.5GS v4',
    clause: 'Annex A §9.5.11.4',
    parent: '2.23.143.1.2.4',
    from: '2.23.143.1.2.13.3',
    files: [
      'ef-routing-indicator         4F0A TR  4        2 0A def=F0FF0000',
      'ef-cag                       4F0D TR  2        2 0D',
      'ef-sor-cmci                  4F0E TR  -        2 0E',
      'ef-dri                       4F0F TR  7        2 0F',
      'ef-5gsedrx                   4F10 TR  2        2 10',
      'ef-5gnswo-conf               4F11 TR  1        2 11',
      'ef-mchpplmn                  4F15 TR  1        2 15',
      'ef-kausf-derivation          4F16 TR  1        2 16',
    ],
  },
  {
    oid: '2.23.143.1.2.14',
    pe: 'df-saip',
    name: 'DF.SAIP',
    clause: 'Annex A §9.5.12',
    parent: '2.23.143.1.2.4',
    files: [
      'df-df-saip                   5FD0 DF  -       14 -',
      'ef-suci-calc-info-usim       4F01 TR  -        3 - def=FF...FF',
    ],
  },
  {
    oid: '2.23.143.1.2.15',
    pe: 'df-snpn',
    name: 'DF.SNPN',
    clause: 'Annex A §9.5.13',
    parent: '2.23.143.1.2.4',
    files: [
      'df-df-snpn                   5FE0 DF  -       14 -',
      'ef-pws-snpn                  4F01 TR  1       10 -',
    ],
  },
  {
    oid: '2.23.143.1.2.16',
    pe: 'df-5gprose',
    name: 'DF.5G_ProSe',
    clause: 'Annex A §9.5.14',
    parent: '2.23.143.1.2.4',
    files: [
      'df-df-5g-prose               5FF0 DF  -       14 -',
      'ef-5g-prose-st               4F01 TR  1        2 01',
      'ef-5g-prose-dd               4F02 TR  26       2 02',
      'ef-5g-prose-dc               4F03 TR  12       2 03',
      'ef-5g-prose-u2nru            4F04 TR  32       2 04',
      'ef-5g-prose-ru               4F05 TR  29       2 05',
      'ef-5g-prose-uir              4F06 TR  32       2 06',
    ],
  },
  {
    oid: '2.23.143.1.2.8',
    byDefault: true,
    pe: 'isim',
    name: 'ADF.ISIM',
    clause: 'Annex A §9.6.1',
    files: [
      'adf-isim                     ---- ADF -       14 -',
      'ef-impi                      6F02 TR  -        2 02',
      'ef-impu                      6F04 LF  1x-      2 04',
      'ef-domain                    6F03 TR  -        2 05',
      'ef-ist                       6F07 TR  14       2 07',
      'ef-ad                        6FAD TR  3       10 03 def=000000',
      'ef-arr                       6F06 LF  -x-     10 06',
    ],
  },
  {
    oid: '2.23.143.1.2.9',
    pe: 'opt-isim',
    name: 'ADF.ISIM optional files',
    clause: 'Annex A §9.6.2 (v2.3.1)',
    extends: '2.23.143.1.2.8',
    files: [
      'ef-pcscf                     6F09 LF  1x-      2 -',
      'ef-sms                       6F3C LF  10x176   5 - def=00FF...FF',
      'ef-smsp                      6F42 LF  1x38     5 - def=FF...FF',
      'ef-smss                      6F43 TR  2        5 - def=FFFF',
      'ef-smsr                      6F47 LF  10x30    5 - def=00FF...FF',
      'ef-gbabp                     6FD5 TR  -        5 - def=FF...FF',
      'ef-gbanl                     6FD7 LF  -x-      2 - def=FF...FF',
      'ef-nafkca                    6FDD LF  -x-      2 - def=FF...FF',
      'ef-uicciari                  6FE7 LF  -x-      2 -',
    ],
  },
  {
    oid: '2.23.143.1.2.9.2',
    pe: 'opt-isim',
    name: 'ADF.ISIM optional files v2',
    clause: 'Annex A §9.6.2',
    extends: '2.23.143.1.2.8',
    from: '2.23.143.1.2.9',
    files: [
      'ef-frompreferred             6FF7 TR  1        2 - def=00',
      'ef-imsconfigdata             6FF8 BT  -        2 -',
      'ef-xcapconfigdata            6FFC BT  -        2 -',
      'ef-webrtcuri                 6FFA LF  -x-      2 -',
      'ef-mudmidconfigdata          6FFE BT  -        2 -',
    ],
  },
  {
    oid: '2.23.143.1.2.12',
    pe: 'eap',
    name: 'DF.EAP',
    clause: 'Annex A §9.8',
    files: [
      'df-eap                       ---- DF  -       14 -',
      'ef-eapkeys                   4F01 TR  -        2 -',
      'ef-eapstatus                 4F02 TR  1        2 - def=00',
      'ef-puid                      4F03 TR  -        2 -',
      'ef-ps                        4F04 TR  -        5 - def=FF...FF',
      'ef-curid                     4F20 TR  -        5 - def=FF...FF',
      'ef-reid                      4F21 TR  -        5 -',
      'ef-realm                     4F22 TR  -        5 -',
    ],
  },
];

const num = (t: string | undefined): number | undefined =>
  t === undefined || t === '-' || t === '----' ? undefined : Number.parseInt(t, 16);
const dec = (t: string | undefined): number | undefined =>
  t === undefined || t === '-' ? undefined : Number.parseInt(t, 10);

function parseRow(row: string): TemplateFile {
  const [slot, fid, type, size, arr, sfi, ...opts] = row.split(/\s+/) as string[];
  const f: TemplateFile = { slot: slot!, type: type as TemplateFileType, arr: dec(arr)! };
  const id = num(fid);
  if (id !== undefined) f.fid = id;
  if (type === 'LF' || type === 'CY') {
    const [n, len] = size!.split('x');
    if (dec(n) !== undefined) f.records = dec(n)!;
    if (dec(len) !== undefined) f.size = dec(len)!;
  } else if (dec(size) !== undefined) f.size = dec(size)!;
  const s = num(sfi);
  if (s !== undefined) f.sfi = s;
  for (const o of opts) {
    const [k, v] = o.split('=') as [string, string];
    if (k === 'in') f.in = num(v)!;
    else if (k === 'def' || k === 'rep') {
      f.pattern = v;
      if (k === 'rep') f.repeat = true;
    }
  }
  return f;
}

let byOid: Map<string, Template> | undefined;

/** The template of an OID (dotted string), or undefined when we do not know it. */
export function templateByOid(oid: string): Template | undefined {
  if (!byOid) {
    const map = new Map<string, Template>();
    for (const { from, ...t } of TEMPLATE_ROWS) {
      const own = t.files.map(parseRow);
      const slots = PE_SLOTS[t.pe] ?? [];
      const base = from ? map.get(from)!.files.filter((f) => slots.includes(f.slot)) : [];
      const files = base.map((f) => own.find((o) => o.slot === f.slot) ?? f);
      files.push(...own.filter((o) => !base.some((f) => f.slot === o.slot)));
      map.set(t.oid, { ...t, files });
    }
    byOid = map;
  }
  return byOid.get(oid);
}

/** Every template OID we know (for `uicc saip` listings and the encoder's template matching). */
export function templateOids(): string[] {
  return TEMPLATE_ROWS.map((t) => t.oid);
}

/**
 * The CSIM templates (ADF.CSIM 2.10, 2.10.2 and its optional files 2.11, 2.11.2): known, but their file
 * tables are not transcribed, so their PEs must give complete Fcps.
 */
export const FCP_ONLY_TEMPLATES: Readonly<Record<string, PeName>> = {
  '2.23.143.1.2.10': 'csim',
  '2.23.143.1.2.10.2': 'csim',
  '2.23.143.1.2.11': 'opt-csim',
  '2.23.143.1.2.11.2': 'opt-csim',
};

const expanded = new Map<string, Uint8Array>();

/**
 * The default content of `length` bytes from a template pattern: hex bytes, where 'A...B' repeats the last
 * byte of A up to the length and ends with B; `repeat` repeats the whole pattern. A fresh copy each time
 * (small expansions are computed once per pattern and length).
 */
export function expandPattern(pattern: string, length: number, repeat = false): Uint8Array {
  const key = `${repeat ? 'r' : 'f'}${length}:${pattern}`;
  let out = expanded.get(key);
  if (!out) {
    out = expandOnce(pattern, length, repeat);
    // Bounded: sizes come from packages (at most 4096 entries of at most 512 bytes).
    if (length <= 512 && expanded.size < 4096) expanded.set(key, out);
  }
  return out.slice();
}

function expandOnce(pattern: string, length: number, repeat: boolean): Uint8Array {
  const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  const out = new Uint8Array(length);
  if (repeat) {
    const p = hex(pattern);
    for (let i = 0; i < length; i++) out[i] = p[i % p.length]!;
    return out;
  }
  const [a, b] = pattern.split('...') as [string, string | undefined];
  const prefix = hex(a);
  const suffix = hex(b ?? '');
  if (b === undefined) {
    out.fill(0xff);
    out.set(prefix.subarray(0, length));
    return out;
  }
  out.fill(prefix[prefix.length - 1] ?? 0xff);
  out.set(prefix.subarray(0, length));
  if (suffix.length <= length) out.set(suffix, length - suffix.length);
  return out;
}
