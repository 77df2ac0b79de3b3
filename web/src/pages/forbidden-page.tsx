import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types.js';
import { useMe } from '../auth/session.js';
import { RoleBadges } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { formatList } from '../format.js';
import { Link } from '../router.js';

/** Shown instead of a module when the user lacks its role: says which role (or roles), and whom to ask. */
export function ForbiddenPage({ module, requires }: { module: string; requires: readonly Role[] }) {
  const { t, i18n } = useTranslation();
  const names = requires.map((role) => t(`roles.${role}.name`));
  const me = useMe();
  return (
    <div className="empty-page" data-testid="forbidden">
      <p className="empty-page__code" aria-hidden="true">
        403
      </p>
      <PageHeader title={t('forbidden.title')} />
      <p>
        {names.length === 1
          ? t('forbidden.body', { module, role: names[0] })
          : t('forbidden.bodyAny', { module, roles: formatList(names, i18n.language) })}
      </p>
      <div className="empty-page__roles">
        <span>{t('forbidden.yourRoles')}</span> <RoleBadges roles={me.roles} />
      </div>
      <p className="muted">{t('forbidden.ask')}</p>
      <Link to="/node" className="button">
        {t('forbidden.back')}
      </Link>
    </div>
  );
}
