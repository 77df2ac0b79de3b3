import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Messages = { [key: string]: string | Messages };

const read = (language: string) =>
  JSON.parse(readFileSync(new URL(`../web/src/i18n/${language}.json`, import.meta.url), 'utf8')) as Messages;

/** Every message key as a dotted path, with i18next's plural suffixes folded (French and English plurals differ). */
function keys(messages: Messages, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(messages)) {
    const path = `${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (typeof value === 'string') out.add(path);
    else for (const inner of keys(value, `${path}.`)) out.add(inner);
  }
  return out;
}

/** The `{{name}}` placeholders of every message, by key. */
function placeholders(messages: Messages, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') {
      const names = [...value.matchAll(/\{\{\s*(\w+)/g)].map((match) => match[1]).sort();
      out.set(`${prefix}${key}`, [...new Set(names)].join(','));
    } else placeholders(value, `${prefix}${key}.`, out);
  }
  return out;
}

describe('the web console messages', () => {
  const en = read('en');
  const fr = read('fr');

  it('has every English message in French and nothing more', () => {
    const english = keys(en);
    const french = keys(fr);
    expect([...english].filter((key) => !french.has(key))).toEqual([]);
    expect([...french].filter((key) => !english.has(key))).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const english = placeholders(en);
    const french = placeholders(fr);
    const differ = [...english].filter(([key, names]) => {
      const base = key.replace(/_(zero|one|two|few|many|other)$/, '');
      const match = french.get(key) ?? french.get(`${base}_other`) ?? french.get(base);
      return match !== undefined && match !== names && !key.endsWith('_one');
    });
    expect(differ).toEqual([]);
  });
});
