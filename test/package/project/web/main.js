// A host app's page: the connect button, with `connect` from the SDK's browser half.
import { connect } from 'patchbay/sdk';

const result = document.querySelector('#result');
document.querySelector('#connect').addEventListener('click', async () => {
  const session = await (await fetch('/api/patchbay/connect-session', { method: 'POST' })).json();
  try {
    const { connectionId } = await connect({ sessionToken: session.token, baseUrl: 'http://127.0.0.1:4400' });
    result.textContent = `Connected: ${connectionId}`;
  } catch (error) {
    result.textContent = `Not connected (${error.code})`;
  }
});
