import { readFile } from 'node:fs/promises';
import { ConcordError } from '../kernel/index.js';

/** Reads a password from a file; one trailing newline (LF or CRLF) is ignored, any other whitespace is kept. */
export async function readPasswordFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConcordError('REQUEST_INVALID', `cannot read password file ${path}`, { path }, { cause });
  }
  return text.replace(/\r?\n$/, '');
}
