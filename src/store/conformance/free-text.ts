// Conformance: bare words search the finding's text — how it splits into words, case and accents, phrases,
// prefixes, several terms at once — and full-text syntax typed by the user is only ever searched for as words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueryNode } from '../../query/ast.js';
import { parseQuery } from '../../query/parser.js';
import { f, T0 } from './fixtures.js';
import { storeTest, sharedStore, type StoreFactory } from './harness.js';
import { ALL_IDS, seedKqlCorpus, selector } from './kql-corpus.js';

export function describeFreeText(open: StoreFactory): void {
  describe('free text', () => {
    const store = sharedStore(open, seedKqlCorpus);
    const select = selector(store);

    test('free text matches words of the finding text in any case', async () => {
      assert.deepEqual(await select('probed'), ['f1']);
      assert.deepEqual(await select('PROBED'), ['f1']);
      assert.deepEqual(await select('instance'), ['f1', 'f2', 'f3']);
      assert.deepEqual(await select('instance outbound'), ['f3']);
      assert.deepEqual(await select('i-0abc'), ['f1']);
    });

    test('free text with punctuation matches the words as a phrase', async () => {
      assert.deepEqual(await select('198.51.100.7'), ['f1']);
      assert.deepEqual(await select('198.51.100.70'), ['f3']);
      assert.deepEqual(await select('"port scans"'), ['f3']);
      assert.deepEqual(await select('"scans port"'), []);
      assert.deepEqual(await select('Recon:EC2/Portscan'.replace(':', '\\:')), ['f3']);
    });

    test('a trailing wildcard in free text is a prefix search', async () => {
      assert.deepEqual(await select('portprobe*'), ['f1']);
      assert.deepEqual(await select('198.51.100.7*'), ['f1', 'f3']);
      assert.deepEqual(await select('198.51.100.*'), ['f1', 'f3']);
      assert.deepEqual(await select('"portprobe*"'), []);
    });

    test('several free-text terms of one and/or are combined as and/or says', async () => {
      assert.deepEqual(await select('probed or outbound'), ['f1', 'f3']);
      assert.deepEqual(await select('instance scans'), ['f3']);
      assert.deepEqual(await select('portprobe* instance'), ['f1']);
      assert.deepEqual(await select('"port scans" or 198.51.100.7 or nothing'), ['f1', 'f3']);
      assert.deepEqual(await select('instance and not outbound and not aws'), ['f1']);
      assert.deepEqual(await select('probed or type:Policy*'), ['f1', 'f5']);
      assert.deepEqual(await select('probed or "..."'), ALL_IDS);
      assert.deepEqual(await select('probed probed probed'), ['f1']);
    });

    test('free text without any word matches everything', async () => {
      assert.deepEqual(await select('*'), ALL_IDS);
      assert.deepEqual(await select('"...///"'), ALL_IDS);
      assert.deepEqual(await select('"\u0301" probed'), ['f1']);
    });

    test('full-text syntax in free text is searched for as words, never interpreted', async () => {
      const hostile = ['"', 'NEAR(', 'NEAR(a b, 1)', 'AND', 'OR', 'NOT', '^', ':', '-', '{}', '*', 'text:x', 'x OR y', '" OR "', 'a"b', '+', '(', ')', '!', '&', '|', '<->', "'", ':*', '\\'];
      for (const value of hostile) {
        const node: QueryNode = { kind: 'text', value: { text: value, quoted: true, wildcard: false } };
        await assert.doesNotReject(select(node), value);
      }
      assert.deepEqual(await select('"near(x) and or not"'), ['f4']);
      assert.deepEqual(await select(String.raw`"\"quoted\""`), ['f4']);
      assert.deepEqual(await select('"x OR probed"'), []);
      assert.deepEqual(await select('"NOT probed"'), []);
    });
  });

  storeTest(open, 'words are runs of letters and digits, matched without regard to case or accents', async (store) => {
    await store.upsert([
      f({ id: 'latin', extra: { title: 'Café Straße ÜBER naïve' } }),
      f({ id: 'cjk', extra: { title: '櫓 yagura東京 tokyo' } }),
      f({ id: 'marks', extra: { title: "x_y foo-bar v1.2.3 don't e-mail@example.com" } }),
    ], T0);
    const words = async (q: string): Promise<string[]> =>
      (await store.search({ query: parseQuery(q), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id).sort();
    for (const q of ['cafe', 'café', 'CAFÉ', 'über', 'uber', 'naive', 'straße', 'caf*', 'ü*', '"Café Straße"']) assert.deepEqual(await words(q), ['latin'], q);
    assert.deepEqual(await words('strasse'), [], 'ß is a letter of its own, not ss');
    assert.deepEqual(await words('櫓'), ['cjk']);
    assert.deepEqual(await words('yagura東京'), ['cjk'], 'letters of any script run together into one word');
    assert.deepEqual(await words('東京'), []);
    assert.deepEqual(await words('yagura'), []);
    for (const q of ['x', 'y', 'x_y', 'foo', 'bar', '"foo bar"', 'v1', 'don', 't', 'example', 'mail', 'e-mail']) assert.deepEqual(await words(q), ['marks'], q);
    assert.deepEqual(await words('1.2'), [], 'v1.2.3 holds the words v1, 2 and 3');
  });

  storeTest(open, 'finds a finding by the words of its current version only, when versions arrive in one batch or in several', async (store) => {
    const words = async (q: string): Promise<string[]> =>
      (await store.search({ query: parseQuery(q), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((x) => x.key.id);
    await store.upsert([
      f({ id: 'w1', extra: { title: 'First kestrel sighting' } }),
      f({ id: 'w1', extra: { title: 'Second osprey sighting' }, updatedAt: '2026-11-02T00:00:00.000Z' }),
      f({ id: 'w2', extra: { title: 'Lone heron' } }),
    ], T0);
    assert.deepEqual(await words('osprey'), ['w1']);
    assert.deepEqual(await words('kestrel'), [], 'the replaced version no longer matches');
    await store.upsert([f({ id: 'w2', extra: { title: 'Lone egret' }, updatedAt: '2026-11-03T00:00:00.000Z' })], T0 + 1);
    assert.deepEqual(await words('egret'), ['w2']);
    assert.deepEqual(await words('heron'), []);
    assert.deepEqual(await words('sighting'), ['w1']);
  });
}
