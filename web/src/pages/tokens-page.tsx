import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { CreatedToken, Role, Token } from '../api/types.js';
import { Badge, RoleBadges, type Tone } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { RoleCheckboxes } from '../components/role-checkboxes.js';
import { Spinner } from '../components/spinner.js';
import { formatDateTime } from '../format.js';
import { useResource } from '../use-resource.js';

type TokenStatus = 'active' | 'expired' | 'revoked';

function tokenStatus(token: Token, now: number): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

const STATUS_TONE: Record<TokenStatus, Tone> = { active: 'success', expired: 'warning', revoked: 'neutral' };

function CreateTokenForm({ onCreated, onCancel }: { onCreated(created: CreatedToken): void; onCancel(): void }) {
  const { t } = useTranslation();
  const loadUsers = useCallback((signal: AbortSignal) => api.users(signal), []);
  const users = useResource(loadUsers);
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [expiresInDays, setExpiresInDays] = useState('90');
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  const activeUsers = (users.data?.items ?? []).filter((user) => !user.disabled);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const days = expiresInDays.trim() === '' ? undefined : Number(expiresInDays);
      onCreated(
        await api.createToken({
          username: username.trim(),
          name: name.trim(),
          roles: roles.length > 0 ? roles : undefined,
          expiresInDays: days,
        }),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <section className="card" aria-labelledby="create-token-title">
      <h2 id="create-token-title" className="card__title">
        {t('tokens.create.title')}
      </h2>
      <form className="form" onSubmit={(event) => void handleSubmit(event)} data-testid="create-token-form">
        <ProblemAlert error={error} testId="create-token-error" />
        <div className="form__row">
          <div className="field">
            <label htmlFor="new-token-user">{t('tokens.fields.user')}</label>
            {users.error ? (
              <input
                id="new-token-user"
                required
                autoCapitalize="none"
                spellCheck={false}
                value={username}
                onChange={(event) => setUsername(event.target.value)}
                data-testid="new-token-user"
              />
            ) : (
              <select
                id="new-token-user"
                required
                value={username}
                onChange={(event) => setUsername(event.target.value)}
                data-testid="new-token-user"
              >
                <option value="">{users.loading ? t('common.loading') : t('tokens.fields.chooseUser')}</option>
                {activeUsers.map((user) => (
                  <option key={user.id} value={user.username}>
                    {user.displayName && user.displayName !== user.username
                      ? `${user.displayName} (${user.username})`
                      : user.username}
                  </option>
                ))}
              </select>
            )}
          </div>
          <div className="field">
            <label htmlFor="new-token-name">{t('tokens.fields.name')}</label>
            <input
              id="new-token-name"
              required
              autoComplete="off"
              aria-describedby="new-token-name-hint"
              value={name}
              onChange={(event) => setName(event.target.value)}
              data-testid="new-token-name"
            />
            <p className="field__hint" id="new-token-name-hint">
              {t('tokens.fields.nameHint')}
            </p>
          </div>
          <div className="field field--narrow">
            <label htmlFor="new-token-expiry">{t('tokens.fields.expiresInDays')}</label>
            <input
              id="new-token-expiry"
              type="number"
              min={1}
              max={3650}
              inputMode="numeric"
              aria-describedby="new-token-expiry-hint"
              value={expiresInDays}
              onChange={(event) => setExpiresInDays(event.target.value)}
              data-testid="new-token-expiry"
            />
            <p className="field__hint" id="new-token-expiry-hint">
              {t('tokens.fields.expiresHint')}
            </p>
          </div>
        </div>
        <RoleCheckboxes
          legend={t('tokens.fields.roles')}
          hint={t('tokens.fields.rolesHint')}
          value={roles}
          onChange={setRoles}
          testIdPrefix="new-token-role"
        />
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={submitting}
            data-testid="create-token-submit"
          >
            {submitting ? t('common.saving') : t('tokens.create.submit')}
          </button>
          <button type="button" className="button button--ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The secret exists only in this response: the node keeps a hash. Say so plainly and make copying easy. */
function OneTimeSecret({ created, onDismiss }: { created: CreatedToken; onDismiss(): void }) {
  const { t } = useTranslation();
  return (
    <section className="secret" aria-labelledby="secret-title" data-testid="token-secret-panel">
      <h2 id="secret-title" className="secret__title">
        {t('tokens.secret.title', { name: created.token.name })}
      </h2>
      <p className="secret__warning" role="alert">
        {t('tokens.secret.warning')}
      </p>
      <div className="secret__value">
        <code className="breakable" data-testid="token-secret">
          {created.secret}
        </code>
        <CopyButton value={created.secret} label={t('tokens.secret.copy')} testId="copy-token-secret" />
      </div>
      <p className="field__hint">{t('tokens.secret.usage')}</p>
      <button type="button" className="button" onClick={onDismiss} data-testid="token-secret-dismiss">
        {t('tokens.secret.dismiss')}
      </button>
    </section>
  );
}

export function TokensPage() {
  const { t, i18n } = useTranslation();
  const load = useCallback((signal: AbortSignal) => api.tokens(signal), []);
  const tokens = useResource(load);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [now] = useState(() => Date.now());

  async function revoke(token: Token) {
    setBusy(token.id);
    setActionError(null);
    try {
      await api.revokeToken(token.id);
      setNotice(t('tokens.notice.revoked', { name: token.name }));
      setConfirming(null);
      tokens.reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(null);
    }
  }

  const items = tokens.data?.items ?? [];

  return (
    <>
      <PageHeader
        title={t('tokens.title')}
        description={t('tokens.description')}
        actions={
          creating ? null : (
            <button
              type="button"
              className="button button--primary"
              onClick={() => {
                setCreating(true);
                setCreated(null);
                setNotice(null);
              }}
              data-testid="new-token"
            >
              {t('tokens.create.open')}
            </button>
          )
        }
      />
      {created ? <OneTimeSecret created={created} onDismiss={() => setCreated(null)} /> : null}
      {notice ? (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      ) : null}
      <ProblemAlert error={actionError} />
      {creating ? (
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            tokens.reload();
          }}
        />
      ) : null}

      <ProblemAlert error={tokens.error} />
      {!tokens.data && tokens.loading ? <Spinner /> : null}
      {tokens.data ? (
        <div className="table-wrap">
          <table className="table" data-testid="tokens-table">
            <caption>{t('tokens.caption', { count: items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('tokens.columns.name')}</th>
                <th scope="col">{t('tokens.columns.user')}</th>
                <th scope="col">{t('tokens.columns.roles')}</th>
                <th scope="col">{t('tokens.columns.created')}</th>
                <th scope="col">{t('tokens.columns.expires')}</th>
                <th scope="col">{t('tokens.columns.lastUsed')}</th>
                <th scope="col">{t('tokens.columns.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={8} className="table__empty">
                    {t('tokens.empty')}
                  </td>
                </tr>
              ) : null}
              {items.map((token) => {
                const status = tokenStatus(token, now);
                return (
                  <tr
                    key={token.id}
                    data-testid={`token-row-${token.name}`}
                    className={status === 'active' ? undefined : 'table__row--muted'}
                  >
                    <th scope="row">
                      <span className="cell-primary">{token.name}</span>
                    </th>
                    <td>{token.username}</td>
                    <td>
                      <RoleBadges roles={token.roles} />
                    </td>
                    <td className="nowrap">{formatDateTime(token.createdAt, i18n.language)}</td>
                    <td className="nowrap">
                      {token.expiresAt ? formatDateTime(token.expiresAt, i18n.language) : t('tokens.never')}
                    </td>
                    <td className="nowrap">
                      {token.lastUsedAt ? formatDateTime(token.lastUsedAt, i18n.language) : t('tokens.neverUsed')}
                    </td>
                    <td>
                      <Badge tone={STATUS_TONE[status]} testId={`token-status-${token.name}`}>
                        {t(`tokens.status.${status}`)}
                      </Badge>
                    </td>
                    <td className="table__actions">
                      {status === 'active' && confirming !== token.id ? (
                        <button
                          type="button"
                          className="button button--small button--danger-ghost"
                          onClick={() => setConfirming(token.id)}
                          data-testid={`revoke-token-${token.name}`}
                        >
                          {t('tokens.actions.revoke')}
                          <span className="visually-hidden"> {token.name}</span>
                        </button>
                      ) : null}
                      {confirming === token.id ? (
                        <span
                          className="confirm"
                          role="group"
                          aria-label={t('tokens.actions.confirmLabel', { name: token.name })}
                        >
                          <span className="confirm__question">{t('tokens.actions.confirmQuestion')}</span>
                          <button
                            type="button"
                            className="button button--small button--danger"
                            onClick={() => void revoke(token)}
                            disabled={busy === token.id}
                            data-testid={`confirm-revoke-${token.name}`}
                          >
                            {t('tokens.actions.confirm')}
                          </button>
                          <button
                            type="button"
                            className="button button--small button--ghost"
                            onClick={() => setConfirming(null)}
                          >
                            {t('common.cancel')}
                          </button>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
