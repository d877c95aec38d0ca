// The KIc/KID coding (TS 102 225 §5.1.2) is shared with the OTA record format in applets/subscriptions/.
export * from '../subscriptions/kic-kid.js';
