// Writes docs/errors.md from the error catalogue: `node --import tsx scripts/errors-doc.ts`.
import { writeFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '../src/kernel/errors.js';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(
    ([code, { status, title }]) => `| \`${code}\` | ${status} | ${title} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error Concord raises has a stable code. Over HTTP it arrives as an RFC 9457 problem+json body:',
    '',
    '```json',
    '{ "type": "urn:concord:problem:AUTH_FORBIDDEN", "title": "Your roles do not allow this action",',
    '  "status": 403, "detail": "requires one of the roles: auditor", "code": "AUTH_FORBIDDEN",',
    '  "instance": "/api/v1/audit" }',
    '```',
    '',
    'Validation errors add `errors: [{ pointer, message }]` with a JSON Pointer to each offending field. The CLI',
    'prints `concord: CODE: detail` on standard error and exits with 1 (2 for a usage error).',
    '',
    'This file is generated from `src/kernel/errors.ts` by `node --import tsx scripts/errors-doc.ts`; a test fails',
    'when the two differ.',
    '',
    '| code | HTTP status | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
}
