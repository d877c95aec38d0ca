// TUAK conformance test data: TS 35.232 test sets 1-6 (inputs, parameter choices and the outputs of TOPc,
// f1, f1*, f2, f3, f4, f5 and f5*), and the Keccak-f[1600] permutation test sets of the same document.

import type { TuakParams } from '../../applets/aka/tuak.js';

export interface TuakVector {
  set: number;
  k: string;
  rand: string;
  sqn: string;
  amf: string;
  top: string;
  params: TuakParams;
  topc: string;
  f1: string;
  f1star: string;
  f2: string;
  f3: string;
  f4: string;
  f5: string;
  f5star: string;
}

const SET2_K = 'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0';
const SET2_TOP = '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f';
const SET5_K = '1574ca56881d05c189c82880f789c9cd4244955f4426aa2b69c29f15770e5aa5';
const SET5_TOP = 'e59f6eb10ea406813f4991b0b9e02f181edf4c7e17b480f66d34da35ee88c95e';

export const TUAK_VECTORS: TuakVector[] = [
  {
    set: 1,
    k: 'abababababababababababababababab',
    rand: '42424242424242424242424242424242',
    sqn: '111111111111',
    amf: 'ffff',
    top: '5555555555555555555555555555555555555555555555555555555555555555',
    params: { mac: 64, res: 32, ck: 128, ik: 128, iterations: 1 },
    topc: 'bd04d9530e87513c5d837ac2ad954623a8e2330c115305a73eb45d1f40cccbff',
    f1: 'f9a54e6aeaa8618d',
    f1star: 'e94b4dc6c7297df3',
    f2: '657acd64',
    f3: 'd71a1e5c6caffe986a26f783e5c78be1',
    f4: 'be849fa2564f869aecee6f62d4337e72',
    f5: '719f1e9b9054',
    f5star: 'e7af6b3d0e38',
  },
  {
    set: 2,
    k: SET2_K,
    rand: '0123456789abcdef0123456789abcdef',
    sqn: '0123456789ab',
    amf: 'abcd',
    top: SET2_TOP,
    params: { mac: 128, res: 64, ck: 128, ik: 128, iterations: 1 },
    topc: '305425427e18c503c8a4b294ea72c95d0c36c6c6b29d0c65de5974d5977f8524',
    f1: 'c0b8c2d4148ec7aa5f1d78a97e4d1d58',
    f1star: 'ef81af7290f7842c6ceafa537fa0745b',
    f2: 'e9d749dc4eea0035',
    f3: 'a4cb6f6529ab17f8337f27baa8234d47',
    f4: '2274155ccf4199d5e2abcbf621907f90',
    f5: '480a9345cc1e',
    f5star: 'f84eb338848c',
  },
  {
    set: 3,
    k: SET2_K,
    rand: '0123456789abcdef0123456789abcdef',
    sqn: '0123456789ab',
    amf: 'abcd',
    top: SET2_TOP,
    params: { mac: 256, res: 64, ck: 128, ik: 256, iterations: 1 },
    topc: '305425427e18c503c8a4b294ea72c95d0c36c6c6b29d0c65de5974d5977f8524',
    f1: 'd97b75a1776065271b1e212bc3b1bf173f438b21e6c64a55a96c372e085e5cc5',
    f1star: '427bbf07c6e3a86c54f8c5216499f3909a6fd4a164c9fe235b1550258111b821',
    f2: '07021c73e7635c7d',
    f3: '4d59ac796834eb85d11fa148a5058c3c',
    f4: '126d47500136fdc5ddfd14f19ebf16749ce4b6435323fbb5715a3a796a6082bd',
    f5: '1d6622c4e59a',
    f5star: 'f84eb338848c',
  },
  {
    set: 4,
    k: 'b8da837a50652d6ac7c97da14f6acc61',
    rand: '6887e55425a966bd86c9661a5fa72be8',
    sqn: '0dea2ee2c5af',
    amf: 'df1e',
    top: '0952be13556c32ebc58195d9dd930493e12a9003669988ffde5fa1f0fe35cc01',
    params: { mac: 128, res: 128, ck: 128, ik: 128, iterations: 1 },
    topc: '2bc16eb657a68e1f446f08f57c0efb1d493527a2e652ce281eb6ca0e4487760a',
    f1: '749214087958dd8f58bfcdf869d8ae3f',
    f1star: '619e865afe80e382aee13063f9dfb56d',
    f2: '4041ce438e3e38e8aa96562eed83ac43',
    f3: '3e3bc01bea0cd914c4c2c83ce2d92757',
    f4: '666a8e6f577b1aa77b7fd53cebb8a3d6',
    f5: '1f880d005119',
    f5star: '45e617d77fe5',
  },
  {
    set: 5,
    k: SET5_K,
    rand: 'c570aac68cde651fb1e3088322498bef',
    sqn: 'c89bb71f3a41',
    amf: '297d',
    top: SET5_TOP,
    params: { mac: 64, res: 256, ck: 256, ik: 128, iterations: 1 },
    topc: '3c6052e41532a28a47aa3cbb89f223e8f3aaa976aecd48bc3e7d6165a55eff62',
    f1: 'd7340dad02b4cb01',
    f1star: 'c6021e2e66accb15',
    f2: '84d89b41db1867ffd4c7ba1d82163f4d526a20fbae5418fbb526940b1eeb905c',
    f3: 'd419676afe5ab58c1d8bee0d43523a4d2f52ef0b31a4676a0c334427a988fe65',
    f4: '205533e505661b61d05cc0eac87818f4',
    f5: 'd7b3d2d4980a',
    f5star: 'ca9655264986',
  },
  {
    set: 6,
    k: SET5_K,
    rand: 'c570aac68cde651fb1e3088322498bef',
    sqn: 'c89bb71f3a41',
    amf: '297d',
    top: SET5_TOP,
    params: { mac: 256, res: 256, ck: 256, ik: 256, iterations: 2 },
    topc: 'b04a66f26c62fcd6c82de22a179ab65506ecf47f56245cd149966cfa9cec7a51',
    f1: '90d2289ed1ca1c3dbc2247bb480d431ac71d2e4a7677f6e997cfddb0cbad88b7',
    f1star: '427355dbac30e825063aba61b556e87583abac638e3ab01c4c884ad9d458dc2f',
    f2: 'd67e6e64590d22eecba7324afa4af4460c93f01b24506d6e12047d789a94c867',
    f3: 'ede57edfc57cdffe1aae75066a1b7479bbc3837438e88d37a801cccc9f972b89',
    f4: '48ed9299126e5057402fe01f9201cf25249f9c5c0ed2afcf084755daff1d3999',
    f5: '6aae8d18c448',
    f5star: '8c5f33b61f4e',
  },
];

/** TS 35.232 Keccak-f[1600] test sets: a 200-byte state before and after one permutation. */
export const KECCAK_VECTORS = [
  {
    name: 'TS 35.232 Keccak test set 1 (a pseudo-random state)',
    input:
      '2476d2dac59e2e9349df3255a9dab1b69eb5c208f151c7309e8c8f17db456d0b5eb0afb6c73e37ce8ccccf20b79d8a67' +
      '294149174809e429709330c4ad231d3e5211ae0bd80520c43ad4b436625792a76c52089d0f739271151a37594df66de4' +
      '429f3c970a3456b6ce2c78cd1128717f4bdb731a4c97dbe5eb7353fe81e37c33ac60b82122eac611a98e0e7442b99964' +
      '752293e4f9c696ba05f07a21451f90730c9678c645ad4be44c4d2d981a3412081c9c6b05c993ff1c561a0d242b4706d5' +
      '01c34765b37a0b50',
    output:
      '2fdc58d4d94a884c1cb03a8e63acab8375e856b561ba3a0625e830acdb55734286646f87189b435425b5d6654e228228' +
      'b697b81cbead655b71aaccc25e3d7e51b5cb5ac227f67f2ad8a062976782b08a7ec3f1b538d6008c0babef83da64366b' +
      '62a53f88a3dc0629bded795f3220f3c65c76bdd01243e88f63d6912e5fb5cda167b71f9baaa742dc193ff78c1767a38a' +
      '1c96408cce169239b077f2903a07b8c46a048d66318e595ea4bb92992c7c2d3dcd381975b6e05f85ba18152096cc30ed' +
      '22140ff3b6711ea7',
  },
  {
    name: 'TS 35.232 Keccak test set 2 (only the first byte 80)',
    input: `80${'00'.repeat(199)}`,
    output:
      '44e0e58ca968975c4c2592a157f53f2124519b010b89e15e301ef58f76501db59cde067f1fde09c0a4b5c210a6a19f06' +
      'ba4c8f0c6fc868f0fc80a63b2553791e41c82278ad115efc70f71d641ff0774aa5d547b6d9914914022c514c45fceca6' +
      '1cb66b0f0313e34988ae0d36737e2c0529907fe653fc4e185d07f3961f826bb88031af844d9e7d9876170363fde76786' +
      'c58ccbcf5c3a01bb914c1b0208a27c7be3bbbbbb9976e040317afc2afbfadc7ba7fc237235c65551aa3139641fa8db2e' +
      '6483f28740b31b61',
  },
];

/**
 * The Keccak team's intermediate values for Keccak-f[1600] (KeccakF-1600-IntermediateValues.txt, the
 * reference the FIPS 202 permutation is checked with): the all-zero state after one and after two
 * permutations, as 25 lanes (64-bit, lane (x, y) at index 5y + x).
 */
export const KECCAK_ZERO_STATE_LANES = {
  once: [
    'f1258f7940e1dde7',
    '84d5ccf933c0478a',
    'd598261ea65aa9ee',
    'bd1547306f80494d',
    '8b284e056253d057',
    'ff97a42d7f8e6fd4',
    '90fee5a0a44647c4',
    '8c5bda0cd6192e76',
    'ad30a6f71b19059c',
    '30935ab7d08ffc64',
    'eb5aa93f2317d635',
    'a9a6e6260d712103',
    '81a57c16dbcf555f',
    '43b831cd0347c826',
    '01f22f1a11a5569f',
    '05e5635a21d9ae61',
    '64befef28cc970f2',
    '613670957bc46611',
    'b87c5a554fd00ecb',
    '8c3ee88a1ccf32c8',
    '940c7922ae3a2614',
    '1841f924a2c509e4',
    '16f53526e70465c2',
    '75f644e97f30a13b',
    'eaf1ff7b5ceca249',
  ],
  twice: [
    '2d5c954df96ecb3c',
    '6a332cd07057b56d',
    '093d8d1270d76b6c',
    '8a20d9b25569d094',
    '4f9c4f99e5e7f156',
    'f957b9a2da65fb38',
    '85773dae1275af0d',
    'faf4f247c3d810f7',
    '1f1b9ee6f79a8759',
    'e4fecc0fee98b425',
    '68ce61b6b9ce68a1',
    'deea66c4ba8f974f',
    '33c43d836eafb1f5',
    'e00654042719dbd9',
    '7cf8a9f009831265',
    'fd5449a6bf174743',
    '97ddad33d8994b40',
    '48ead5fc5d0be774',
    'e3b8c8ee55b7b03c',
    '91a0226e649e42e9',
    '900e3129e7badd7b',
    '202a9ec5faa3cce8',
    '5b3402464e1c3db6',
    '609f4e62a44c1059',
    '20d06cd26a8fbf5c',
  ],
};
