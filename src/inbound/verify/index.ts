/**
 * Inbound verification: `verifyDelivery` (one generic verifier per signature scheme),
 * `answerHandshake` (set-up handshakes) and `readEventMeta` (event ids and types), all pure
 * functions over the delivery's raw bytes.
 */
export { parseBody } from './body.ts';
export { readEventMeta } from './event-meta.ts';
export { answerHandshake } from './handshake.ts';
export { signatureHeaders } from './signature-headers.ts';
export { verifyDelivery } from './verify.ts';
