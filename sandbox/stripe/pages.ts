/**
 * The pages Stripe hosts for buyers, served by the emulator so its URLs lead somewhere: the
 * hosted invoice page (with a Pay button) and its PDF, the Checkout page of a session (Pay
 * completes it and redirects to `success_url`), payment links (each visit opens a session), and
 * charge receipts. Buttons pay with the default test card.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml, redirect, sendHtml } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { type StripeCore, scopeOf } from './context.ts';
import { StripeApiError } from './errors.ts';
import { checkoutUrl } from './objects/checkout-session.ts';
import { invoiceTotal } from './objects/invoice.ts';
import { completeSession, sessionForLink } from './ops/checkout.ts';
import { payInvoice } from './ops/invoice-payment.ts';
import { simplePdf } from './pdf.ts';
import type { AccountState } from './state.ts';

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  sendHtml(
    res,
    status,
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

function notFound(res: ServerResponse): void {
  page(res, 404, 'Not found', '<p>Nothing here.</p>');
}

/** `/prefix/<account>/<id>[/<action>]` → its parts and the account, if known. */
function parts(core: StripeCore, pathname: string, prefix: string) {
  const [accountId = '', id = '', action] = pathname.slice(prefix.length).split('/').map(decodeURIComponent);
  return { account: core.accounts.get(accountId), id, action };
}

export function mountPages(router: Router, core: StripeCore): void {
  router.prefix('/i/', (req, res, url) => {
    const { account, id, action } = parts(core, url.pathname, '/i/');
    const invoice = account?.invoices.get(id);
    if (!account || !invoice || invoice.status === 'draft') return notFound(res);
    if (req.method === 'POST' && action === 'pay') {
      return tryPay(
        res,
        () => payInvoice(scopeOf(core, account), invoice, { platform: undefined }),
        url.pathname.slice(0, -4),
      );
    }
    const payable = invoice.status === 'open' || invoice.status === 'uncollectible';
    page(
      res,
      200,
      `Invoice ${invoice.number ?? invoice.id}`,
      `<p>${escapeHtml(account.info.name ?? account.id)}</p><p>Amount: ${money(invoiceTotal(invoice), invoice.currency)}</p><p>Status: ${invoice.status}</p>` +
        (payable
          ? `<form method="post" action="${escapeHtml(url.pathname)}/pay"><button>Pay</button></form>`
          : ''),
    );
  });

  router.prefix('/invoice/', (_req, res, url) => {
    const { account, id, action } = parts(core, url.pathname, '/invoice/');
    const invoice = account?.invoices.get(id);
    if (!account || !invoice || invoice.status === 'draft' || action !== 'pdf') return notFound(res);
    const pdf = simplePdf([
      `Invoice ${invoice.number ?? invoice.id}`,
      `From: ${account.info.name ?? account.id}`,
      `To: ${invoice.customerName ?? invoice.customerEmail ?? invoice.customer}`,
      ...invoice.lines.map(
        (line) => `${line.description ?? 'Item'}: ${money(line.unitAmount * line.quantity, line.currency)}`,
      ),
      `Total: ${money(invoiceTotal(invoice), invoice.currency)}`,
      `Status: ${invoice.status}`,
    ]);
    res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': pdf.length });
    res.end(pdf);
  });

  router.prefix('/c/pay/', (req, res, url) => {
    const { account, id } = parts(core, url.pathname, '/c/pay/');
    const session = account?.checkoutSessions.get(id);
    if (!account || !session) return notFound(res);
    if (req.method === 'POST') {
      const success = session.successUrl?.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
      return tryPay(res, () => completeSession(scopeOf(core, account), session), success ?? url.pathname);
    }
    const lines = session.lines
      .map((line) => `<li>${escapeHtml(line.description)} × ${line.quantity}</li>`)
      .join('');
    page(
      res,
      200,
      `Pay ${account.info.name ?? account.id}`,
      `<ul>${lines}</ul><p>Total: ${money(session.amountTotal, session.currency)}</p><p>Status: ${session.status}</p>` +
        (session.status === 'open' ? `<form method="post"><button>Pay</button></form>` : ''),
    );
  });

  router.prefix('/b/', (_req, res, url) => {
    const { account, id } = parts(core, url.pathname, '/b/');
    const link = account && findLink(account, id);
    if (!account || !link?.active) return notFound(res);
    const scope = scopeOf(core, account);
    redirect(res, checkoutUrl(sessionForLink(scope, link), scope), 303);
  });

  router.prefix('/receipts/', (_req, res, url) => {
    const { account, id } = parts(core, url.pathname, '/receipts/');
    const charge = account?.charges.get(id);
    if (!account || !charge) return notFound(res);
    page(
      res,
      200,
      `Receipt from ${account.info.name ?? account.id}`,
      `<p>Amount paid: ${money(charge.amount, charge.currency)}</p><p>Refunded: ${money(charge.amountRefunded, charge.currency)}</p><p>Card: ${charge.card.brand} •••• ${charge.card.last4}</p>`,
    );
  });
}

function findLink(account: AccountState, code: string) {
  return account.paymentLinks.values().find((link) => link.code === code);
}

function tryPay(res: ServerResponse, pay: () => void, next: string): void {
  try {
    pay();
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    page(res, error.status, 'Payment failed', `<p>${escapeHtml(error.message)}</p>`);
    return;
  }
  redirect(res, next, 303);
}
