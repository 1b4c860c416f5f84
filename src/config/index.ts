/* Configuration of `guardrail run`: settings read once from a config file and the environment, and the watched rules. */
export { SETTINGS, SETTING_NAMES, type SettingSpec } from './settings.js';
export { loadConfig, describeConfig, type LoadedConfig } from './load.js';
export { readSettings, type RawSettings, type RawValue } from './source.js';
export { RulesWatcher, type RulesWatcherOptions, type ReloadOutcome } from './rules-watcher.js';
export type { AlertmanagerSettings, FailMode, KafkaLogLevel, KafkaSettings, LogLevel, ProcessorConfig, ProcessorMode, SaslMechanism, TopicSettings } from './types.js';
