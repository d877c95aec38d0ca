// The UE operation mode byte of EF.AD: byte 1 of the USIM's (TS 31.102 §4.2.18) and of the ISIM's
// (TS 31.103 §4.2.5) administrative data.

export const UE_OPERATION_MODES = {
  normal: 0x00,
  'type-approval': 0x80,
  'normal-specific-facilities': 0x01,
  'type-approval-specific-facilities': 0x81,
  maintenance: 0x02,
  'cell-test': 0x04,
} as const;
export type OperationMode = keyof typeof UE_OPERATION_MODES;
export const OPERATION_MODE_NAMES = Object.keys(UE_OPERATION_MODES) as OperationMode[];
