import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import type { DecisionReason } from '../api/types.js';
import { Badge, type Tone } from '../components/badges.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatDateTime } from '../format.js';
import { useNodeInfo } from '../node-info.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { envelopeCategoryText, envelopePurposeText } from './envelope-text.js';

const EFFECT_TONE: Record<DecisionReason['effect'], Tone> = {
  allow: 'success',
  deny: 'danger',
  restrict: 'warning',
  'not-applicable': 'neutral',
};

/**
 * Why an envelope moved (or did not): the decision the policy decision point logged for it, with the agreement and
 * clause it relied on and each reason's code; and a link to ask the decision point the same question again now.
 */
export function DecisionDetails({ decisionId }: { decisionId: string }) {
  const { t, i18n } = useTranslation();
  const load = useCallback((signal: AbortSignal) => api.decision(decisionId, signal), [decisionId]);
  const { data: decision, error } = useResource(load);
  const self = useNodeInfo().data?.administration;

  if (error) return <ProblemAlert error={error} testId="decision-error" />;
  if (!decision) return <Spinner />;
  return (
    <div className="decision" data-testid="decision-details">
      <p className="decision__verdict">
        <Badge tone={decision.allowed ? 'success' : 'danger'} testId="decision-verdict">
          {t(decision.allowed ? 'exchange.decision.allowed' : 'exchange.decision.refused')}
        </Badge>{' '}
        {t('exchange.decision.summary', {
          sender: decision.sender,
          receiver: decision.receiver,
          category: envelopeCategoryText(decision.category, t, true),
          purpose: envelopePurposeText(decision.purpose, t, true),
          at: formatDateTime(decision.at, i18n.language, true),
        })}
        {decision.code ? (
          <>
            {' '}
            <code>{decision.code}</code>
          </>
        ) : null}
      </p>
      {decision.agreementId ? (
        <p className="decision__basis">
          {t('exchange.decision.basis')}{' '}
          <Link to={`/agreements/${encodeURIComponent(decision.agreementId)}`}>{decision.agreementId}</Link>
          {decision.version !== null ? ` ${t('exchange.agreementVersion', { version: decision.version })}` : ''}
          {decision.clause ? (
            <>
              {' · '}
              {t('exchange.decision.clause')} <code data-testid="decision-clause">{decision.clause}</code>
            </>
          ) : null}
        </p>
      ) : null}
      <ol className="plain-list decision__reasons">
        {decision.reasons.map((reason, index) => (
          <li key={`${reason.code}-${index}`} data-testid="decision-reason">
            <Badge tone={EFFECT_TONE[reason.effect]}>{t(`sharing.effects.${reason.effect}`)}</Badge>{' '}
            <code>{reason.code}</code>
            {reason.clause ? (
              <span className="muted">
                {' '}
                · {t('exchange.decision.clause')} <code>{reason.clause}</code>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {decision.recordHash || decision.outputHash ? (
        <dl className="decision__hashes">
          {decision.recordHash ? (
            <div>
              <dt>{t('exchange.decision.recordHash')}</dt>
              <dd>
                <code className="breakable">{decision.recordHash}</code>
              </dd>
            </div>
          ) : null}
          {decision.outputHash ? (
            <div>
              <dt>{t('exchange.decision.outputHash')}</dt>
              <dd>
                <code className="breakable">{decision.outputHash}</code>
              </dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {decision.sender === self ? (
        // Only this node's own decisions can be asked again here: the decision point decides for the sender.
        <Link
          to={`/agreements/decide${toQuery({ receiver: decision.receiver, category: decision.category, purpose: decision.purpose })}`}
          title={t('exchange.decision.dryRunTitle')}
        >
          {t('exchange.decision.dryRun')}
        </Link>
      ) : null}
    </div>
  );
}
