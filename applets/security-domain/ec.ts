// P-256 now lives in card-os/crypto/p256.ts, shared by the security domain (SCP11) and the eUICC (SGP.22).
export * from '../../card-os/crypto/p256.js';
