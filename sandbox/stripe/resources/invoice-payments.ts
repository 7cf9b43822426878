/**
 * `GET /v1/invoice_payments?invoice=…` (the `url` of an invoice's `payments`) and
 * `GET /v1/invoice_payments/:id`: the payments made towards an invoice, newest first.
 */
import { noSuch } from '../errors.ts';
import { arrayPage } from '../list.ts';
import { invoicePaymentJson } from '../objects/invoice.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

export function invoicePaymentRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/invoice_payments', ({ scope, params }) => {
    const id = params.requiredString('invoice');
    const invoice = find(scope.account.invoices, id, 'invoice', 'invoice');
    const payments = [...invoice.payments].reverse();
    return arrayPage(payments, params, `/v1/invoice_payments?invoice=${id}`, 'invoice payment', (payment) =>
      invoicePaymentJson(payment, invoice),
    );
  });

  routes.add('GET', '/v1/invoice_payments/:id', ({ scope, params, path }) => {
    params.done();
    const id = path.id as string;
    for (const invoice of scope.account.invoices.values()) {
      const payment = invoice.payments.find((candidate) => candidate.id === id);
      if (payment) return invoicePaymentJson(payment, invoice);
    }
    throw noSuch('invoice payment', id);
  });
}
