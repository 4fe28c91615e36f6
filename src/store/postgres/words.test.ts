// Words split for the PostgreSQL store are the embedded store's words: every code point, and random texts, are
// read here as SQLite's FTS5 tokenizer reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { embeddedCodePointClasses } from './embedded-words.js';
import { wordTables } from './generate-word-table.js';
import { DROPPED_RANGES, FOLD_RUNS, WORD_FLIPS } from './word-table.js';
import { phraseQuery, textWords, tsvectorText } from './words.js';

test('the word table is what the embedded store’s tokenizer does with every code point', () => {
  const classes = embeddedCodePointClasses();
  const tables = wordTables(classes);
  const current = { flips: [...WORD_FLIPS], folds: [...FOLD_RUNS], dropped: [...DROPPED_RANGES] };
  assert.deepEqual(current, tables, 'SQLite reads some code points differently now: run generate-word-table.ts');
  for (const [cp, c] of classes) {
    const expected = c.separator ? ['q', 'q'] : [`q${c.folded === 0 ? '' : String.fromCodePoint(c.folded)}q`];
    const got = textWords(`q${String.fromCodePoint(cp)}q`);
    if (got.length !== expected.length || got[0] !== expected[0]) assert.fail(`U+${cp.toString(16)}: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
  }
});

test('any text splits into the words the embedded store’s full-text index finds in it', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5 (text, tokenize = 'unicode61'); CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');`);
  const insert = db.prepare('INSERT INTO t (rowid, text) VALUES (1, ?)');
  const read = db.prepare('SELECT term FROM v ORDER BY offset').pluck();
  const clear = db.prepare('DELETE FROM t');
  const embedded = (text: string): string[] => {
    insert.run(text);
    const words = read.all() as string[];
    clear.run();
    return words;
  };
  const pieces = fc.constantFrom('Café', 'STRASSE', 'Straße', 'naïve', 'e\u0301', '櫓', 'yagura東京', 'ΣΑΣ ς', 'İ', 'ǅ', '198.51.100.7', "don't", '\ud800', '\u0301', '😀', ' ', '-', '_', '\u00a0', 'ﬁ', '①');
  const text = fc.array(fc.oneof(pieces, fc.string({ maxLength: 8, unit: 'grapheme' }), fc.string({ maxLength: 4, unit: 'binary' })), { maxLength: 12 }).map((p) => p.join(''));
  fc.assert(fc.property(text, (t) => assert.deepEqual(textWords(t), embedded(t), JSON.stringify(t))), { numRuns: 2000 });
  db.close();
});

test('a tsvector lists each word with its positions; a phrase is its words in a row, the last one a prefix if asked', () => {
  assert.equal(tsvectorText("port scans, PORT it's"), "'port':1,3 'scans':2 'it':4 's':5");
  assert.equal(phraseQuery({ words: ['198', '51', '100', '7'], prefix: true }), "'198' <-> '51' <-> '100' <-> '7':*");
  assert.equal(phraseQuery({ words: ['café'], prefix: false }), "'cafe'");
  assert.equal(phraseQuery({ words: ['\ue000'], prefix: false }), "'\ue000'", 'private use characters are word characters');
  assert.equal(phraseQuery({ words: ['\u0301'], prefix: true }), undefined, 'nothing left to search for');
  assert.equal(textWords('x'.repeat(300))[0]!.length, 255, 'long words are cut');
});
