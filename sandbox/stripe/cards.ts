/**
 * Stripe's test payment methods (`pm_card_visa`, `pm_card_chargeDeclined`…) and what paying with
 * them does. Without a payment method the customer's default is taken: a Visa ending 4242 that
 * succeeds, unless `control.failPayments` made that customer's payments decline.
 */

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  /** Set when paying with this card is declined: Stripe's `decline_code`. */
  decline?: Decline;
}

export interface Decline {
  /** `card_declined`, `expired_card`, `incorrect_cvc`… */
  code: string;
  /** `generic_decline`, `insufficient_funds`… (card_declined only). */
  declineCode?: string;
  message: string;
}

export const GENERIC_DECLINE: Decline = {
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};

const CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', decline: GENERIC_DECLINE },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002', decline: GENERIC_DECLINE },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    decline: {
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    },
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    decline: { code: 'expired_card', message: 'Your card has expired.' },
  },
};

export const DEFAULT_CARD = CARDS.pm_card_visa as TestCard;

/** The test card behind a payment method id; unknown ids pay like `pm_card_visa`. */
export function testCard(paymentMethod: string | null | undefined): TestCard {
  return (paymentMethod && CARDS[paymentMethod]) || DEFAULT_CARD;
}
