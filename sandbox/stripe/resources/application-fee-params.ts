/**
 * The platform's cut of a payment, as parameters: `application_fee_amount` (payment intents,
 * checkout sessions, payment links) and `application_fee_percent` (subscriptions, payment links).
 * Stripe takes them only from a platform acting on a connected account — with `Stripe-Account`
 * or the account's OAuth access token — and refuses them otherwise.
 */
import { invalidRequest } from '../errors.ts';
import type { Params } from '../params.ts';
import type { Call } from '../routes.ts';

const NOT_CONNECTED =
  'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).';

/** `application_fee_amount`, at most `amount`; null when not sent. */
export function readApplicationFee(
  call: Call,
  params: Params,
  amount: number,
  key = 'application_fee_amount',
) {
  const fee = params.nonNegative(key);
  if (fee === undefined) return null;
  if (!call.platform) throw invalidRequest(NOT_CONNECTED, { param: params.name(key) });
  if (fee > amount) {
    throw invalidRequest('The application fee cannot be greater than the amount.', {
      param: params.name(key),
    });
  }
  return fee;
}

/** `application_fee_percent`, a decimal from 0 to 100; null when not sent. */
export function readApplicationFeePercent(call: Call, params: Params): number | null {
  const key = 'application_fee_percent';
  const text = params.decimal(key);
  if (text === undefined) return null;
  if (!call.platform) {
    throw invalidRequest(
      'Can only apply an application_fee_percent on behalf of a connected account (using an OAuth key or the Stripe-Account header).',
      { param: params.name(key) },
    );
  }
  const percent = Number(text);
  if (percent < 0 || percent > 100) {
    throw invalidRequest('application_fee_percent must be between 0 and 100.', { param: params.name(key) });
  }
  return percent;
}
