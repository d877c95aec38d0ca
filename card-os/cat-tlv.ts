// Card Application Toolkit data objects, TS 102 223: the BER-TLV templates of proactive commands and
// envelopes (§9.1), the COMPREHENSION-TLV tags used here (§9.3) and the device identities (§8.7). One place
// for the card's applets and the host's handset side.

/** BER-TLV templates (§9.1). */
export const TAG_PROACTIVE_COMMAND = 0xd0;
export const TAG_SMS_PP_DOWNLOAD = 0xd1;

/** COMPREHENSION-TLV tags (§9.3), without the comprehension-required bit. */
export const CTLV_COMMAND_DETAILS = 0x01;
export const CTLV_DEVICE_IDENTITIES = 0x02;
export const CTLV_RESULT = 0x03;
export const CTLV_ADDRESS = 0x06;
export const CTLV_SMS_TPDU = 0x0b;

/** Device identities (§8.7). */
export const DEV_UICC = 0x81;
export const DEV_TERMINAL = 0x82;
export const DEV_NETWORK = 0x83;
