import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import { useSession } from '../auth/session.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { Logo } from '../components/logo.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { rememberedAdministration } from '../node-info.js';
import { Link, navigate, useLocation } from '../router.js';

/** Where to go after signing in: the page asked for, if it is one of ours. */
function safeNext(next: string | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')) return next;
  return '/node';
}

export function LoginPage() {
  const { t } = useTranslation();
  const { state, login } = useSession();
  const { search } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [administration, setAdministration] = useState(rememberedAdministration);

  // The node may say which administration it serves before sign-in; otherwise we show what this browser last saw.
  useEffect(() => {
    const controller = new AbortController();
    api
      .health(controller.signal)
      .then((health) => {
        if (health?.administration) setAdministration(health.administration);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  useEffect(() => {
    document.title = administration
      ? `${t('login.documentTitle')} — Concord ${administration}`
      : `${t('login.documentTitle')} — Concord`;
  }, [administration, t]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (failure) {
      setError(failure);
      setPassword('');
    } finally {
      setSubmitting(false);
    }
  }

  const reason = state.status === 'anonymous' ? state.reason : undefined;

  return (
    <div className="login">
      <div className="login__language">
        <LanguageSwitch />
      </div>
      <main className="login__panel">
        <div className="login__brand">
          <Logo size={44} />
          <h1 className="login__title" data-testid="login-title">
            Concord
            {administration ? (
              <>
                {' — '}
                <span data-testid="login-administration">{administration}</span>
              </>
            ) : null}
          </h1>
          <p className="login__subtitle">{t('login.subtitle')}</p>
        </div>

        {reason === 'expired' && !error ? (
          <p className="alert alert--info" role="status">
            {t('login.sessionExpired')}
          </p>
        ) : null}
        {reason === 'signed-out' && !error ? (
          <p className="alert alert--success" role="status" data-testid="signed-out">
            {t('login.signedOut')}
          </p>
        ) : null}

        <form
          className="form"
          onSubmit={(event) => void handleSubmit(event)}
          noValidate={false}
          data-testid="login-form"
        >
          <h2 className="login__heading">{t('login.heading')}</h2>
          <ProblemAlert error={error} testId="login-error" />
          <div className="field">
            <label htmlFor="login-username">{t('login.username')}</label>
            <input
              id="login-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              data-testid="login-username"
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              data-testid="login-password"
            />
          </div>
          <button
            type="submit"
            className="button button--primary button--block"
            disabled={submitting}
            data-testid="login-submit"
          >
            {submitting ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p className="login__verify">
          {t('login.verifyPrompt')}{' '}
          <Link to="/verify" data-testid="login-verify-link">
            {t('login.verifyLink')}
          </Link>
        </p>
        <p className="login__footer">{t('login.footer')}</p>
      </main>
    </div>
  );
}
