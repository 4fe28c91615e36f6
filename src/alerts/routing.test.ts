// Routes by account ID, account name and account tag, from the configured account catalog.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccountCatalog, routeMatches } from './routing.js';

describe('alert routing', () => {
  const catalog = new AccountCatalog({ '111122223333': { name: 'prod-payments', tags: ['production', 'pci'] }, '444455556666': { tags: [] } });

  test('a route without matchers takes every account', () => {
    assert.ok(routeMatches({ destination: 'd' }, '999999999999', catalog));
  });

  test('a route takes an account named by ID, by name or by tag, and no other', () => {
    assert.ok(routeMatches({ destination: 'd', accounts: ['111122223333'] }, '111122223333', catalog));
    assert.ok(routeMatches({ destination: 'd', accountNames: ['prod-payments'] }, '111122223333', catalog));
    assert.ok(routeMatches({ destination: 'd', accountTags: ['pci'] }, '111122223333', catalog));
    assert.ok(!routeMatches({ destination: 'd', accountTags: ['production'] }, '444455556666', catalog));
    assert.ok(!routeMatches({ destination: 'd', accountNames: ['prod-payments'] }, '999999999999', catalog));
  });
});
