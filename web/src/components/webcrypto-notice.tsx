import { useTranslation } from 'react-i18next';

/**
 * Browsers offer WebCrypto (`crypto.subtle`) on secure pages only: HTTPS, or the node on this very machine. Without
 * it nothing can be checked in the browser, so say why instead of failing on the first click.
 */
export function WebCryptoNotice() {
  const { t } = useTranslation();
  if (globalThis.crypto?.subtle) return null;
  return (
    <p className="alert alert--error" role="alert" data-testid="webcrypto-missing">
      {t('ledger.noWebCrypto')}
    </p>
  );
}
