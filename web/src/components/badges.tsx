import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types.js';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

export function Badge({ tone = 'neutral', children, testId }: { tone?: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className={`badge badge--${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

/** The roles as short translated badges; the role's code stays in the tooltip. */
export function RoleBadges({ roles }: { roles: readonly Role[] }) {
  const { t } = useTranslation();
  if (roles.length === 0) return <span className="muted">{t('roles.none')}</span>;
  return (
    <ul className="role-list" aria-label={t('roles.label')}>
      {roles.map((role) => (
        <li key={role}>
          <span className="badge badge--role" title={role}>
            {t(`roles.${role}.name`)}
          </span>
        </li>
      ))}
    </ul>
  );
}
