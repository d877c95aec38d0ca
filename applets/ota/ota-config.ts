// The OTA configuration records are shared with the key-slot store, so their format lives in
// applets/subscriptions/ota-records.ts; host code and tests keep importing them from here.
export * from '../subscriptions/ota-records.js';
