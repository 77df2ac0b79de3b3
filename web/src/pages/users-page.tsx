import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { Role, User } from '../api/types.js';
import { useMe } from '../auth/session.js';
import { Badge, RoleBadges } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { RoleCheckboxes } from '../components/role-checkboxes.js';
import { Spinner } from '../components/spinner.js';
import { formatDateTime } from '../format.js';
import { useResource } from '../use-resource.js';

/** The node refuses shorter passwords with IDENTITY_PASSWORD_WEAK; saying so up front saves a round trip. */
const MIN_PASSWORD_LENGTH = 12;

function CreateUserForm({ onCreated, onCancel }: { onCreated(user: User): void; onCancel(): void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(['officer']);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const user = await api.createUser({
        username: username.trim(),
        displayName: displayName.trim() || undefined,
        password,
        roles,
      });
      onCreated(user);
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <section className="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title" className="card__title">
        {t('users.create.title')}
      </h2>
      <form className="form" onSubmit={(event) => void handleSubmit(event)} data-testid="create-user-form">
        <ProblemAlert error={error} testId="create-user-error" />
        <div className="form__row">
          <div className="field">
            <label htmlFor="new-user-username">{t('users.fields.username')}</label>
            <input
              id="new-user-username"
              required
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              data-testid="new-user-username"
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-display-name">
              {t('users.fields.displayName')} <span className="field__optional">{t('common.optional')}</span>
            </label>
            <input
              id="new-user-display-name"
              autoComplete="off"
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
              data-testid="new-user-display-name"
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-password">{t('users.fields.password')}</label>
            <input
              id="new-user-password"
              type="password"
              required
              minLength={MIN_PASSWORD_LENGTH}
              autoComplete="new-password"
              aria-describedby="new-user-password-hint"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              data-testid="new-user-password"
            />
            <p className="field__hint" id="new-user-password-hint">
              {t('users.fields.passwordHint', { count: MIN_PASSWORD_LENGTH })}
            </p>
          </div>
        </div>
        <RoleCheckboxes
          legend={t('users.fields.roles')}
          value={roles}
          onChange={setRoles}
          testIdPrefix="new-user-role"
        />
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={submitting}
            data-testid="create-user-submit"
          >
            {submitting ? t('common.saving') : t('users.create.submit')}
          </button>
          <button type="button" className="button button--ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

function EditUserRow({ user, onSaved, onCancel }: { user: User; onSaved(user: User): void; onCancel(): void }) {
  const { t } = useTranslation();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const changes: Parameters<typeof api.updateUser>[1] = { roles };
      if (displayName.trim() !== user.displayName) changes.displayName = displayName.trim();
      if (password) changes.password = password;
      onSaved(await api.updateUser(user.id, changes));
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  const prefix = `edit-${user.id}`;
  return (
    <tr className="table__editor">
      <td colSpan={5}>
        <form
          className="form"
          onSubmit={(event) => void handleSubmit(event)}
          aria-label={t('users.edit.title', { username: user.username })}
          data-testid={`edit-user-form-${user.username}`}
        >
          <h3 className="form__title">{t('users.edit.title', { username: user.username })}</h3>
          <ProblemAlert error={error} />
          <div className="form__row">
            <div className="field">
              <label htmlFor={`${prefix}-display-name`}>{t('users.fields.displayName')}</label>
              <input
                id={`${prefix}-display-name`}
                value={displayName}
                onChange={(event) => setDisplayName(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${prefix}-password`}>
                {t('users.edit.newPassword')} <span className="field__optional">{t('common.optional')}</span>
              </label>
              <input
                id={`${prefix}-password`}
                type="password"
                minLength={MIN_PASSWORD_LENGTH}
                autoComplete="new-password"
                aria-describedby={`${prefix}-password-hint`}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <p className="field__hint" id={`${prefix}-password-hint`}>
                {t('users.edit.passwordHint', { count: MIN_PASSWORD_LENGTH })}
              </p>
            </div>
          </div>
          <RoleCheckboxes
            legend={t('users.fields.roles')}
            value={roles}
            onChange={setRoles}
            testIdPrefix={`edit-role-${user.username}`}
          />
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={submitting}>
              {submitting ? t('common.saving') : t('common.save')}
            </button>
            <button type="button" className="button button--ghost" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </td>
    </tr>
  );
}

export function UsersPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const load = useCallback((signal: AbortSignal) => api.users(signal), []);
  const users = useResource(load);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function toggleDisabled(user: User) {
    setBusy(user.id);
    setActionError(null);
    setNotice(null);
    try {
      const updated = await api.updateUser(user.id, { disabled: !user.disabled });
      setNotice(t(updated.disabled ? 'users.notice.disabled' : 'users.notice.enabled', { username: user.username }));
      users.reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(null);
    }
  }

  const items = users.data?.items ?? [];

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        actions={
          creating ? null : (
            <button
              type="button"
              className="button button--primary"
              onClick={() => {
                setCreating(true);
                setNotice(null);
              }}
              data-testid="new-user"
            >
              {t('users.create.open')}
            </button>
          )
        }
      />
      {notice ? (
        <p className="alert alert--success" role="status" data-testid="users-notice">
          {notice}
        </p>
      ) : null}
      <ProblemAlert error={actionError} />
      {creating ? (
        <CreateUserForm
          onCancel={() => setCreating(false)}
          onCreated={(user) => {
            setCreating(false);
            setNotice(t('users.notice.created', { username: user.username }));
            users.reload();
          }}
        />
      ) : null}

      <ProblemAlert error={users.error} />
      {!users.data && users.loading ? <Spinner /> : null}
      {users.data ? (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <caption>{t('users.caption', { count: items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('users.columns.user')}</th>
                <th scope="col">{t('users.columns.roles')}</th>
                <th scope="col">{t('users.columns.status')}</th>
                <th scope="col">{t('users.columns.created')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={5} className="table__empty">
                    {t('users.empty')}
                  </td>
                </tr>
              ) : null}
              {items.map((user) => (
                <UserRows
                  key={user.id}
                  user={user}
                  isMe={user.id === me.id}
                  editing={editing === user.id}
                  busy={busy === user.id}
                  language={i18n.language}
                  onEdit={() => setEditing(user.id)}
                  onCancelEdit={() => setEditing(null)}
                  onSaved={(updated) => {
                    setEditing(null);
                    setNotice(t('users.notice.saved', { username: updated.username }));
                    users.reload();
                  }}
                  onToggleDisabled={() => void toggleDisabled(user)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function UserRows(props: {
  user: User;
  isMe: boolean;
  editing: boolean;
  busy: boolean;
  language: string;
  onEdit(): void;
  onCancelEdit(): void;
  onSaved(user: User): void;
  onToggleDisabled(): void;
}) {
  const { t } = useTranslation();
  const { user } = props;
  return (
    <>
      <tr data-testid={`user-row-${user.username}`} className={user.disabled ? 'table__row--muted' : undefined}>
        <th scope="row">
          <span className="cell-primary">{user.displayName || user.username}</span>
          <span className="cell-secondary">
            {user.username}
            {props.isMe ? ` · ${t('users.you')}` : ''}
          </span>
        </th>
        <td>
          <RoleBadges roles={user.roles} />
        </td>
        <td>
          <Badge tone={user.disabled ? 'neutral' : 'success'} testId={`user-status-${user.username}`}>
            {user.disabled ? t('users.status.disabled') : t('users.status.active')}
          </Badge>
        </td>
        <td className="nowrap">
          <time dateTime={user.createdAt}>{formatDateTime(user.createdAt, props.language)}</time>
        </td>
        <td className="table__actions">
          <button
            type="button"
            className="button button--small"
            onClick={props.editing ? props.onCancelEdit : props.onEdit}
            aria-expanded={props.editing}
            data-testid={`edit-user-${user.username}`}
          >
            {t('users.actions.edit')}
            <span className="visually-hidden"> {user.username}</span>
          </button>
          <button
            type="button"
            className={`button button--small${user.disabled ? '' : ' button--danger-ghost'}`}
            onClick={props.onToggleDisabled}
            disabled={props.busy || (props.isMe && !user.disabled)}
            title={props.isMe && !user.disabled ? t('users.actions.cannotDisableSelf') : undefined}
            data-testid={`toggle-user-${user.username}`}
          >
            {user.disabled ? t('users.actions.enable') : t('users.actions.disable')}
            <span className="visually-hidden"> {user.username}</span>
          </button>
        </td>
      </tr>
      {props.editing ? <EditUserRow user={user} onSaved={props.onSaved} onCancel={props.onCancelEdit} /> : null}
    </>
  );
}
