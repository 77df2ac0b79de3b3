import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

function normalize(text: string): string {
  return text
    .trim()
    .replace(/[.!]+$/, '')
    .toLowerCase();
}

/**
 * Shows an error of the node: a translated message for the codes we know (the node's own `detail` underneath when
 * it says more), else the node's `detail` or `title`; always with the stable code, which support needs.
 */
export function ProblemAlert({ error, testId }: { error: unknown; testId?: string }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;

  let message: string;
  let secondary: string | undefined;
  let code: string | undefined;
  if (error instanceof ApiError) {
    code = error.code;
    const serverText = error.problem.detail || error.problem.title;
    const key = `errors.codes.${error.code}`;
    if (i18n.exists(key)) {
      message = t(key);
      if (serverText && normalize(serverText) !== normalize(message)) secondary = serverText;
    } else {
      message = serverText;
    }
  } else {
    message = t('errors.unexpected');
    secondary = error instanceof Error ? error.message : undefined;
  }

  return (
    <div className="alert alert--error" role="alert" data-testid={testId ?? 'problem'}>
      <span className="alert__icon" aria-hidden="true">
        !
      </span>
      <div className="alert__body">
        <p className="alert__message">{message}</p>
        {secondary ? <p className="alert__detail">{secondary}</p> : null}
        {code ? (
          <p className="alert__code">
            {t('errors.code')} <code data-testid="problem-code">{code}</code>
          </p>
        ) : null}
      </div>
    </div>
  );
}
