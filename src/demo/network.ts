// Remote parties for demo findings: addresses from documentation ranges only, with plausible geo and ASN data.
import { Random, WeightedTable, zipfWeights } from './random.js';

interface Place {
  readonly country: string;
  readonly city: string;
  readonly lat: number;
  readonly lon: number;
  /** Indexes into ORGANIZATIONS that plausibly announce addresses here. */
  readonly orgs: readonly number[];
}

const ORGANIZATIONS: readonly (readonly [asn: string, name: string])[] = [
  ['16276', 'OVH SAS'],
  ['14061', 'DigitalOcean, LLC'],
  ['24940', 'Hetzner Online GmbH'],
  ['20473', 'The Constant Company, LLC'],
  ['4134', 'Chinanet'],
  ['4837', 'CHINA UNICOM China169 Backbone'],
  ['45090', 'Shenzhen Tencent Computer Systems Company Limited'],
  ['37963', 'Hangzhou Alibaba Advertising Co.,Ltd.'],
  ['9009', 'M247 Europe SRL'],
  ['60781', 'LeaseWeb Netherlands B.V.'],
  ['51167', 'Contabo GmbH'],
  ['53667', 'FranTech Solutions'],
  ['4766', 'Korea Telecom'],
  ['45899', 'VNPT Corp'],
  ['12389', 'PJSC Rostelecom'],
  ['9829', 'National Internet Backbone'],
  ['63949', 'Akamai Connected Cloud'],
  ['396982', 'Google LLC'],
  ['8075', 'Microsoft Corporation'],
  ['16509', 'Amazon.com, Inc.'],
  ['7922', 'Comcast Cable Communications, LLC'],
  ['3215', 'Orange S.A.'],
  ['28573', 'Claro NXT Telecomunicacoes Ltda'],
  ['58224', 'Iran Telecommunication Company PJS'],
  ['9121', 'Turk Telekom'],
];

const PLACES: readonly Place[] = [
  { country: 'China', city: 'Beijing', lat: 39.9042, lon: 116.4074, orgs: [4, 5, 6] },
  { country: 'China', city: 'Shanghai', lat: 31.2304, lon: 121.4737, orgs: [4, 5, 7] },
  { country: 'United States', city: 'Ashburn', lat: 39.0438, lon: -77.4874, orgs: [16, 17, 18, 19] },
  { country: 'United States', city: 'Santa Clara', lat: 37.3541, lon: -121.9552, orgs: [1, 3, 17] },
  { country: 'United States', city: 'New York', lat: 40.7128, lon: -74.006, orgs: [1, 11, 20] },
  { country: 'Russia', city: 'Moscow', lat: 55.7558, lon: 37.6173, orgs: [14, 8] },
  { country: 'Russia', city: 'Saint Petersburg', lat: 59.9343, lon: 30.3351, orgs: [14] },
  { country: 'Netherlands', city: 'Amsterdam', lat: 52.3676, lon: 4.9041, orgs: [9, 1, 8] },
  { country: 'Germany', city: 'Frankfurt am Main', lat: 50.1109, lon: 8.6821, orgs: [1, 2, 10] },
  { country: 'Germany', city: 'Nuremberg', lat: 49.4521, lon: 11.0767, orgs: [2, 10] },
  { country: 'France', city: 'Roubaix', lat: 50.6942, lon: 3.1746, orgs: [0] },
  { country: 'France', city: 'Paris', lat: 48.8566, lon: 2.3522, orgs: [0, 21] },
  { country: 'Brazil', city: 'Sao Paulo', lat: -23.5505, lon: -46.6333, orgs: [22, 3] },
  { country: 'India', city: 'Mumbai', lat: 19.076, lon: 72.8777, orgs: [15, 1] },
  { country: 'Vietnam', city: 'Hanoi', lat: 21.0278, lon: 105.8342, orgs: [13] },
  { country: 'South Korea', city: 'Seoul', lat: 37.5665, lon: 126.978, orgs: [12] },
  { country: 'Singapore', city: 'Singapore', lat: 1.3521, lon: 103.8198, orgs: [1, 6, 7] },
  { country: 'Romania', city: 'Bucharest', lat: 44.4268, lon: 26.1025, orgs: [8] },
  { country: 'Ukraine', city: 'Kyiv', lat: 50.4501, lon: 30.5234, orgs: [8, 11] },
  { country: 'Iran', city: 'Tehran', lat: 35.6892, lon: 51.389, orgs: [23] },
  { country: 'United Kingdom', city: 'London', lat: 51.5074, lon: -0.1278, orgs: [1, 8, 3] },
  { country: 'Japan', city: 'Tokyo', lat: 35.6762, lon: 139.6503, orgs: [3, 16] },
  { country: 'Hong Kong', city: 'Hong Kong', lat: 22.3193, lon: 114.1694, orgs: [6, 7] },
  { country: 'Turkey', city: 'Istanbul', lat: 41.0082, lon: 28.9784, orgs: [24] },
  { country: 'Luxembourg', city: 'Luxembourg', lat: 49.6116, lon: 6.1319, orgs: [11] },
];

/** Where attackers are: heavy in China, the US, Russia and the Netherlands, with a long tail. */
const PLACE_WEIGHTS = [14, 10, 12, 6, 5, 9, 4, 8, 6, 3, 5, 2, 4, 4, 3, 3, 3, 2, 2, 2, 3, 2, 3, 1, 2];

/** A remote party as GuardDuty reports it in `remoteIpDetails` (field order as GuardDuty emits it). */
export type RemoteIpDetails = Readonly<Record<string, unknown>>;

/** A shared pool of remote addresses with a skewed popularity, so "top remote IPs" has a clear head. */
export class RemotePool {
  private readonly details: RemoteIpDetails[];
  private readonly popularity: WeightedTable;

  constructor(rng: Random) {
    const addresses: string[] = [];
    for (let i = 1; i < 255; i++) addresses.push(`198.51.100.${i}`, `203.0.113.${i}`);
    for (let i = 1; i < 128; i++) addresses.push(`192.0.2.${i}`);
    for (let i = 0; i < 96; i++) addresses.push(`2001:db8:${(0x100 + rng.int(0xef00)).toString(16)}::${(1 + rng.int(0xfffe)).toString(16)}`);
    shuffle(addresses, rng);
    const places = new WeightedTable(PLACE_WEIGHTS);
    this.details = addresses.map((address) => {
      const place = PLACES[places.sample(rng)] ?? PLACES[0]!;
      const [asn, name] = ORGANIZATIONS[rng.pick(place.orgs)] ?? ORGANIZATIONS[0]!;
      const jitter = (): number => Math.round((rng.next() - 0.5) * 2000) / 10000;
      return {
        [address.includes(':') ? 'ipAddressV6' : 'ipAddressV4']: address,
        organization: { asn, asnOrg: name, isp: name, org: name },
        country: { countryName: place.country },
        city: { cityName: place.city },
        geoLocation: { lat: round4(place.lat + jitter()), lon: round4(place.lon + jitter()) },
      };
    });
    this.popularity = new WeightedTable(zipfWeights(this.details.length, 1.0));
  }

  /** A remote party; the same few addresses come back often. The object is shared: treat it as read-only. */
  sample(rng: Random): RemoteIpDetails {
    return this.details[this.popularity.sample(rng)] ?? this.details[0]!;
  }
}

/** The address of a `remoteIpDetails` object, IPv4 or IPv6. */
export function addressOf(details: RemoteIpDetails): string {
  return String(details['ipAddressV4'] ?? details['ipAddressV6']);
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function shuffle<T>(items: T[], rng: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

const DOMAINS: Readonly<Record<string, readonly string[]>> = {
  crypto: ['pool.minexmr.example', 'xmr-eu1.nanopool.example', 'stratum.supportxmr.test', 'eth.2miners.example', 'btc.f2pool.test'],
  c2: ['update.cdn-telemetry.example', 'api.metrics-sync.test', 'beacon.cloudfront-cdn.invalid', 'dl.softupdate.example'],
  phishing: ['login-microsoftonline.example', 'secure-appleid-verify.test', 'aws-console-signin.example'],
  drop: ['paste.dropzone.example', 'files.exfil-store.test'],
  blackhole: ['sinkhole.blocked-domain.example', 'null.routed.test'],
  rebind: ['169.254.169.254.nip.example', 'a9fea9fe.rbndr.test'],
  reputation: ['free-vpn-download.example', 'cheap-proxies.test', 'tracking.adware-network.example', 'bit.shortener.test'],
};

/** A domain from reserved TLDs (.example, .test, .invalid) that fits the finding type; DGA types get fresh names. */
export function domainFor(type: string, rng: Random): string {
  if (type.includes('DGADomain') || type.includes('DNSDataExfiltration')) {
    let label = '';
    const length = rng.range(10, 18);
    for (let i = 0; i < length; i++) label += String.fromCharCode(97 + rng.int(26));
    return `${label}.test`;
  }
  const key = type.includes('Bitcoin') ? 'crypto'
    : type.includes('C&C') ? 'c2'
    : type.includes('Phishing') ? 'phishing'
    : type.includes('DropPoint') || type.includes('DriveBy') ? 'drop'
    : type.includes('Blackhole') ? 'blackhole'
    : type.includes('MetadataDNSRebind') ? 'rebind'
    : 'reputation';
  return rng.pick(DOMAINS[key] ?? DOMAINS['reputation']!);
}

/** A well-known port with GuardDuty's `portName`. */
export interface Port {
  readonly port: number;
  readonly portName: string;
}

const PROBED: readonly Port[] = [
  { port: 22, portName: 'SSH' }, { port: 80, portName: 'HTTP' }, { port: 443, portName: 'HTTPS' },
  { port: 3389, portName: 'RDP' }, { port: 3306, portName: 'MYSQL' }, { port: 5432, portName: 'POSTGRESQL' },
  { port: 6379, portName: 'Unknown' }, { port: 8080, portName: 'Unknown' }, { port: 23, portName: 'TELNET' },
];
const EMR_PORTS: readonly Port[] = [{ port: 8088, portName: 'Unknown' }, { port: 8888, portName: 'Unknown' }, { port: 18080, portName: 'Unknown' }];

/** The service port a finding type is about (local for inbound, remote for outbound). */
export function servicePortFor(type: string, rng: Random): Port {
  if (type.includes('SSH')) return { port: 22, portName: 'SSH' };
  if (type.includes('RDP')) return { port: 3389, portName: 'RDP' };
  if (type.includes('WinRM')) return { port: 5985, portName: 'Unknown' };
  if (type.includes('Bitcoin')) return rng.pick([{ port: 3333, portName: 'Unknown' }, { port: 8333, portName: 'Unknown' }]);
  if (type.includes('Tor')) return rng.pick([{ port: 9001, portName: 'Unknown' }, { port: 443, portName: 'HTTPS' }]);
  if (type.includes('DoT')) return { port: 853, portName: 'Unknown' };
  if (type.includes('DNSResolver') || type.includes('DenialOfService.Dns')) return { port: 53, portName: 'DNS' };
  if (type.includes('Spambot')) return { port: 25, portName: 'SMTP' };
  if (type.includes('PortUnusual')) return { port: rng.range(1024, 65000), portName: 'Unknown' };
  return rng.pick([{ port: 443, portName: 'HTTPS' }, { port: 80, portName: 'HTTP' }, { port: 8080, portName: 'Unknown' }]);
}

/** Ports a prober hits: EMR ports for the EMR finding, common services otherwise. */
export function probedPortFor(type: string, rng: Random): Port {
  return rng.pick(type.includes('EMR') ? EMR_PORTS : PROBED);
}

/** An ephemeral client port. */
export function ephemeralPort(rng: Random): Port {
  return { port: rng.range(32768, 60999), portName: 'Unknown' };
}
