// Public entry of the EF codecs: the table, the lookup and the individual encoders/decoders.

export * from './acc.js';
export * from './access-rule.js';
export * from './admin-data.js';
export * from './alpha.js';
export * from './bcd.js';
export * from './df-5gs.js';
export * from './dialling-number.js';
export * from './dir.js';
export * from './ecc.js';
export * from './iccid.js';
export * from './imsi.js';
export * from './key-ref.js';
export * from './language.js';
export * from './location.js';
export * from './plmn.js';
export * from './records.js';
export * from './security-context.js';
export * from './service-table.js';
export * from './sms.js';
export * from './spn.js';
export * from './table.js';
