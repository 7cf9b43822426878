export { ERROR_STATUS, type ErrorCode } from './codes.ts';
export { isPatchbayError, notFound, PatchbayError, type PatchbayErrorOptions } from './patchbay-error.ts';
