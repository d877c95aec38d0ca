// Service tables (EF.UST, EF.EST, EF.IST): the coding is the card side's (card-os/service-table.ts), shared
// with the ISIM's codec; this adds the value a person writes, a list of service numbers.

import { decimal, list } from './values.js';

export { decodeServiceTable, encodeServiceTable } from '../../card-os/service-table.js';

export const serviceListValue = list(decimal(1, 2040));
