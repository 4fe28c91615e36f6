// What the embedded store's full-text index (SQLite FTS5, tokenizer unicode61) makes of every code point: the
// source of word-table.ts, regenerated with generate-word-table.ts and checked against it by words.test.ts.
import Database from 'better-sqlite3';

/** One code point in a word: 0 when it is dropped (a diacritic), else the code point it folds to (maybe itself). */
export type CodePointClass = { readonly separator: true } | { readonly separator: false; readonly folded: number };

const LAST = 0x10ffff;
const PER_ROW = 4096;

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/**
 * Asks SQLite how unicode61 (with its default diacritic removal, as the embedded store's `findings_text` uses it)
 * reads each code point but NUL and the surrogates: each goes between two `q`s, so a separator leaves the two
 * `q` words, and a word character leaves one word `q?q` with the character as unicode61 folds it.
 */
export function embeddedCodePointClasses(): Map<number, CodePointClass> {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5 (text, tokenize = 'unicode61');
             CREATE VIRTUAL TABLE words USING fts5vocab (t, 'instance');`);
    const insert = db.prepare('INSERT INTO t (rowid, text) VALUES (?, ?)');
    const rows: number[][] = [];
    db.transaction(() => {
      for (let first = 1; first <= LAST; first += PER_ROW) {
        const points: number[] = [];
        for (let cp = first; cp < first + PER_ROW && cp <= LAST; cp++) if (!isSurrogate(cp)) points.push(cp);
        if (points.length === 0) continue;
        insert.run(rows.length + 1, points.map((cp) => `q${String.fromCodePoint(cp)}q`).join(' '));
        rows.push(points);
      }
    })();
    const terms = new Map<number, string[]>();
    for (const r of db.prepare('SELECT doc, term FROM words ORDER BY doc, offset').iterate() as Iterable<{ doc: number; term: string }>) {
      let list = terms.get(r.doc);
      if (list === undefined) terms.set(r.doc, (list = []));
      list.push(r.term);
    }
    const classes = new Map<number, CodePointClass>();
    rows.forEach((points, i) => {
      const words = terms.get(i + 1) ?? [];
      let at = 0;
      for (const cp of points) {
        const word = words[at++];
        if (word === 'q') {
          if (words[at++] !== 'q') throw new Error(`unexpected words around U+${cp.toString(16)}`);
          classes.set(cp, { separator: true });
          continue;
        }
        const inner = word?.startsWith('q') && word.endsWith('q') ? [...word.slice(1, -1)] : undefined;
        if (inner === undefined || inner.length > 1) throw new Error(`unexpected word ${JSON.stringify(word)} for U+${cp.toString(16)}`);
        classes.set(cp, { separator: false, folded: inner.length === 0 ? 0 : inner[0]!.codePointAt(0)! });
      }
    });
    return classes;
  } finally {
    db.close();
  }
}
