// The prefixes alone, without the id factory (node:crypto, ulid): the API contract needs them to
// validate ids, and the SDK, which is bundled for browsers too, imports the contract.

/**
 * Every kind of row has its own id prefix, so an id says what it is in logs and URLs, and an id of
 * the wrong kind is rejected at the edge (400 `invalid_id`) before any query runs.
 */
export const ID_PREFIXES = {
  environment: 'env',
  apiKey: 'key',
  integration: 'int',
  connection: 'conn',
  connectSession: 'cs',
  event: 'evt',
  endpoint: 'ep',
  message: 'msg',
  attempt: 'atm',
  inboundEvent: 'in',
  syncRun: 'run',
  actionRun: 'act',
  job: 'job',
  schedule: 'sch',
  request: 'req',
  notification: 'ntf',
  operator: 'op',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];
