/**
 * Sign-in: an environment's secret API key, or an operator's email and password. The key is sent
 * once to POST /v1/dashboard/session and never stored: the session lives in an httpOnly cookie.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { api, call } from '../api/http.ts';
import { ErrorState } from '../components/states.tsx';
import { useSessionChanged } from '../session.tsx';

const keySchema = z.object({
  apiKey: z
    .string()
    .trim()
    .regex(/^pb_sk_\S+$/, 'A secret key starts with pb_sk_'),
});
const accountSchema = z.object({
  email: z.email('Enter the email of your operator account'),
  password: z.string().min(1, 'Enter your password'),
});

type Method = 'key' | 'account';

export function SignIn() {
  const [method, setMethod] = useState<Method>('key');
  const changed = useSessionChanged();
  const signIn = useMutation({
    mutationFn: (body: { apiKey: string } | { email: string; password: string }) =>
      call(() => api.v1.createDashboardSession(body)),
    onSuccess: changed,
  });
  const keyForm = useForm({ resolver: zodResolver(keySchema), defaultValues: { apiKey: '' } });
  const accountForm = useForm({
    resolver: zodResolver(accountSchema),
    defaultValues: { email: '', password: '' },
  });

  return (
    <main className="sign-in">
      <h1>Patchbay</h1>
      <p>Sign in to the operator dashboard.</p>
      <div role="tablist" aria-label="How to sign in" className="tabs">
        {(['key', 'account'] as const).map((value) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={method === value}
            onClick={() => setMethod(value)}
          >
            {value === 'key' ? 'Secret API key' : 'Operator account'}
          </button>
        ))}
      </div>
      {method === 'key' ? (
        <form onSubmit={keyForm.handleSubmit((values) => signIn.mutate(values))} noValidate>
          <label htmlFor="api-key">Secret API key of an environment</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="pb_sk_dev_…"
            aria-invalid={keyForm.formState.errors.apiKey ? true : undefined}
            aria-describedby="api-key-help"
            {...keyForm.register('apiKey')}
          />
          <p id="api-key-help" className="help">
            {keyForm.formState.errors.apiKey?.message ??
              'Exchanged for a session cookie; the key is not kept by the browser.'}
          </p>
          <button type="submit" disabled={signIn.isPending}>
            Sign in
          </button>
        </form>
      ) : (
        <form onSubmit={accountForm.handleSubmit((values) => signIn.mutate(values))} noValidate>
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            aria-invalid={accountForm.formState.errors.email ? true : undefined}
            {...accountForm.register('email')}
          />
          {accountForm.formState.errors.email ? (
            <p className="help">{accountForm.formState.errors.email.message}</p>
          ) : null}
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            aria-invalid={accountForm.formState.errors.password ? true : undefined}
            {...accountForm.register('password')}
          />
          {accountForm.formState.errors.password ? (
            <p className="help">{accountForm.formState.errors.password.message}</p>
          ) : null}
          <button type="submit" disabled={signIn.isPending}>
            Sign in
          </button>
        </form>
      )}
      {signIn.isError ? <ErrorState error={signIn.error} /> : null}
    </main>
  );
}
