// Destinations: where alerts go (Slack, Teams, a signed webhook, email), with secrets kept out of answers.
import { z } from 'zod';

const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), 'must be an http or https URL');

export const destinationSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('slack'), name: z.string().min(1).max(200), url: httpUrl }).strict(),
  z.object({ type: z.literal('teams'), name: z.string().min(1).max(200), url: httpUrl }).strict(),
  z
    .object({
      type: z.literal('webhook'),
      name: z.string().min(1).max(200),
      url: httpUrl,
      /** HMAC-SHA256 key for the signature header. */
      secret: z.string().min(16, 'the secret must be at least 16 characters').max(512),
    })
    .strict(),
  z
    .object({
      type: z.literal('email'),
      name: z.string().min(1).max(200),
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).default(587),
      /** `starttls`: upgrade required; `tls`: TLS from the first byte (port 465); `none`: plain (loopback relays only). */
      security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
      username: z.string().min(1).max(256).optional(),
      password: z.string().min(1).max(512).optional(),
      from: z.email().max(320),
      to: z.array(z.email().max(320)).min(1).max(100),
    })
    .strict()
    .refine((d) => d.security !== 'none' || d.password === undefined, { message: 'a password is never sent without TLS: use security starttls or tls', path: ['password'] }),
]);
export type DestinationSpec = z.infer<typeof destinationSpecSchema>;
export type DestinationType = DestinationSpec['type'];

export type Destination = DestinationSpec & {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
};

/** The secret-bearing fields of each type; an update may leave them out to keep the stored values. */
export const SECRET_FIELDS: Readonly<Record<DestinationType, readonly string[]>> = {
  slack: ['url'],
  teams: ['url'],
  webhook: ['secret'],
  email: ['password'],
};

/** `https://hooks.slack.com/…/****`: enough to recognise the receiver, nothing that lets one post to it. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…/****`;
}

/** A destination as the API shows it: incoming-webhook URLs shortened, secrets and passwords left out. */
export function presentDestination(d: Destination): Record<string, unknown> {
  const base = { id: d.id, name: d.name, type: d.type, createdAt: new Date(d.createdAt).toISOString(), updatedAt: new Date(d.updatedAt).toISOString() };
  switch (d.type) {
    case 'slack':
    case 'teams':
      return { ...base, url: redactUrl(d.url) };
    case 'webhook':
      return { ...base, url: redactUrl(d.url), secretSet: true };
    case 'email':
      return { ...base, host: d.host, port: d.port, security: d.security, ...(d.username && { username: d.username }), passwordSet: d.password !== undefined, from: d.from, to: d.to };
  }
}
