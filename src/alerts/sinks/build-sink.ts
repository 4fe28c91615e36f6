// Builds the sink for a destination: its type decides the channel, configuration decides the network policy.
import type { Destination } from '../destination.js';
import { EmailSink } from './email/email-sink.js';
import type { NetworkPolicy, Resolver } from './network-policy.js';
import type { Sink } from './sink.js';
import { SlackSink } from './slack/slack-sink.js';
import { TeamsSink } from './teams/teams-sink.js';
import { WebhookSink } from './webhook/webhook-sink.js';

export function buildSink(destination: Destination, policy: NetworkPolicy, timeoutMs: number, resolve?: Resolver): Sink {
  switch (destination.type) {
    case 'slack':
      return new SlackSink(destination.url, policy, resolve);
    case 'teams':
      return new TeamsSink(destination.url, policy, resolve);
    case 'webhook':
      return new WebhookSink(destination.url, destination.secret, policy, Date.now, resolve);
    case 'email':
      return new EmailSink({ ...destination, timeoutMs }, policy, resolve);
  }
}
