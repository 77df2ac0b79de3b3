import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies with the Clipboard API, or the older selection command where the page is not a secure context. */
async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the selection fallback
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** A small button that copies `value`; `label` names what is copied for screen readers ("Copy signing key id"). */
export function CopyButton({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (status === 'idle') return;
    const timer = window.setTimeout(() => setStatus('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [status]);

  async function handleClick() {
    setStatus((await copyText(value)) ? 'copied' : 'failed');
  }

  return (
    <span className="copy">
      <button
        type="button"
        className="button button--ghost button--small"
        onClick={() => void handleClick()}
        aria-label={label}
        title={label}
        data-testid={testId}
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
          <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path
            d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          />
        </svg>
        <span>{status === 'copied' ? t('copy.copied') : t('copy.copy')}</span>
      </button>
      <span className="visually-hidden" role="status">
        {status === 'copied' ? t('copy.copied') : status === 'failed' ? t('copy.failed') : ''}
      </span>
    </span>
  );
}
