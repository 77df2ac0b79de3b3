import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NodeKey } from '../api/types.js';
import { Badge } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatDateTime, formatDuration } from '../format.js';
import { useNodeInfo } from '../node-info.js';
import { RefreshButton } from '../components/refresh-button.js';

/** Seconds since `startedAt`, ticking every second so the uptime on screen stays true. */
function useUptime(startedAt: string | undefined, reported: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  if (!startedAt) return reported;
  const started = Date.parse(startedAt);
  if (Number.isNaN(started)) return reported;
  return Math.max(reported ?? 0, (now - started) / 1000);
}

function KeyCard({ kind, nodeKey }: { kind: 'signing' | 'encryption'; nodeKey: NodeKey }) {
  const { t } = useTranslation();
  const name = t(`node.keys.${kind}.name`);
  return (
    <section className="key" aria-labelledby={`key-${kind}`} data-testid={`key-${kind}`}>
      <header className="key__header">
        <h3 id={`key-${kind}`}>{t(`node.keys.${kind}.title`)}</h3>
        <Badge tone="info">
          {nodeKey.jwk.kty} · {nodeKey.jwk.crv}
        </Badge>
      </header>
      <p className="key__purpose">{t(`node.keys.${kind}.purpose`)}</p>
      <dl className="key__fields">
        <div>
          <dt>{t('node.keys.kid')}</dt>
          <dd className="key__value">
            <code data-testid={`${kind}-kid`}>{nodeKey.kid}</code>
            <CopyButton value={nodeKey.kid} label={t('node.keys.copyKid', { key: name })} testId={`copy-${kind}-kid`} />
          </dd>
        </div>
        <div>
          <dt>{t('node.keys.x')}</dt>
          <dd className="key__value">
            <code className="breakable" data-testid={`${kind}-x`}>
              {nodeKey.jwk.x}
            </code>
            <CopyButton value={nodeKey.jwk.x} label={t('node.keys.copyX', { key: name })} testId={`copy-${kind}-x`} />
          </dd>
        </div>
        <div>
          <dt>{t('node.keys.jwk')}</dt>
          <dd className="key__value">
            <span className="muted">{t('node.keys.jwkHint')}</span>
            <CopyButton
              value={JSON.stringify(nodeKey.jwk)}
              label={t('node.keys.copyJwk', { key: name })}
              testId={`copy-${kind}-jwk`}
            />
          </dd>
        </div>
      </dl>
    </section>
  );
}

export function NodePage() {
  const { t, i18n } = useTranslation();
  const node = useNodeInfo();
  const info = node.data;
  const uptime = useUptime(info?.startedAt, info?.uptimeSeconds);

  return (
    <>
      <PageHeader
        title={t('node.title')}
        description={t('node.description')}
        actions={
          <RefreshButton
            onClick={node.reload}
            loading={node.loading}
            refreshing={node.loading && Boolean(info)}
            testId="node-refresh"
          />
        }
      />
      <ProblemAlert error={node.error} />
      {!info && node.loading ? <Spinner /> : null}
      {info ? (
        <div className="grid grid--node">
          <section className="card" aria-labelledby="node-identity">
            <h2 id="node-identity" className="card__title">
              {t('node.identity.title')}
            </h2>
            <dl className="facts">
              <div>
                <dt>{t('node.identity.administration')}</dt>
                <dd>
                  <span className="administration-code" data-testid="node-administration">
                    {info.administration}
                  </span>
                </dd>
              </div>
              <div>
                <dt>{t('node.identity.name')}</dt>
                <dd data-testid="node-name">{info.name}</dd>
              </div>
              <div>
                <dt>{t('node.identity.version')}</dt>
                <dd>
                  <code data-testid="node-version">{info.version}</code>
                </dd>
              </div>
              <div>
                <dt>{t('node.identity.startedAt')}</dt>
                <dd>
                  <time dateTime={info.startedAt}>{formatDateTime(info.startedAt, i18n.language, true)}</time>
                </dd>
              </div>
              <div>
                <dt>{t('node.identity.uptime')}</dt>
                <dd data-testid="node-uptime">{formatDuration(uptime ?? 0, t)}</dd>
              </div>
              <div>
                <dt>{t('node.identity.database')}</dt>
                <dd data-testid="node-database">{t(`node.database.${info.database.dialect}`)}</dd>
              </div>
            </dl>
          </section>

          <section className="card" aria-labelledby="node-health">
            <div className="card__header">
              <h2 id="node-health" className="card__title">
                {t('node.health.title')}
              </h2>
              <Badge tone={info.health.status === 'ok' ? 'success' : 'warning'} testId="node-health-status">
                {t(`node.health.status.${info.health.status}`)}
              </Badge>
            </div>
            {info.health.checks.length === 0 ? (
              <p className="muted">{t('node.health.none')}</p>
            ) : (
              <table className="table table--compact">
                <caption className="visually-hidden">{t('node.health.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('node.health.check')}</th>
                    <th scope="col">{t('node.health.result')}</th>
                    <th scope="col">{t('node.health.detail')}</th>
                  </tr>
                </thead>
                <tbody>
                  {info.health.checks.map((check) => (
                    <tr key={check.name} data-testid={`health-${check.name}`}>
                      <th scope="row">{check.name}</th>
                      <td>
                        <Badge tone={check.status === 'ok' ? 'success' : 'danger'}>
                          {t(`node.health.check_${check.status}`)}
                        </Badge>
                      </td>
                      <td className="muted">{check.detail ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section className="card card--wide" aria-labelledby="node-keys">
            <h2 id="node-keys" className="card__title">
              {t('node.keys.title')}
            </h2>
            <p className="card__description">{t('node.keys.description')}</p>
            <div className="keys">
              <KeyCard kind="signing" nodeKey={info.keys.signing} />
              <KeyCard kind="encryption" nodeKey={info.keys.encryption} />
            </div>
          </section>
        </div>
      ) : null}
    </>
  );
}
