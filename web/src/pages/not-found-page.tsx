import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/page-header.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="empty-page" data-testid="not-found">
      <p className="empty-page__code" aria-hidden="true">
        404
      </p>
      <PageHeader title={t('notFound.title')} />
      <p>{t('notFound.body')}</p>
      <Link to="/node" className="button">
        {t('notFound.back')}
      </Link>
    </div>
  );
}
