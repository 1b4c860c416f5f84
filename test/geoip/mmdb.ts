/*
 * Writes MaxMind DB files (format 2.0, https://maxmind.github.io/MaxMind-DB/) for tests: an IPv6
 * search tree with 24-bit records, IPv4 networks under ::/96 as MaxMind's own databases keep them,
 * and records shaped like GeoLite2-City's (country.iso_code, location.latitude/longitude).
 * No GeoIP database ships with the project, and tests must not download one.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** CIDR, IPv4 or IPv6: "203.0.113.0/24", "2001:db8::/32". */
  cidr: string;
  record: { [key: string]: MmdbValue };
}

/** City-database record for a network: the fields Guardrail reads, and the accuracy radius MaxMind adds. */
export function cityRecord(country: string, latitude: number, longitude: number): { [key: string]: MmdbValue } {
  return {
    country: { iso_code: country, names: { en: country } },
    location: { latitude, longitude, accuracy_radius: 50 },
  };
}

export function writeMmdb(networks: readonly MmdbNetwork[], databaseType = 'GeoLite2-City'): Buffer {
  const data = new DataSection();
  // Node 0 is the root; a record is a node number, NO_DATA (= node count) or a data pointer, all
  // resolved once the node count is known.
  type Rec = { node: number } | { data: number } | null;
  const nodes: [Rec, Rec][] = [[null, null]];
  for (const { cidr, record } of networks) {
    const [bits, prefix] = parseCidr(cidr);
    const offset = data.add(record);
    let node = 0;
    for (let depth = 0; depth < prefix; depth++) {
      const bit = bits[depth]!;
      const pair = nodes[node]!;
      if (depth === prefix - 1) {
        pair[bit] = { data: offset };
        break;
      }
      const next = pair[bit];
      if (next && 'data' in next) throw new Error(`${cidr} lies inside a network written before it`);
      if (next) {
        node = next.node;
      } else {
        nodes.push([null, null]);
        pair[bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  const value = (r: Rec): number => (r === null ? nodeCount : 'node' in r ? r.node : nodeCount + 16 + r.data);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(value(left), i * 6, 3);
    tree.writeUIntBE(value(right), i * 6 + 3, 3);
  });
  const metadata = new DataSection();
  metadata.add({
    node_count: { uint32: nodeCount },
    record_size: { uint16: 24 },
    ip_version: { uint16: 6 },
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: { uint16: 2 },
    binary_format_minor_version: { uint16: 0 },
    build_epoch: { uint64: Math.floor(Date.UTC(2026, 10, 1) / 1000) },
    description: { en: 'Guardrail test database' },
  } as unknown as { [key: string]: MmdbValue });
  return Buffer.concat([tree, Buffer.alloc(16), data.bytes(), Buffer.from('ABCDEF4D61784D696E642E636F6D', 'hex'), metadata.bytes()]);
}

/** The network's address as 128 bits (IPv4 mapped under ::/96) and its prefix length in that space. */
function parseCidr(cidr: string): [number[], number] {
  const [address = '', len = ''] = cidr.split('/');
  const prefix = Number(len);
  if (isIPv4(address)) {
    const bytes = address.split('.').map(Number);
    return [[...new Array<number>(96).fill(0), ...bitsOf(bytes)], 96 + prefix];
  }
  if (!isIPv6(address)) throw new Error(`not a network: ${cidr}`);
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes('::') ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return [bitsOf(all.flatMap((g) => [g >> 8, g & 0xff])), prefix];
}

function bitsOf(bytes: readonly number[]): number[] {
  return bytes.flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (b >> i) & 1));
}

/** The data section encoding: control byte with type and size, then the payload (no pointers). */
class DataSection {
  private readonly parts: Buffer[] = [];
  private length = 0;

  add(value: MmdbValue): number {
    const offset = this.length;
    const b = encode(value);
    this.parts.push(b);
    this.length += b.length;
    return offset;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const TYPE = { utf8: 2, double: 3, uint16: 5, uint32: 6, map: 7, uint64: 9, array: 11, boolean: 14 } as const;

function control(type: number, size: number): Buffer {
  const head = (t: number, s: number) => (type <= 7 ? [(t << 5) | s] : [s, type - 7]);
  if (size < 29) return Buffer.from(head(type, size));
  if (size < 285) return Buffer.from([...head(type, 29), size - 29]);
  if (size < 65_821) return Buffer.from([...head(type, 30), (size - 285) >> 8, (size - 285) & 0xff]);
  throw new Error('value too large for this writer');
}

function unsigned(type: number, n: number): Buffer {
  const bytes: number[] = [];
  for (let v = BigInt(n); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(v: MmdbValue): Buffer {
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([control(TYPE.utf8, s.length), s]);
  }
  if (typeof v === 'number') {
    const d = Buffer.alloc(8);
    d.writeDoubleBE(v);
    return Buffer.concat([control(TYPE.double, 8), d]);
  }
  if (typeof v === 'boolean') return control(TYPE.boolean, v ? 1 : 0);
  if (Array.isArray(v)) return Buffer.concat([control(TYPE.array, v.length), ...v.map(encode)]);
  const keys = Object.keys(v);
  const only = keys.length === 1 ? keys[0]! : '';
  if (only === 'uint16' || only === 'uint32' || only === 'uint64') return unsigned(TYPE[only], v[only] as number);
  return Buffer.concat([control(TYPE.map, keys.length), ...keys.flatMap((k) => [encode(k), encode(v[k]!)])]);
}
