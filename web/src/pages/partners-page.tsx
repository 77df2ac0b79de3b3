import { lazy, Suspense, useCallback, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import type { DirectoryMemberView, FederationDirectory, Partners } from '../api/types.js';
import { Badge } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { Administration, HEALTH_TONE } from '../exchange/envelope-text.js';
import { formatDateTime, formatDuration } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';

// The map and its outline of the world load only with this page.
const PartnerMap = lazy(() =>
  import('../components/partner-map.js').then((module) => ({ default: module.PartnerMap })),
);

/** Partners' queues change as the node delivers; the page follows them at this pace. */
const REFRESH_MS = 15_000;

function PartnersTable({ partners }: { partners: Partners }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="partners-table">
        <caption>{t('partners.caption', { count: partners.items.length, self: partners.self })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('exchange.columns.partner')}</th>
            <th scope="col">{t('partners.columns.health')}</th>
            <th scope="col" className="numeric">
              {t('partners.columns.pending')}
            </th>
            <th scope="col" className="numeric">
              {t('partners.columns.dead')}
            </th>
            <th scope="col">{t('partners.columns.oldestPending')}</th>
            <th scope="col">{t('partners.columns.lastDelivered')}</th>
            <th scope="col">{t('partners.columns.lastReceived')}</th>
            <th scope="col">{t('partners.columns.lastError')}</th>
          </tr>
        </thead>
        <tbody>
          {partners.items.length === 0 ? (
            <tr>
              <td colSpan={8} className="table__empty">
                {t('partners.empty')}
              </td>
            </tr>
          ) : null}
          {partners.items.map((partner) => (
            <tr key={partner.id} data-testid="partner-row" data-partner={partner.id} data-health={partner.health}>
              <th scope="row">
                <span className="cell-primary">
                  <Administration id={partner.id} /> {partner.name}
                </span>
                <code className="cell-secondary breakable">{partner.endpoint}</code>
                {partner.status !== 'active' ? (
                  <span className="cell-secondary">{t('partners.memberStatus', { status: partner.status })}</span>
                ) : null}
              </th>
              <td>
                <Badge tone={HEALTH_TONE[partner.health]} testId="partner-health">
                  {t(`partners.health.${partner.health}`)}
                </Badge>
              </td>
              <td className="numeric">
                {partner.outbox.pending > 0 ? (
                  <Link to={`/exchange/outbox${toQuery({ state: 'pending', partner: partner.id })}`}>
                    {partner.outbox.pending}
                  </Link>
                ) : (
                  0
                )}
              </td>
              <td className="numeric">
                {partner.outbox.dead > 0 ? (
                  <Link
                    to={`/exchange/outbox${toQuery({ state: 'dead', partner: partner.id })}`}
                    data-testid="partner-dead"
                  >
                    {partner.outbox.dead}
                  </Link>
                ) : (
                  0
                )}
              </td>
              <td className="nowrap">
                {partner.outbox.oldestPendingAgeMs === null ? (
                  <span className="muted">—</span>
                ) : (
                  formatDuration(partner.outbox.oldestPendingAgeMs / 1000, t)
                )}
              </td>
              <td className="nowrap">{formatDateTime(partner.lastDeliveredAt, i18n.language, true)}</td>
              <td className="nowrap">{formatDateTime(partner.lastReceivedAt, i18n.language, true)}</td>
              <td className="breakable">{partner.lastError ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KeyList({ member }: { member: DirectoryMemberView }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="plain-list directory-keys">
      {member.keys.map((key) => (
        <li key={key.kid} data-testid="directory-key" data-current={key.current}>
          <Badge tone="neutral">{t(`partners.directory.use.${key.use}`, { defaultValue: key.use })}</Badge>{' '}
          <code className="breakable">{key.kid}</code>{' '}
          {key.current ? (
            <Badge tone="success" testId="directory-key-current">
              {t('partners.directory.current')}
            </Badge>
          ) : null}
          {key.revoked ? (
            <Badge tone="danger">
              {t('partners.directory.revoked', { at: formatDateTime(key.revoked.at, i18n.language) })}
            </Badge>
          ) : null}
          <span className="cell-secondary">
            {key.notAfter
              ? t('partners.directory.validBetween', {
                  from: formatDateTime(key.notBefore, i18n.language),
                  until: formatDateTime(key.notAfter, i18n.language),
                })
              : t('partners.directory.validFrom', { from: formatDateTime(key.notBefore, i18n.language) })}
            {key.revoked ? ` — ${key.revoked.reason}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Directory({ directory, self }: { directory: FederationDirectory; self: string | undefined }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="card" aria-labelledby="directory-title" data-testid="directory">
      <h2 id="directory-title" className="card__title">
        {t('partners.directory.title')}
      </h2>
      <dl className="facts">
        <div>
          <dt>{t('partners.directory.network')}</dt>
          <dd>{directory.network ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('partners.directory.version')}</dt>
          <dd data-testid="directory-version">{directory.version ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('partners.directory.issuedAt')}</dt>
          <dd>{formatDateTime(directory.issuedAt, i18n.language)}</dd>
        </div>
        <div>
          <dt>{t('partners.directory.nextUpdate')}</dt>
          <dd>{formatDateTime(directory.nextUpdate, i18n.language)}</dd>
        </div>
        {directory.governance ? (
          <div>
            <dt>{t('partners.directory.governance')}</dt>
            <dd>
              {t('partners.directory.threshold', {
                threshold: directory.governance.threshold,
                count: directory.governance.keys.length,
              })}
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="table-wrap">
        <table className="table table--dense" data-testid="directory-members">
          <caption>{t('partners.directory.membersCaption', { count: directory.members.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('partners.directory.member')}</th>
              <th scope="col">{t('partners.directory.status')}</th>
              <th scope="col">{t('partners.directory.keys')}</th>
            </tr>
          </thead>
          <tbody>
            {directory.members.map((member) => (
              <tr key={member.id} data-testid="directory-member" data-member={member.id}>
                <th scope="row">
                  <span className="cell-primary">
                    <Administration id={member.id} /> {member.name}
                    {member.id === self ? (
                      <>
                        {' '}
                        <Badge tone="info">{t('partners.directory.thisNode')}</Badge>
                      </>
                    ) : null}
                  </span>
                  <code className="cell-secondary breakable">{member.endpoint}</code>
                </th>
                <td>
                  <Badge tone={member.status === 'active' ? 'success' : 'warning'}>
                    {t(`partners.directory.statuses.${member.status}`, { defaultValue: member.status })}
                  </Badge>
                </td>
                <td>
                  <KeyList member={member} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** `/exchange/partners`: the partner map, each partner's queue and health, and the directory this node trusts. */
export function PartnersPage() {
  const { t } = useTranslation();
  const loadPartners = useCallback((signal: AbortSignal) => api.partners(signal), []);
  const loadDirectory = useCallback((signal: AbortSignal) => api.federationDirectory(signal), []);
  const partners = useResource(loadPartners);
  const directory = useResource(loadDirectory);
  const reloadPartners = partners.reload;

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) reloadPartners();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reloadPartners]);

  const self = partners.data?.self;
  const mapSelf = useMemo(() => {
    if (!self) return null;
    const member = directory.data?.members.find((m) => m.id === self);
    return { id: self, name: member?.name ?? self, location: member?.location ?? null };
  }, [self, directory.data]);
  const mapPartners = useMemo(
    () => (partners.data?.items ?? []).map((p) => ({ id: p.id, name: p.name, location: p.location, health: p.health })),
    [partners.data],
  );

  const noDirectory = isApiError(partners.error, 'FEDERATION_DIRECTORY_MISSING') || directory.data?.installed === false;

  return (
    <>
      <PageHeader
        title={t('partners.title')}
        description={t('partners.description')}
        actions={
          <RefreshButton
            onClick={() => {
              partners.reload();
              directory.reload();
            }}
            loading={partners.loading}
            refreshing={partners.loading && Boolean(partners.data)}
            testId="partners-refresh"
          />
        }
      />
      {noDirectory ? (
        <div className="alert alert--info" role="status" data-testid="partners-no-directory">
          <div className="alert__body">
            <p className="alert__message">{t('partners.noDirectory')}</p>
          </div>
        </div>
      ) : (
        <ProblemAlert error={partners.error} />
      )}
      {!partners.data && !partners.error ? <Spinner /> : null}
      {partners.data && mapSelf ? (
        <>
          <section className="card" aria-labelledby="partner-map-title">
            <h2 id="partner-map-title" className="card__title">
              {t('partners.map.heading')}
            </h2>
            <Suspense fallback={<Spinner />}>
              <PartnerMap self={mapSelf} partners={mapPartners} />
            </Suspense>
          </section>
          <PartnersTable partners={partners.data} />
        </>
      ) : null}
      {!noDirectory ? <ProblemAlert error={directory.error} /> : null}
      {directory.data?.installed ? <Directory directory={directory.data} self={self} /> : null}
    </>
  );
}
