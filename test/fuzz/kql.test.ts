// Property-based fuzzing of KQL: parsing never fails but with a positioned QueryError, and every AST runs as SQL over findings only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import type { QueryNode, QueryValue } from '../../src/query/ast.js';
import { isFieldName } from '../../src/query/field-name.js';
import { MAX_WILDCARDS, parseQuery } from '../../src/query/parser.js';
import { QueryError } from '../../src/query/query-error.js';
import { compileQuery } from '../../src/store/sqlite/compile-query.js';
import { openDatabase } from '../../src/store/sqlite/sqlite-store.js';
import { buildUpsert } from '../../src/store/sqlite/upsert.js';
import { finding } from '../fixtures/findings.js';
import { bigKqlText, canonicalAst, kqlText, printQuery, printStyle } from './kql-arbitraries.js';
import { BranchCounter, FUZZ_RUNS, fuzzParameters } from './settings.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
/**
 * The only string literals compiled SQL may contain: its own json_tree type names, unixepoch's modifier, and ''
 * (with x'', the bounds that keep a range on the path index to text values).
 */
const SQL_LITERALS = new Set(['null', 'array', 'integer', 'real', 'text', 'subsec', '']);
const OPERATORS = new Set(['<', '<=', '>', '>=']);

/** Strings the lexer treats specially, lone surrogates and controls included. */
const awkwardString = fc.string({ unit: fc.constantFrom(...Array.from('a1 ()":<>\\*\u0000\n\t\u00a0\u2028\ud800\udfff\ufeffé')), maxLength: 40 });

/** Asserts that `node` has the shape the parser promises; `top` allows the empty query's `all`. */
function assertWellFormed(node: QueryNode, top = true): void {
  switch (node.kind) {
    case 'all':
      assert.ok(top, 'only the whole query may be "all"');
      return;
    case 'and':
    case 'or':
      assert.ok(node.children.length >= 2, `${node.kind} with ${node.children.length} children`);
      for (const c of node.children) {
        assert.notEqual(c.kind, node.kind, `nested ${node.kind} not flattened`);
        assertWellFormed(c, false);
      }
      return;
    case 'not':
      assert.notEqual(node.child.kind, 'not', 'double negation not collapsed');
      assertWellFormed(node.child, false);
      return;
    case 'exists':
      assert.ok(isFieldName(node.field), `invalid field ${node.field}`);
      return;
    case 'match':
    case 'range':
      assert.ok(isFieldName(node.field), `invalid field ${node.field}`);
      if (node.kind === 'range') {
        assert.ok(OPERATORS.has(node.op));
        assert.equal(node.value.wildcard, false, 'a range with a wildcard');
      }
      assertValue(node.value);
      return;
    case 'text':
      assertValue(node.value);
  }
}

function assertValue(value: QueryValue): void {
  assert.equal(typeof value.text, 'string');
  if (value.wildcard) {
    assert.equal(value.quoted, false, 'a quoted wildcard');
    const stars = value.text.split('*').length - 1;
    assert.ok(stars >= 1 && stars <= MAX_WILDCARDS, `${stars} wildcards`);
  }
}

/** Parses `text`; any failure must be a QueryError with code INVALID_QUERY and a position inside the text. */
function parseOrError(text: string): QueryNode | QueryError {
  try {
    const ast = parseQuery(text);
    assertWellFormed(ast);
    return ast;
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    assert.equal(error.code, 'INVALID_QUERY');
    assert.ok(Number.isInteger(error.position), `no position: ${error.message}`);
    assert.ok(error.position! >= 0 && error.position! <= text.length, `position ${error.position} outside 0..${text.length}`);
    assert.ok(error.message.length > 10);
    return error;
  }
}

describe('KQL under fuzzing', () => {
  let db: Database.Database;
  let rowids: Set<number>;
  let schema: unknown;
  let changes: unknown;

  before(() => {
    db = openDatabase(':memory:');
    const docs = [
      finding({ id: 'k1' }),
      finding({ id: 'k2', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2, ip: '203.0.113.9', archived: true, title: 'Ünïcödé 櫓 port probe' }),
      finding({ id: 'k3', severity: 9.5, sample: true, extra: { a: { b: ['x', 7, null] }, '@timestamp': '2026-11-20T08:00:00Z', ü: { 櫓: 1 }, doc: 'doc', rowid: 1 } }),
      finding({ id: 'k4', accountId: '210987654321', region: 'eu-west-1', count: 7, updatedAt: '2026-11-22T08:00:00.000Z', extra: { a: [{ b: 'Recon:x' }, { b: 2 }] } }),
    ];
    buildUpsert(db)(docs, NOW);
    rowids = new Set(db.prepare('SELECT rowid FROM findings').pluck().all() as number[]);
    schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    changes = db.prepare('SELECT total_changes()').pluck().get();
  });
  after(() => db.close());

  /** Compiles and runs `ast` over the seeded findings: semantic QueryErrors are fine, anything else fails. */
  function run(ast: QueryNode, counter: BranchCounter): void {
    let compiled;
    try {
      compiled = compileQuery(ast, { now: NOW });
    } catch (error) {
      if (error instanceof QueryError && error.code === 'INVALID_QUERY') return;
      throw error;
    }
    counter.reach('ran');
    const { sql, params } = compiled;
    // User text travels only as parameters: the SQL is ASCII, its literals are the compiler's own, one `?` per parameter.
    assert.match(sql, /^[\x20-\x7e]*$/, 'non-ASCII text in the SQL');
    for (const [, literal] of sql.matchAll(/'([^']*)'/g)) assert.ok(SQL_LITERALS.has(literal!), `foreign literal '${literal}' in ${sql}`);
    assert.equal(sql.split('?').length - 1, params.length, 'placeholders and parameters differ');
    const count = db.prepare(`SELECT count(*) FROM findings f WHERE ${sql}`).pluck().get(...params) as number;
    const found = db.prepare(`SELECT f.rowid FROM findings f WHERE ${sql}`).pluck().all(...params) as number[];
    assert.equal(count, found.length);
    for (const r of found) assert.ok(rowids.has(r), `row ${r} is not a finding`);
    assert.deepEqual(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(), schema, 'the schema changed');
    assert.equal(db.prepare('SELECT total_changes()').pluck().get(), changes, 'a query wrote to the database');
  }

  test('parseQuery answers any string with an AST or a positioned QueryError', () => {
    const anyString = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      awkwardString,
      fc.string({ minLength: 10_001, maxLength: 10_020 }),
    );
    fc.assert(fc.property(anyString, (text) => void parseOrError(text)), fuzzParameters());
  });

  test('parseQuery answers plausible and broken KQL with an AST or a positioned QueryError', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(kqlText, (text) => {
        counter.run();
        if (!(parseOrError(text) instanceof QueryError)) counter.reach('parsed');
      }),
      fuzzParameters(),
    );
    counter.report('plausible KQL');
    counter.requireShare('parsed', 0.4);
  });

  test('every parsed AST compiles to SQL that SQLite runs over findings only, or to a semantic QueryError', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(fc.oneof(kqlText, awkwardString, fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
        counter.run();
        const ast = parseOrError(text);
        if (!(ast instanceof QueryError)) run(ast, counter);
      }),
      fuzzParameters(),
    );
    counter.report('parsed text');
    counter.requireShare('ran', 0.4);
  });

  test('queries near the limits (hundreds of terms, 64 levels of parentheses) parse and run', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(bigKqlText, (text) => {
        counter.run();
        const ast = parseOrError(text);
        if (!(ast instanceof QueryError)) run(ast, counter);
      }),
      fuzzParameters(Math.max(10, Math.ceil(FUZZ_RUNS / 10))),
    );
    counter.report('big KQL');
    counter.requireShare('ran', 0.2);
  });

  test('generated ASTs printed as KQL parse back to the same AST', () => {
    fc.assert(
      fc.property(canonicalAst, printStyle, (ast, style) => {
        const text = printQuery(ast, style);
        assert.deepEqual(parseQuery(text), ast, `printed as ${JSON.stringify(text)}`);
      }),
      fuzzParameters(),
    );
  });

  test('generated ASTs compile to SQL that SQLite runs over findings only, or to a semantic QueryError', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(canonicalAst, (ast) => {
        counter.run();
        run(ast, counter);
      }),
      fuzzParameters(),
    );
    counter.report('generated ASTs');
    counter.requireShare('ran', 0.35);
  });
});
