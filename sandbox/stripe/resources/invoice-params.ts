/** Parameters invoices and subscriptions share: when a `send_invoice` invoice is due. */
import { invalidRequest } from '../errors.ts';
import type { CollectionMethod } from '../objects/invoice.ts';
import type { Params } from '../params.ts';

const DAY = 24 * 60 * 60;

/**
 * The due date from `days_until_due` (counted from `from`, seconds) or `due_date`. Both belong to
 * `send_invoice` only, and such an invoice needs one of them.
 */
export function readDueDate(params: Params, method: CollectionMethod, from: number): number | null {
  const days = params.nonNegative('days_until_due');
  const dueDate = params.integer('due_date');
  if (method === 'charge_automatically') {
    const given = days !== undefined ? 'days_until_due' : dueDate !== undefined ? 'due_date' : undefined;
    if (given) {
      throw invalidRequest(`You can only set \`${given}\` if \`collection_method\` is \`send_invoice\`.`, {
        param: given,
      });
    }
    return null;
  }
  if (days !== undefined && dueDate !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: days_until_due, due_date.', {
      code: 'parameters_exclusive',
    });
  }
  if (dueDate !== undefined) return dueDate;
  if (days === undefined) {
    throw invalidRequest(
      'Missing required param: days_until_due. Invoices with `collection_method=send_invoice` need `days_until_due` or `due_date`.',
      { code: 'parameter_missing', param: 'days_until_due' },
    );
  }
  return from + days * DAY;
}

/** `days_until_due` for subscriptions (the number itself is kept there). */
export function readDaysUntilDue(params: Params, method: CollectionMethod): number | null {
  const days = params.nonNegative('days_until_due');
  if (method === 'charge_automatically') {
    if (days !== undefined) {
      throw invalidRequest('You can only set `days_until_due` if `collection_method` is `send_invoice`.', {
        param: 'days_until_due',
      });
    }
    return null;
  }
  if (days === undefined)
    throw invalidRequest('Missing required param: days_until_due.', {
      code: 'parameter_missing',
      param: 'days_until_due',
    });
  return days;
}
