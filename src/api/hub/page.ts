/**
 * The hub page's HTML, rendered per request with the texts of the session's locale (the page
 * carries no inline script or style: texts, theme and colour scheme reach hub.js through `data-*`
 * attributes, escaped here).
 */
import type { HubOptions } from '../../hub/options.ts';
import { hubTexts } from '../../hub/texts.ts';
import { escapeHtml } from '../connect/flow-html.ts';

export type ColorScheme = 'auto' | 'light' | 'dark';

/** The page for a session's options (none when the token is missing or invalid: English, auto). */
export function hubPage(options: HubOptions | null, scheme: ColorScheme): string {
  const { locale, texts } = hubTexts(options?.locale, options?.texts ?? {});
  const t = (key: keyof typeof texts) => escapeHtml(texts[key]);
  const data = (value: unknown) => escapeHtml(JSON.stringify(value ?? {}));
  return `<!doctype html>
<html lang="${escapeHtml(locale)}" data-scheme="${scheme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t('page.title')}</title>
<link rel="stylesheet" href="hub/assets/hub.css">
<script src="hub/assets/hub.js" defer></script>
</head>
<body>
<main id="app" class="card hub" aria-busy="true" data-texts="${data(texts)}" data-theme="${data(options?.theme)}" data-dark-theme="${data(options?.darkTheme)}">
  <header>
    <h1 id="title" tabindex="-1">${t('page.title')}</h1>
    <p id="subtitle" class="muted">${t('page.loading')}</p>
    <p id="plan" class="plan" hidden></p>
  </header>

  <p id="status" class="status" role="status" aria-live="polite"></p>
  <div id="error" class="error" role="alert" hidden>
    <p id="error-text"></p>
  </div>

  <div id="list" hidden>
    <div id="categories"></div>
    <p id="empty" class="muted" hidden>${t('page.empty')}</p>
    <section id="usage" class="usage" aria-labelledby="usage-title" hidden>
      <h2 id="usage-title">${t('usage.title')}</h2>
      <dl id="usage-list" class="facts"></dl>
      <p id="usage-resets" class="muted"></p>
    </section>
  </div>

  <section id="detail" aria-labelledby="detail-title" hidden>
    <button type="button" id="back" class="link">${t('action.back')}</button>
    <div class="selected">
      <img id="detail-logo" class="logo" alt="" width="40" height="40">
      <h2 id="detail-title" tabindex="-1"></h2>
    </div>
    <dl id="detail-facts" class="facts"></dl>
    <div id="detail-actions" class="actions"></div>
    <div id="confirm" class="confirm" role="group" aria-labelledby="confirm-text" hidden>
      <p id="confirm-text"></p>
      <div class="actions">
        <button type="button" id="confirm-yes" class="danger">${t('action.confirmDisconnect')}</button>
        <button type="button" id="confirm-no" class="secondary">${t('action.keep')}</button>
      </div>
    </div>
    <h3 id="runs-title">${t('detail.runs')}</h3>
    <div id="runs"></div>
    <h3 id="mappings-title">${t('detail.mappings')}</h3>
    <div id="mappings"></div>
  </section>

  <footer>
    <button type="button" id="close" class="link">${t('page.close')}</button>
    <span class="muted">${t('page.securedBy')}</span>
  </footer>
  <noscript><p class="error">${t('page.noScript')}</p></noscript>
</main>
</body>
</html>
`;
}
