import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import { Badge } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { WebCryptoNotice } from '../components/webcrypto-notice.js';
import { formatDateTime, formatList } from '../format.js';
import { checkHistory, type HistoryCheck } from '../lib/log-history.js';
import { checkEntryInclusion, decodeEntry, readCheckpoint, type CheckpointView } from '../lib/log-proofs.js';
import { witnessLabel } from '../lib/signed-note.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';

const PAGE_SIZE = 20;

/** What the browser found for one entry's inclusion proof. */
type ProofState =
  | { status: 'checking' }
  | { status: 'ok' }
  | { status: 'failed'; code: string; reason: string }
  | { status: 'error'; error: unknown };

/** The check against the checkpoint this browser saw before; none when the signature failed. */
type HistoryState = HistoryCheck | { status: 'error'; error: unknown } | undefined;

/** A hash (64 hex digits) cut to its first 12 for the summary; the full entry is one click away. */
function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[0-9a-f]{64}$/.test(text) ? `${text.slice(0, 12)}…` : text;
}

/** The fields of an entry other than its type and time, as `name value` pairs. */
function EntrySummary({ value }: { value: Record<string, unknown> }) {
  const fields = Object.entries(value).filter(([name]) => name !== 'type' && name !== 'at');
  return (
    <ul className="entry-summary">
      {fields.map(([name, field]) => (
        <li key={name}>
          <span className="entry-summary__name">{name}</span> <code>{shorten(field)}</code>
        </li>
      ))}
    </ul>
  );
}

function SignatureStatus({ checkpoint }: { checkpoint: CheckpointView }) {
  const { t } = useTranslation();
  const { signature } = checkpoint;
  if (signature.status === 'valid') {
    return (
      <>
        <Badge tone="success" testId="checkpoint-signature">
          {t('log.checkpoint.signatureValid')}
        </Badge>
        <span className="cell-secondary">{t('log.checkpoint.signatureValidHint')}</span>
      </>
    );
  }
  if (signature.status === 'unsupported') {
    return (
      <>
        <Badge tone="neutral" testId="checkpoint-signature">
          {t('log.checkpoint.signatureUnchecked')}
        </Badge>
        <span className="cell-secondary">{t('log.checkpoint.signatureUnsupported')}</span>
      </>
    );
  }
  return (
    <>
      <Badge tone="danger" testId="checkpoint-signature">
        {t('log.checkpoint.signatureInvalid')}
      </Badge>
      <span className="cell-secondary">
        {t(`log.failures.${signature.code}`)} <code>{signature.code}</code>
      </span>
    </>
  );
}

function Witnesses({ checkpoint }: { checkpoint: CheckpointView }) {
  const { t, i18n } = useTranslation();
  const names = [...new Set(checkpoint.cosignatures.map((line) => witnessLabel(line.name)))];
  if (names.length === 0) return <span className="muted">{t('log.checkpoint.notWitnessed')}</span>;
  return (
    <>
      <span data-testid="checkpoint-witnesses">
        {t('log.checkpoint.witnessedBy', { witnesses: formatList(names, i18n.language) })}
      </span>
      <ul className="witness-list">
        {checkpoint.cosignatures.map((line) => (
          <li key={`${line.name}-${line.keyId}`}>
            <code>{line.name}</code>{' '}
            <time className="muted" dateTime={new Date(line.timestamp * 1000).toISOString()}>
              {formatDateTime(new Date(line.timestamp * 1000).toISOString(), i18n.language, true)}
            </time>
          </li>
        ))}
      </ul>
      <span className="cell-secondary">{t('log.checkpoint.witnessHint')}</span>
    </>
  );
}

function History({ history }: { history: HistoryState }) {
  const { t, i18n } = useTranslation();
  if (!history) return <span className="muted">{t('log.history.unchecked')}</span>;
  if (history.status === 'error') return <ProblemAlert error={history.error} />;
  if (history.status === 'first') return <span className="muted">{t('log.history.first')}</span>;
  const seen = {
    size: history.seen.size,
    date: formatDateTime(history.seen.seenAt, i18n.language, true),
  };
  if (history.status === 'inconsistent') {
    return (
      <>
        <span className="mark mark--failed">
          <span aria-hidden="true">✗</span> {t('log.history.inconsistent', seen)}
        </span>{' '}
        <code>{history.code}</code>
      </>
    );
  }
  return (
    <span className="mark mark--ok">
      <span aria-hidden="true">✓</span> {t(`log.history.${history.status}`, seen)}
    </span>
  );
}

function CheckpointCards({ checkpoint, history }: { checkpoint: CheckpointView; history: HistoryState }) {
  const { t } = useTranslation();
  const { body } = checkpoint;
  return (
    <div className="grid grid--node">
      <section className="card" aria-labelledby="log-checkpoint" data-testid="checkpoint">
        <h2 id="log-checkpoint" className="card__title">
          {t('log.checkpoint.title')}
        </h2>
        <dl className="facts">
          <div>
            <dt>{t('log.checkpoint.origin')}</dt>
            <dd>
              <code data-testid="checkpoint-origin">{body.origin}</code>
            </dd>
          </div>
          <div>
            <dt>{t('log.checkpoint.size')}</dt>
            <dd data-testid="checkpoint-size">{body.size}</dd>
          </div>
          <div>
            <dt>{t('log.checkpoint.rootHash')}</dt>
            <dd className="key__value">
              <code className="breakable" data-testid="checkpoint-root">
                {body.rootHashText}
              </code>
              <CopyButton value={body.rootHashText} label={t('log.checkpoint.copyRoot')} />
            </dd>
          </div>
          <div>
            <dt>{t('log.checkpoint.signature')}</dt>
            <dd>
              <SignatureStatus checkpoint={checkpoint} />
            </dd>
          </div>
          <div>
            <dt>{t('log.history.label')}</dt>
            <dd data-testid="checkpoint-history">
              <History history={history} />
            </dd>
          </div>
          <div>
            <dt>{t('log.checkpoint.witnesses')}</dt>
            <dd>
              <Witnesses checkpoint={checkpoint} />
            </dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="log-note">
        <div className="card__header">
          <h2 id="log-note" className="card__title">
            {t('log.note.title')}
          </h2>
          <CopyButton value={checkpoint.raw} label={t('log.note.copy')} />
        </div>
        <p className="card__description">{t('log.note.description')}</p>
        <pre className="note" data-testid="checkpoint-note" tabIndex={0} aria-label={t('log.note.title')}>
          {checkpoint.raw}
        </pre>
        <p className="field__hint">{t('log.note.key')}</p>
        <div className="key__value">
          <code className="breakable" data-testid="log-key">
            {checkpoint.verifierKey}
          </code>
          <CopyButton value={checkpoint.verifierKey} label={t('log.note.copyKey')} />
        </div>
      </section>
    </div>
  );
}

function ProofResult({ state }: { state: ProofState | undefined }) {
  const { t } = useTranslation();
  if (!state) return null;
  if (state.status === 'checking') return <span className="muted">{t('log.entries.checking')}</span>;
  if (state.status === 'ok') {
    return (
      <span className="mark mark--ok" data-testid="proof-ok">
        <span aria-hidden="true">✓</span> {t('log.entries.included')}
      </span>
    );
  }
  if (state.status === 'failed') {
    return (
      <span title={state.reason}>
        <span className="mark mark--failed" data-testid="proof-failed">
          <span aria-hidden="true">✗</span> {t('log.entries.notIncluded')}
        </span>{' '}
        <code data-testid="proof-code">{state.code}</code>
      </span>
    );
  }
  return <ProblemAlert error={state.error} />;
}

function EntriesTable({ checkpoint }: { checkpoint: CheckpointView }) {
  const { t, i18n } = useTranslation();
  const { size } = checkpoint.body;
  const [page, setPage] = useState(0);
  const [proofs, setProofs] = useState<Record<number, ProofState>>({});
  const pages = Math.max(1, Math.ceil(size / PAGE_SIZE));
  const end = Math.max(0, size - page * PAGE_SIZE);
  const start = Math.max(0, end - PAGE_SIZE);

  const load = useCallback((signal: AbortSignal) => api.logEntries(start, end, signal), [start, end]);
  const entries = useResource(load);

  async function verify(index: number, entryBytes: Uint8Array) {
    setProofs((previous) => ({ ...previous, [index]: { status: 'checking' } }));
    let state: ProofState;
    try {
      const proof = await api.inclusionProof(index, size);
      const verdict = await checkEntryInclusion(entryBytes, index, proof, checkpoint.body);
      state = verdict.ok ? { status: 'ok' } : { status: 'failed', code: verdict.code, reason: verdict.reason };
    } catch (error) {
      state = { status: 'error', error };
    }
    setProofs((previous) => ({ ...previous, [index]: state }));
  }

  const rows = [...(entries.data?.entries ?? [])].sort((a, b) => b.index - a.index);

  return (
    <section aria-labelledby="log-entries">
      <h2 id="log-entries" className="section-title">
        {t('log.entries.title')}
      </h2>
      <p className="section-description">{t('log.entries.description')}</p>
      {entries.data && entries.data.size > size ? (
        <p className="alert alert--info" data-testid="log-pending">
          {t('log.entries.pending', { count: entries.data.size - size })}
        </p>
      ) : null}
      <ProblemAlert error={entries.error} />
      {!entries.data && entries.loading ? <Spinner /> : null}
      {entries.data ? (
        <div className="table-wrap">
          <table className="table table--dense" data-testid="log-entries">
            <caption>
              {size === 0
                ? t('log.entries.captionEmpty')
                : t('log.entries.caption', { first: start, last: end - 1, size })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('log.entries.columns.index')}</th>
                <th scope="col">{t('log.entries.columns.type')}</th>
                <th scope="col">{t('log.entries.columns.at')}</th>
                <th scope="col">{t('log.entries.columns.summary')}</th>
                <th scope="col">{t('log.entries.columns.proof')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={5} className="table__empty">
                    {t('log.entries.empty')}
                  </td>
                </tr>
              ) : null}
              {rows.map((row) => {
                const decoded = decodeEntry(row.entry);
                const value = decoded?.value;
                const type = typeof value?.type === 'string' ? value.type : undefined;
                const at = typeof value?.at === 'string' ? value.at : undefined;
                const typeKey = type ? `log.entryTypes.${type.replace(/[.-]/g, '_')}` : undefined;
                const state = proofs[row.index];
                return (
                  <tr key={row.index} data-testid={`log-entry-${row.index}`}>
                    <td className="nowrap">
                      <span className="cell-primary">{row.index}</span>
                    </td>
                    <td>
                      {type ? (
                        <>
                          {typeKey && i18n.exists(typeKey) ? <span className="cell-primary">{t(typeKey)}</span> : null}
                          <code className="cell-secondary nowrap">{type}</code>
                        </>
                      ) : (
                        <Badge tone="danger">{t('log.entries.unreadable')}</Badge>
                      )}
                    </td>
                    <td className="nowrap">
                      {at ? (
                        <time dateTime={at}>{formatDateTime(at, i18n.language, true)}</time>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      {value ? (
                        <>
                          <EntrySummary value={value} />
                          <details className="json-details">
                            <summary>{t('log.entries.showJson')}</summary>
                            <pre>{JSON.stringify(value, null, 2)}</pre>
                          </details>
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="proof-cell">
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => decoded && void verify(row.index, decoded.bytes)}
                        disabled={!decoded || state?.status === 'checking'}
                        aria-label={t('log.entries.verifyEntry', { index: row.index })}
                        data-testid={`verify-entry-${row.index}`}
                      >
                        {t('log.entries.verify')}
                      </button>
                      <div role="status" className="proof-cell__result" data-testid={`proof-${row.index}`}>
                        <ProofResult state={state} />
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages > 1 ? (
        <nav className="pager pager--row" aria-label={t('log.entries.pages')}>
          <button
            type="button"
            className="button"
            onClick={() => setPage((current) => current - 1)}
            disabled={page === 0}
            data-testid="log-newer"
          >
            {t('log.entries.newer')}
          </button>
          <span className="muted">{t('log.entries.page', { page: page + 1, pages })}</span>
          <button
            type="button"
            className="button"
            onClick={() => setPage((current) => current + 1)}
            disabled={page + 1 >= pages}
            data-testid="log-older"
          >
            {t('log.entries.older')}
          </button>
        </nav>
      ) : null}
    </section>
  );
}

export function LogPage() {
  const { t } = useTranslation();
  const load = useCallback(async (signal: AbortSignal) => {
    const [note, key] = await Promise.all([api.checkpoint(signal), api.logKey(signal)]);
    const checkpoint = await readCheckpoint(note, key);
    // Only a checkpoint the node's key signed (or that this browser cannot check) is worth remembering.
    let history: HistoryState;
    if (checkpoint.signature.status !== 'invalid') {
      history = await checkHistory(checkpoint.body, (from, to) => api.consistencyProof(from, to, signal)).catch(
        (error: unknown) => ({ status: 'error' as const, error }),
      );
    }
    return { checkpoint, history };
  }, []);
  const loaded = useResource(load);
  const checkpoint = loaded.data?.checkpoint;

  return (
    <>
      <PageHeader
        title={t('log.title')}
        description={t('log.description')}
        actions={
          <>
            <Link to="/verify" className="button" data-testid="log-verify-document">
              {t('log.verifyDocument')}
            </Link>
            <RefreshButton
              onClick={loaded.reload}
              loading={loaded.loading}
              refreshing={loaded.loading && Boolean(checkpoint)}
              testId="log-refresh"
            />
          </>
        }
      />
      <WebCryptoNotice />
      <ProblemAlert error={loaded.error} />
      {!checkpoint && loaded.loading ? <Spinner /> : null}
      {checkpoint ? (
        <>
          <CheckpointCards checkpoint={checkpoint} history={loaded.data?.history} />
          {/* Proof results belong to one tree: a new checkpoint starts the table afresh. */}
          <EntriesTable key={`${checkpoint.body.size}:${checkpoint.body.rootHashText}`} checkpoint={checkpoint} />
        </>
      ) : null}
    </>
  );
}
