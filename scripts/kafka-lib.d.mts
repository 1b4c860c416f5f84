// Types of scripts/kafka-lib.mjs for the TypeScript test setup (the scripts themselves need no build step).
export declare const ROOT: string;
export declare const KAFKA_VERSION: string;

export interface KafkaBroker {
  /** `127.0.0.1:<port>`, ready for kafkajs's `brokers` option. */
  brokers: string;
  pid: number;
  port: number;
  dir: string;
  /** True when a broker this script had started on the same dir and port was already running. */
  reused: boolean;
  stop(): Promise<number | undefined>;
}

/** A listener on 127.0.0.1 besides PLAINTEXT, e.g. `{ name: 'SASL_SSL', protocol: 'SASL_SSL', port: 9094 }`. */
export interface ExtraListener {
  /** Listener name, upper case; `listener.name.<lower case name>.*` properties configure it. */
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  port: number;
}

/** A SCRAM credential created when the storage is formatted. */
export interface ScramUser {
  /** Default SCRAM-SHA-512. */
  mechanism?: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  name: string;
  password: string;
}

export interface StartOptions {
  port?: number;
  dir?: string;
  version?: string;
  /** Maximum Java heap, as for -Xmx (default 512m). */
  heap?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Listeners besides PLAINTEXT on `port`, which stays the inter-broker listener and the one readiness is checked on. */
  listeners?: readonly ExtraListener[];
  /** Server properties written after the defaults; a repeated key wins. */
  properties?: Readonly<Record<string, string>>;
  /** SCRAM users, created only when a fresh data dir is formatted. */
  scramUsers?: readonly ScramUser[];
}

export declare function cacheDir(version?: string): string;
export declare function defaultDataDir(port: number): string;
export declare function freePort(): Promise<number>;
export declare function fetchKafka(options?: { version?: string; log?: (line: string) => void }): Promise<string>;
export declare function startKafka(options?: StartOptions): Promise<KafkaBroker>;
export declare function stopKafka(dir?: string, options?: { timeoutMs?: number }): Promise<number | undefined>;
export declare function cachedJarsSize(version?: string): number;
