// TS 35.207 / 35.208 Milenage test sets 1-7 (TS 35.208 §4.3, TS 35.207 §6)
// (row 2 is the 35.207 set 2; rows 1, 3-7 are the 35.208 sets of the same numbers).

export interface MilenageVector {
  set: number;
  k: string;
  rand: string;
  sqn: string;
  amf: string;
  op: string;
  opc: string;
  f1: string;
  f1star: string;
  f2: string;
  f5: string;
  f3: string;
  f4: string;
  f5star: string;
}

const rows = [
  '1|465b5ce8b199b49faa5f0a2ee238a6bc|23553cbe9637a89d218ae64dae47bf35|ff9bb4d0b607|b9b9|cdc202d5123e20f62b6d676ac72cb318|cd63cb71954a9f4e48a5994e37a02baf|4a9ffac354dfafb3|01cfaf9ec4e871e9|a54211d5e3ba50bf|aa689c648370|b40ba9a3c58b2a05bbf0d987b21bf8cb|f769bcd751044604127672711c6d3441|451e8beca43b',
  '2|0396eb317b6d1c36f19c1c84cd6ffd16|c00d603103dcee52c4478119494202e8|fd8eef40df7d|af17|ff53bade17df5d4e793073ce9d7579fa|53c15671c60a4b731c55b4a441c0bde2|5df5b31807e258b0|a8c016e51ef4a343|d3a628ed988620f0|c47783995f72|58c433ff7a7082acd424220f2b67c556|21a8c1f929702adb3e738488b9f5c5da|30f1197061c1',
  '3|fec86ba6eb707ed08905757b1bb44b8f|9f7c8d021accf4db213ccff0c7f71a6a|9d0277595ffc|725c|dbc59adcb6f9a0ef735477b7fadf8374|1006020f0a478bf6b699f15c062e42b3|9cabc3e99baf7281|95814ba2b3044324|8011c48c0c214ed2|33484dc2136b|5dbdbb2954e8f3cde665b046179a5098|59a92d3b476a0443487055cf88b2307b|deacdd848cc6',
  '4|9e5944aea94b81165c82fbf9f32db751|ce83dbc54ac0274a157c17f80d017bd6|0b604a81eca8|9e09|223014c5806694c007ca1eeef57f004f|a64a507ae1a2a98bb88eb4210135dc87|74a58220cba84c49|ac2cc74a96871837|f365cd683cd92e96|f0b9c08ad02e|e203edb3971574f5a94b0d61b816345d|0c4524adeac041c4dd830d20854fc46b|6085a86c6f63',
  '5|4ab1deb05ca6ceb051fc98e77d026a84|74b0cd6031a1c8339b2b6ce2b8c4a186|e880a1b580b6|9f07|2d16c5cd1fdf6b22383584e3bef2a8d8|dcf07cbd51855290b92a07a9891e523e|49e785dd12626ef2|9e85790336bb3fa2|5860fc1bce351e7e|31e11a609118|7657766b373d1c2138f307e3de9242f9|1c42e960d89b8fa99f2744e0708ccb53|fe2555e54aa9',
  '6|6c38a116ac280c454f59332ee35c8c4f|ee6466bc96202c5a557abbeff8babf63|414b98222181|4464|1ba00a1a7c6700ac8c3ff3e96ad08725|3803ef5363b947c6aaa225e58fae3934|078adfb488241a57|80246b8d0186bcf1|16c8233f05a0ac28|45b0f69ab06c|3f8c7587fe8e4b233af676aede30ba3b|a7466cc1e6b2a1337d49d3b66e95d7b4|1f53cd2b1113',
  '7|2d609d4db0ac5bf0d2c0de267014de0d|194aa756013896b74b4a2a3b0af4539e|6bf69438c2e4|5f67|460a48385427aa39264aac8efc9e73e8|c35a0ab0bcbfc9252caff15f24efbde0|bd07d3003b9e5cc3|bcb6c2fcad152250|8c25a16cd918a1df|7e6455f34cf3|4cd0846020f8fa0731dd47cbdc6be411|88ab80a415f15c73711254a1d388f696|dc6dd01e8f15',
];

export const MILENAGE_VECTORS: MilenageVector[] = rows.map((row) => {
  const [set, k, rand, sqn, amf, op, opc, f1, f1star, f2, f5, f3, f4, f5star] = row.split('|') as string[];
  return {
    set: Number(set),
    k,
    rand,
    sqn,
    amf,
    op,
    opc,
    f1,
    f1star,
    f2,
    f5,
    f3,
    f4,
    f5star,
  } as MilenageVector;
});
