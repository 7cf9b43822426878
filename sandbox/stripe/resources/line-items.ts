/**
 * `line_items[i][price]` or `line_items[i][price_data][…]` with `quantity`, as checkout sessions
 * and payment links take them. `price_data` makes an inline price (and with `product_data` an
 * inline product), as Stripe does.
 */
import type { Scope } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import type { PriceRecord } from '../objects/price.ts';
import type { Params } from '../params.ts';
import { find } from './lookup.ts';
import { createPrice, readCurrency, readProduct, readRecurring, readUnitAmount } from './prices.ts';

export interface LineItemInput {
  price: PriceRecord;
  quantity: number;
}

export function readLineItems(scope: Scope, params: Params, allowPriceData = true): LineItemInput[] {
  const items = params.list('line_items');
  if (!items || items.length === 0) throw parameterMissing('line_items');
  return items.map((item) => {
    const id = item.string('price');
    const data = allowPriceData ? item.object('price_data') : undefined;
    if (id !== undefined && data !== undefined) {
      throw invalidRequest('You may only specify one of these parameters: price, price_data.', {
        code: 'parameters_exclusive',
        param: item.name('price'),
      });
    }
    const quantity = item.nonNegative('quantity', 1);
    if (quantity === undefined) throw parameterMissing(item.name('quantity'));
    if (id !== undefined)
      return { price: find(scope.account.prices, id, 'price', item.name('price')), quantity };
    if (!data) throw parameterMissing(item.name('price'));
    const currency = readCurrency(data);
    const unitAmount = readUnitAmount(data);
    const recurring = readRecurring(data);
    const product = readProduct(scope, data);
    data.enumeration('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const);
    return {
      price: createPrice(scope, { currency, unitAmount, recurring, product, active: false }),
      quantity,
    };
  });
}
