import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../api/endpoints.js';
import type { FederationAlert } from '../api/types.js';
import { useMe } from '../auth/session.js';
import { formatDateTime } from '../format.js';
import { useResource } from '../use-resource.js';
import { ProblemAlert } from './problem-alert.js';

/** How often the console asks the node for open alerts. */
const POLL_MS = 15_000;
/** Who may acknowledge an alert (the node checks again). */
const ACKNOWLEDGE_ROLES = ['admin', 'liaison', 'supervisor'];

/**
 * The alert in the reader's language. A split view is caught two ways: this node's witness saw a partner's log show
 * two histories, or a partner's witness refused this node's checkpoint (the receipt then carries the code).
 */
function alertText(alert: FederationAlert, t: TFunction): string {
  if (alert.kind === 'split-view') {
    const refused = alert.details.code === 'LEDGER_SPLIT_VIEW';
    return t(refused ? 'alerts.splitView.refused' : 'alerts.splitView.caught', { subject: alert.subject });
  }
  return alert.message;
}

/**
 * A banner above every page while the node has open federation alerts (a split view of a log is the one that
 * matters most: someone may be showing different histories to different partners). Polls every 15 s while the tab is
 * visible; errors are not shown here, the pages say when the node cannot be reached.
 */
export function FederationAlerts() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const load = useCallback((signal: AbortSignal) => api.openAlerts(signal), []);
  const { data, reload } = useResource(load);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canAcknowledge = me.roles.some((role) => ACKNOWLEDGE_ROLES.includes(role));

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) reload();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  async function acknowledge(alert: FederationAlert) {
    setBusy(alert.id);
    setError(null);
    try {
      await api.acknowledgeAlert(alert.id);
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  const alerts = data?.items ?? [];
  if (alerts.length === 0 && !error) return null;
  return (
    <div className="federation-alerts" role="region" aria-label={t('alerts.label')} data-testid="federation-alerts">
      {alerts.map((alert) => (
        <div key={alert.id} className="alert alert--error" role="alert" data-testid="federation-alert">
          <span className="alert__icon" aria-hidden="true">
            !
          </span>
          <div className="alert__body">
            <p className="alert__message" title={alert.message}>
              {alertText(alert, t)}
            </p>
            <p className="alert__detail">
              {t('alerts.raisedAt', { at: formatDateTime(alert.raisedAt, i18n.language, true) })}
            </p>
          </div>
          {canAcknowledge ? (
            <button
              type="button"
              className="button button--small federation-alerts__acknowledge"
              onClick={() => void acknowledge(alert)}
              disabled={busy !== null}
              data-testid="federation-alert-acknowledge"
            >
              {busy === alert.id ? t('alerts.acknowledging') : t('alerts.acknowledge')}
            </button>
          ) : null}
        </div>
      ))}
      <ProblemAlert error={error} testId="federation-alert-error" />
    </div>
  );
}
