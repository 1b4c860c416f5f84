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

export interface StartOptions {
  port?: number;
  dir?: string;
  version?: string;
  /** Maximum Java heap, as for -Xmx (default 512m). */
  heap?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export declare function cacheDir(version?: string): string;
export declare function defaultDataDir(port: number): string;
export declare function freePort(): Promise<number>;
export declare function fetchKafka(options?: { version?: string; log?: (line: string) => void }): Promise<string>;
export declare function startKafka(options?: StartOptions): Promise<KafkaBroker>;
export declare function stopKafka(dir?: string, options?: { timeoutMs?: number }): Promise<number | undefined>;
export declare function cachedJarsSize(version?: string): number;
