/**
 * Text normalization shared by the searches of this module: case and accent folding so that "Côte d’Ivoire" finds
 * "cote d'ivoire", and a deliberately simple English plural stemmer so that "batteries" finds "battery". Index and
 * query go through the same functions, so a stem only has to be consistent, not a dictionary word.
 */

/**
 * Lower case, compatibility-decomposed (NFKD: "ﬁ" → "fi", "²" → "2") and without combining marks ("é" → "e").
 *
 * @example
 * foldText('Côte d’Ivoire'); // 'cote d’ivoire'
 */
export function foldText(text: string): string {
  // Most reference text is printable ASCII, which NFKD leaves as it is: skip the expensive step.
  if (!/[^ -~]/.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Folded letters-and-digits words of `text`, in order. */
export function words(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A key for comparing names: folded words joined by single spaces ("Pays-Bas (les)" → "pays bas les"). */
export function nameKey(text: string): string {
  return words(text).join(' ');
}

/** Plurals English does not form with -s. */
const IRREGULAR_PLURALS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    men: 'man',
    women: 'woman',
    children: 'child',
    teeth: 'tooth',
    feet: 'foot',
    geese: 'goose',
    mice: 'mouse',
    knives: 'knife',
    leaves: 'leaf',
    halves: 'half',
    calves: 'calf',
    shelves: 'shelf',
    loaves: 'loaf',
    hooves: 'hoof',
    wolves: 'wolf',
  }),
);

/**
 * The singular of an English plural, by suffix rules (batteries → battery, boxes → box, glasses → glass,
 * tomatoes → tomato, articles → article). Words ending in -ss, -us or -is, and words of three letters or fewer, are
 * left alone (glass, asbestos → asbesto is harmless: the index and the query agree).
 */
export function stemWord(word: string): string {
  const irregular = IRREGULAR_PLURALS.get(word);
  if (irregular !== undefined) return irregular;
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (/(?:x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('oes') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('s') && !/(?:ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}
