// A stand-in for a DNS server, for tests of what alert sinks do with the answers they get (e.g. DNS rebinding).
import type { LookupAddress } from 'node:dns';
import type { Resolver } from '../../src/alerts/sinks/network-policy.js';

/** Answers each question with the next of `answers` (the last one from then on), and counts the questions. */
export function standInDns(...answers: LookupAddress[]): Resolver & { asked: number } {
  const resolve = async (): Promise<LookupAddress[]> => [answers[Math.min(resolve.asked++, answers.length - 1)]!];
  resolve.asked = 0;
  return resolve;
}

/** A DNS server that cannot be reached or does not know the name: every question fails as getaddrinfo's would. */
export const failingDns: Resolver = async (hostname) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};
