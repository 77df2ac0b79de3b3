import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.js';
import { api } from '../api/endpoints.js';
import { Badge } from '../components/badges.js';
import { DropZone } from '../components/drop-zone.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { WebCryptoNotice } from '../components/webcrypto-notice.js';
import { formatDateTime, formatList } from '../format.js';
import {
  DOCUMENT_CHECKS,
  readBundleFile,
  verifyDocument,
  type CheckOutcome,
  type DocumentVerification,
} from '../lib/document-check.js';
import { documentHashesOf } from '../lib/document-hashes.js';
import type { BundleVerdict } from '../lib/ledger.js';
import { witnessLabel } from '../lib/signed-note.js';

const STATUS_MARK: Record<BundleVerdict['status'], string> = { valid: '✓', revoked: '✗', expired: '!', tampered: '✗' };
const CHECK_MARK: Record<CheckOutcome, string> = { passed: '✓', failed: '✗', skipped: '–' };

interface Outcome {
  verification: DocumentVerification;
  /** The key the bundle was checked against, and whether it is this node's. */
  key: string;
  nodeKey: boolean;
  /** The bundle came from this node rather than from a file. */
  fetched: boolean;
}

async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * This node's bundle for the document: tried under each hash the file may be anchored under, the likelier first.
 * Throws the node's LEDGER_DOCUMENT_UNKNOWN when none is anchored here.
 */
async function fetchBundle(document: Uint8Array): Promise<unknown> {
  const hashes = (await documentHashesOf(document)).reverse();
  let lastError: unknown;
  for (const hash of hashes) {
    try {
      return await api.documentBundle(hash);
    } catch (error) {
      if (!isApiError(error, 'LEDGER_DOCUMENT_UNKNOWN')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

function Result({ outcome }: { outcome: Outcome }) {
  const { t, i18n } = useTranslation();
  const { verification, key, nodeKey, fetched } = outcome;
  const { verdict } = verification;
  const { status } = verdict;
  const date = (iso: string | undefined) => formatDateTime(iso, i18n.language, true);
  const cosigners = [...verdict.witnessedBy, ...verdict.unverifiedCosigners].map(witnessLabel);

  return (
    <section
      className={`verdict verdict--${status}`}
      role={status === 'valid' ? 'status' : 'alert'}
      aria-labelledby="verify-status"
      data-testid="verify-result"
      data-status={status}
    >
      <div className="verdict__header">
        <span className="verdict__mark" aria-hidden="true">
          {STATUS_MARK[status]}
        </span>
        <div>
          <h2 id="verify-status" className="verdict__title" data-testid="verify-status">
            {t(`verify.status.${status}`)}
          </h2>
          <p className="verdict__summary" data-testid="verify-summary">
            {status === 'valid'
              ? t('verify.summary.valid', { issuer: verdict.issuer, origin: verdict.origin })
              : status === 'revoked'
                ? t('verify.summary.revoked', { date: date(verdict.revokedAt), reason: verdict.revocationReason })
                : status === 'expired'
                  ? t('verify.summary.expired', { date: date(verdict.validUntil) })
                  : t('verify.summary.tampered', {
                      check: t(`verify.checks.${verification.failed ?? 'bundle'}.name`),
                    })}
          </p>
          {status === 'tampered' ? (
            <>
              <p className="verdict__failed">
                {t('verify.failedCheck')}{' '}
                <strong data-testid="verify-failed-check" data-check={verification.failed}>
                  {t(`verify.checks.${verification.failed ?? 'bundle'}.name`)}
                </strong>
                {' — '}
                {t(`verify.checks.${verification.failed ?? 'bundle'}.failed`)}
              </p>
              {/* The verifier's own sentence, in English: what support and the issuer will want to read. */}
              <p className="verdict__detail" lang="en" data-testid="verify-reason">
                {verdict.reason}
              </p>
            </>
          ) : null}
        </div>
      </div>

      {verification.ed25519 ? null : (
        <p className="alert alert--info" role="status">
          {t('verify.noEd25519')}
        </p>
      )}

      <ul className="checklist" aria-label={t('verify.checksLabel')}>
        {DOCUMENT_CHECKS.map((check) => {
          const outcome = verification.checks[check];
          return (
            <li
              key={check}
              className={`checklist__item checklist__item--${outcome}`}
              data-testid={`verify-check-${check}`}
            >
              <span className="checklist__mark" aria-hidden="true">
                {CHECK_MARK[outcome]}
              </span>
              <span>
                <span className="cell-primary">{t(`verify.checks.${check}.name`)}</span>
                <span className="cell-secondary">
                  {t(`verify.outcome.${outcome}`)} —{' '}
                  {t(`verify.checks.${check}.${outcome === 'failed' ? 'failed' : 'explain'}`)}
                </span>
              </span>
            </li>
          );
        })}
      </ul>

      {verdict.documentId ? (
        <dl className="facts verdict__facts">
          <div>
            <dt>{t('verify.facts.document')}</dt>
            <dd>
              <span className="cell-primary">{verdict.documentType}</span>
              <code className="cell-secondary">{verdict.documentId}</code>
            </dd>
          </div>
          <div>
            <dt>{t('verify.facts.issuer')}</dt>
            <dd>
              <span className="administration-code">{verdict.issuer}</span>
            </dd>
          </div>
          <div>
            <dt>{t('verify.facts.anchoredAt')}</dt>
            <dd>{date(verdict.anchoredAt)}</dd>
          </div>
          {verdict.validUntil ? (
            <div>
              <dt>{t('verify.facts.validUntil')}</dt>
              <dd>{date(verdict.validUntil)}</dd>
            </div>
          ) : null}
          {verdict.revokedAt ? (
            <div>
              <dt>{t('verify.facts.revokedAt')}</dt>
              <dd data-testid="verify-revoked-at">
                {date(verdict.revokedAt)} <Badge tone="danger">{verdict.revocationReason}</Badge>
              </dd>
            </div>
          ) : null}
          <div>
            <dt>{t('verify.facts.log')}</dt>
            <dd>
              <code>{verdict.origin}</code>{' '}
              <span className="muted">{t('verify.facts.treeSize', { size: verdict.treeSize })}</span>
            </dd>
          </div>
          <div>
            <dt>{t('verify.facts.witnesses')}</dt>
            <dd>
              {cosigners.length > 0 ? (
                <>
                  {t('verify.facts.cosignedBy', { witnesses: formatList(cosigners, i18n.language) })}
                  <span className="cell-secondary">{t('verify.facts.witnessHint')}</span>
                </>
              ) : (
                <span className="muted">{t('verify.facts.noWitness')}</span>
              )}
            </dd>
          </div>
        </dl>
      ) : null}

      <p className="verdict__note">
        {nodeKey ? t('verify.checkedWithNodeKey') : t('verify.checkedWithKey')} <code className="breakable">{key}</code>
      </p>
      <p className="verdict__note">{fetched ? t('verify.freshFetched') : t('verify.freshness')}</p>
    </section>
  );
}

export function VerifyPage() {
  const { t } = useTranslation();
  const [documentFile, setDocumentFile] = useState<File | null>(null);
  const [bundleFile, setBundleFile] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [running, setRunning] = useState(false);
  const [fetchingKey, setFetchingKey] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [inputProblem, setInputProblem] = useState<'noDocument' | 'bundleNotJson' | null>(null);

  /** Any change of input makes the last result stale. */
  function changed() {
    setOutcome(null);
    setError(null);
    setInputProblem(null);
  }

  async function fillNodeKey() {
    setFetchingKey(true);
    setError(null);
    try {
      setKey((await api.logKey()).trim());
      changed();
    } catch (failure) {
      setError(failure);
    } finally {
      setFetchingKey(false);
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    changed();
    if (!documentFile) {
      setInputProblem('noDocument');
      return;
    }
    setRunning(true);
    try {
      const documentBytes = await readFile(documentFile);
      let bundleValue: unknown;
      if (bundleFile) {
        bundleValue = readBundleFile(await readFile(bundleFile));
        if (bundleValue === undefined) {
          setInputProblem('bundleNotJson');
          return;
        }
      } else {
        bundleValue = await fetchBundle(documentBytes);
      }
      const pasted = key.trim();
      const verifierKey = pasted || (await api.logKey()).trim();
      const nodeKey = !pasted;
      const verification = await verifyDocument(documentBytes, bundleValue, verifierKey);
      setOutcome({ verification, key: verifierKey, nodeKey, fetched: !bundleFile });
    } catch (failure) {
      setError(failure);
    } finally {
      setRunning(false);
    }
  }

  return (
    <>
      <PageHeader title={t('verify.title')} description={t('verify.description')} />
      <WebCryptoNotice />
      <form className="card form" onSubmit={(event) => void handleSubmit(event)} data-testid="verify-form" noValidate>
        <div className="dropzones">
          <DropZone
            label={t('verify.document.label')}
            hint={t('verify.document.hint')}
            file={documentFile}
            onFile={(file) => {
              setDocumentFile(file);
              changed();
            }}
            testId="verify-document"
          />
          <DropZone
            label={t('verify.bundle.label')}
            hint={t('verify.bundle.hint')}
            accept="application/json,.json"
            file={bundleFile}
            onFile={(file) => {
              setBundleFile(file);
              changed();
            }}
            testId="verify-bundle"
          />
        </div>
        <div className="field">
          <label htmlFor="verify-key">
            {t('verify.key.label')} <span className="field__optional">{t('common.optional')}</span>
          </label>
          <div className="field__inline">
            <input
              id="verify-key"
              autoCapitalize="none"
              autoComplete="off"
              spellCheck={false}
              placeholder="concord.nl/log+1a2b3c4d+AQ…"
              aria-describedby="verify-key-hint"
              value={key}
              onChange={(event) => {
                setKey(event.target.value);
                changed();
              }}
              data-testid="verify-key"
            />
            <button
              type="button"
              className="button"
              onClick={() => void fillNodeKey()}
              disabled={fetchingKey}
              data-testid="verify-use-node-key"
            >
              {t('verify.key.useNode')}
            </button>
          </div>
          <p className="field__hint" id="verify-key-hint">
            {t('verify.key.hint')}
          </p>
        </div>
        {inputProblem ? (
          <p className="alert alert--error" role="alert" data-testid="verify-input-problem">
            {t(`verify.problems.${inputProblem}`)}
          </p>
        ) : null}
        <ProblemAlert error={error} />
        <div className="form__actions form__actions--centered">
          <button type="submit" className="button button--primary" disabled={running} data-testid="verify-submit">
            {running ? t('verify.running') : t('verify.submit')}
          </button>
          <span className="field__hint">{t('verify.private')}</span>
        </div>
      </form>
      {outcome ? <Result outcome={outcome} /> : null}
    </>
  );
}
