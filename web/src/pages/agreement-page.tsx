import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { Agreement, AgreementVersion } from '../api/types.js';
import { clauseText } from '../agreements/clause-text.js';
import { useMe } from '../auth/session.js';
import { Badge } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatDate, formatDateTime } from '../format.js';
import { useNodeInfo } from '../node-info.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { AGREEMENT_STATUS_TONE } from './agreements-page.js';

type Action = 'sign' | 'suspend' | 'resume' | 'terminate';

/** The changes the node would accept from an administrator now; it checks again on every request. */
function availableActions(agreement: Agreement, self: string | undefined): Action[] {
  const latest = agreement.versions.at(-1);
  const actions: Action[] = [];
  const closed = agreement.status === 'terminated' || agreement.status === 'tampered';
  if (!closed && self && latest?.missingSignatures.includes(self)) actions.push('sign');
  if (!closed && agreement.lifecycle.state === 'active' && agreement.status !== 'expired') actions.push('suspend');
  if (agreement.lifecycle.state === 'suspended' && agreement.lifecycle.by === self) actions.push('resume');
  if (!closed) actions.push('terminate');
  return actions;
}

function Actions({ agreement, onChanged }: { agreement: Agreement; onChanged: (agreement: Agreement) => void }) {
  const { t } = useTranslation();
  const self = useNodeInfo().data?.administration;
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actions = availableActions(agreement, self);
  if (actions.length === 0) return null;
  const latest = agreement.versions.at(-1)!;

  async function confirm(action: Action) {
    setBusy(true);
    setError(null);
    try {
      onChanged(
        action === 'sign'
          ? await api.signAgreement(agreement.id, latest.version)
          : await api.agreementNotice(agreement.id, action, reason.trim()),
      );
      setConfirming(null);
      setReason('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="agreement-actions" data-testid="agreement-actions">
      <h2 id="agreement-actions" className="card__title">
        {t('agreement.actions.title')}
      </h2>
      <ProblemAlert error={error} testId="agreement-action-error" />
      {confirming === null ? (
        <div className="form__actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`button${action === 'sign' ? ' button--primary' : action === 'terminate' ? ' button--danger-ghost' : ''}`}
              onClick={() => setConfirming(action)}
              data-testid={`agreement-${action}`}
            >
              {t(`agreement.actions.${action}`)}
            </button>
          ))}
        </div>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void confirm(confirming);
          }}
          aria-label={t(`agreement.actions.${confirming}`)}
        >
          <p className="confirm__question">
            {t(`agreement.actions.confirm.${confirming}`, { version: latest.version, self: self ?? '' })}
          </p>
          {confirming !== 'sign' ? (
            <div className="field">
              <label htmlFor="agreement-reason">{t('agreement.actions.reason')}</label>
              <textarea
                id="agreement-reason"
                required
                maxLength={1000}
                rows={2}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                data-testid="agreement-reason"
              />
            </div>
          ) : null}
          <div className="form__actions">
            <button
              type="submit"
              className={`button ${confirming === 'sign' || confirming === 'resume' ? 'button--primary' : 'button--danger'}`}
              disabled={busy || (confirming !== 'sign' && reason.trim() === '')}
              data-testid="agreement-confirm"
            >
              {busy ? t('common.saving') : t(`agreement.actions.do.${confirming}`)}
            </button>
            <button type="button" className="button button--ghost" onClick={() => setConfirming(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Signatures({ agreement, version }: { agreement: Agreement; version: AgreementVersion }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="signatures-table">
        <caption>
          {t('agreement.signatures.caption', {
            version: version.version,
            signed: version.signatures.length,
            count: agreement.parties.length,
          })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('agreement.signatures.columns.party')}</th>
            <th scope="col">{t('agreement.signatures.columns.status')}</th>
            <th scope="col">{t('agreement.signatures.columns.signedAt')}</th>
            <th scope="col">{t('agreement.signatures.columns.key')}</th>
          </tr>
        </thead>
        <tbody>
          {version.document.parties.map((party) => {
            const signature = version.signatures.find((s) => s.party === party);
            return (
              <tr key={party} data-testid="signature-row" data-party={party}>
                <th scope="row">
                  <code>{party}</code>
                </th>
                <td>
                  {signature ? (
                    <Badge tone={signature.verified ? 'success' : 'danger'} testId="signature-status">
                      {t(signature.verified ? 'agreement.signatures.signed' : 'agreement.signatures.unverified')}
                    </Badge>
                  ) : (
                    <Badge tone="warning" testId="signature-status">
                      {t('agreement.signatures.awaiting')}
                    </Badge>
                  )}
                </td>
                <td className="nowrap">
                  {signature ? formatDateTime(signature.signedAt, i18n.language) : <span className="muted">—</span>}
                </td>
                <td>
                  {signature ? (
                    <code title={signature.kid}>{signature.kid.slice(0, 12)}…</code>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Clauses({ version }: { version: AgreementVersion }) {
  const { t, i18n } = useTranslation();
  const titles = new Map(version.document.legalReferences.map((reference) => [reference.article, reference.title]));
  return (
    <ol className="clauses" data-testid="clauses">
      {version.document.clauses.map((clause) => (
        <li key={clause.id} className="clause" data-testid="clause" data-clause={clause.id}>
          <div className="clause__text">
            <p className="clause__id">
              <code>{clause.id}</code>{' '}
              {clause.articles.map((article) => (
                <span key={article} className="badge" title={titles.get(article)}>
                  {article}
                </span>
              ))}
            </p>
            <p className="clause__plain" data-testid="clause-plain">
              {clauseText(clause, t, i18n.language)}
            </p>
          </div>
          <details className="json-details clause__json">
            <summary>{t('agreement.clauses.json')}</summary>
            <pre>{JSON.stringify(clause, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}

function Versions({ agreement }: { agreement: Agreement }) {
  const { t, i18n } = useTranslation();
  const versions = [...agreement.versions].reverse();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="agreement-versions">
        <caption>{t('agreement.versions.caption', { count: versions.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('agreement.versions.columns.version')}</th>
            <th scope="col">{t('agreement.versions.columns.created')}</th>
            <th scope="col">{t('agreement.versions.columns.validity')}</th>
            <th scope="col">{t('agreement.versions.columns.signatures')}</th>
            <th scope="col">{t('agreement.versions.columns.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version}>
              <th scope="row">
                {t('agreement.versions.number', { version: version.version })}{' '}
                {version.version === agreement.inForceVersion ? (
                  <Badge tone="success">{t('agreement.versions.inForce')}</Badge>
                ) : null}
              </th>
              <td className="nowrap">
                {formatDateTime(version.createdAt, i18n.language)}
                <span className="cell-secondary">{version.createdBy}</span>
              </td>
              <td className="nowrap">
                {formatDate(version.document.validity.from, i18n.language)} →{' '}
                {version.document.validity.until
                  ? formatDate(version.document.validity.until, i18n.language)
                  : t('agreement.openEnded')}
              </td>
              <td>
                {version.complete
                  ? t('agreement.versions.complete')
                  : t('agreement.versions.missing', { parties: version.missingSignatures.join(', ') })}
              </td>
              <td className="key__value">
                <code title={version.documentHash}>{version.documentHash.slice(0, 12)}…</code>
                <CopyButton value={version.documentHash} label={t('agreement.versions.copyHash')} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AgreementPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const load = useCallback((signal: AbortSignal) => api.agreement(id, signal), [id]);
  const resource = useResource(load);
  const [changed, setChanged] = useState<Agreement | null>(null);
  const agreement = changed ?? resource.data;

  if (!agreement) {
    return (
      <>
        <PageHeader title={t('agreement.loadingTitle')} />
        <ProblemAlert error={resource.error} />
        {resource.loading ? <Spinner /> : null}
        <p>
          <Link to="/agreements">{t('agreement.back')}</Link>
        </p>
      </>
    );
  }

  const latest = agreement.versions.at(-1)!;
  const shown = agreement.versions.find((version) => version.version === agreement.inForceVersion) ?? latest;
  const { lifecycle } = agreement;

  return (
    <>
      <PageHeader
        title={agreement.title}
        description={t(`agreements.kindDescriptions.${agreement.kind}`)}
        actions={
          <>
            <Link to="/agreements/decide" className="button">
              {t('agreements.why')}
            </Link>
            <Link to="/agreements" className="button" data-testid="agreement-back">
              {t('agreement.back')}
            </Link>
          </>
        }
      />
      {lifecycle.state !== 'active' ? (
        <p className="alert alert--info" role="status" data-testid="agreement-lifecycle">
          {t(`agreement.lifecycle.${lifecycle.state}`, {
            by: lifecycle.by ?? '—',
            at: formatDateTime(lifecycle.at, i18n.language),
            reason: lifecycle.reason ?? lifecycle.detail ?? '—',
          })}
        </p>
      ) : null}

      <div className="grid grid--node">
        <section className="card" aria-labelledby="agreement-header" data-testid="agreement-header">
          <h2 id="agreement-header" className="card__title">
            {t('agreement.header.title')}
          </h2>
          <dl className="facts">
            <div>
              <dt>{t('agreement.header.id')}</dt>
              <dd>
                <code>{agreement.id}</code>
              </dd>
            </div>
            <div>
              <dt>{t('agreement.header.kind')}</dt>
              <dd>
                <Badge tone="info">{t(`agreements.kinds.${agreement.kind}`)}</Badge>
              </dd>
            </div>
            <div>
              <dt>{t('agreement.header.status')}</dt>
              <dd>
                <Badge tone={AGREEMENT_STATUS_TONE[agreement.status]} testId="agreement-status">
                  {t(`agreements.status.${agreement.status}`)}
                </Badge>{' '}
                <span className="muted">
                  {agreement.inForceVersion === null
                    ? t('agreement.header.noVersionInForce')
                    : t('agreement.header.versionInForce', { version: agreement.inForceVersion })}
                </span>
              </dd>
            </div>
            <div>
              <dt>{t('agreement.header.parties')}</dt>
              <dd className="code-list">
                {agreement.parties.map((party) => (
                  <code key={party}>{party}</code>
                ))}
              </dd>
            </div>
            <div>
              <dt>{t('agreement.header.validity')}</dt>
              <dd>
                {formatDate(agreement.validity.from, i18n.language)} →{' '}
                {agreement.validity.until
                  ? formatDate(agreement.validity.until, i18n.language)
                  : t('agreement.openEnded')}
              </dd>
            </div>
            <div>
              <dt>{t('agreement.header.hash')}</dt>
              <dd className="key__value">
                <code className="breakable">{shown.documentHash}</code>
                <CopyButton value={shown.documentHash} label={t('agreement.versions.copyHash')} />
              </dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="agreement-references">
          <h2 id="agreement-references" className="card__title">
            {t('agreement.references.title')}
          </h2>
          <ul className="plain-list" data-testid="legal-references">
            {shown.document.legalReferences.map((reference) => (
              <li key={reference.article}>
                <strong>{reference.article}</strong> — {reference.title}
              </li>
            ))}
          </ul>
        </section>
      </div>

      {me.roles.includes('admin') ? <Actions agreement={agreement} onChanged={setChanged} /> : null}

      <h2 className="section-title">{t('agreement.signatures.title')}</h2>
      <p className="section-description">{t('agreement.signatures.description')}</p>
      <Signatures agreement={agreement} version={latest} />

      <h2 className="section-title">{t('agreement.clauses.title')}</h2>
      <p className="section-description">
        {t('agreement.clauses.description', { version: shown.version, count: shown.document.clauses.length })}
      </p>
      <Clauses version={shown} />

      <h2 className="section-title">{t('agreement.versions.title')}</h2>
      <Versions agreement={agreement} />
    </>
  );
}
