// The word filter masks whole listed words in any case, and nothing else.
import { describe, expect, test } from '@jest/globals';
import { wordFilter } from './word-filter.js';

describe('wordFilter', () => {
  const f = wordFilter(['darn', 'heck', 'a.b']);
  test('whole words, any case, the mask as long as the word', () => {
    expect(f('Darn it, HECK!')).toBe('**** it, ****!');
    expect(f('darned heckle')).toBe('darned heckle');
    expect(f('a.b and axb')).toBe('*** and axb'); // listed words are taken literally
  });
  test('letters of any script glue a word to its neighbours', () => {
    expect(f('éheck hecké heck')).toBe('éheck hecké ****');
  });
  test('no words: lines pass unchanged', () => {
    expect(wordFilter([])('darn')).toBe('darn');
    expect(wordFilter([' ', ''])('darn')).toBe('darn');
  });
});
