import { useTranslation } from 'react-i18next';

/**
 * A page's Refresh button: disabled while loading, and saying "Refreshing…" when it reloads what is already shown
 * (the first load shows a spinner instead).
 */
export function RefreshButton({
  onClick,
  loading,
  refreshing,
  testId,
}: {
  onClick: () => void;
  loading: boolean;
  /** Loading again with data on screen. */
  refreshing: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <button type="button" className="button" onClick={onClick} disabled={loading} data-testid={testId}>
      {refreshing ? t('common.refreshing') : t('common.refresh')}
    </button>
  );
}
