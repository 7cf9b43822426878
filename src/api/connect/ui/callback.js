// The OAuth callback page's script: posts the outcome rendered into data-* attributes to the
// connect page that opened this popup, only to Patchbay's own origin, then closes the popup.
(() => {
  const result = document.getElementById('result');
  if (!result) return;
  const data = result.dataset;
  const message =
    data.status === 'success'
      ? {
          type: 'patchbay:oauth',
          status: 'success',
          connectionId: data.connectionId,
          integration: data.integration,
          provider: data.provider,
        }
      : {
          type: 'patchbay:oauth',
          status: 'error',
          error: { code: data.errorCode, message: data.errorMessage },
        };
  const opener = window.opener;
  if (!opener || opener.closed) return;
  opener.postMessage(message, data.origin);
  window.close();
})();
