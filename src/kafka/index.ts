/* The live processor's Kafka side: client, topics, the consumer group member, batch handling and start-up. */
export { createKafka } from './client.js';
export { checkKafkaAccess, kafkaAccessError } from './access.js';
export { ensureTopics, topicNames } from './topics.js';
export { startProcessor, type Processor, type ProcessorDeps } from './processor.js';
export { BatchHandler, type BatchControl, type BatchHandlerDeps, type BatchInput, type BatchResult } from './batch.js';
export { GroupMember } from './consumer.js';
export { DLQ_HEADERS, DLQ_HEADERS_DROPPED, DLQ_KEY_TRUNCATED, DLQ_TRUNCATED, deadLetter, truncateDeadLetter } from './dead-letter.js';
export { LedgerStore, RedeliveryLedger } from './ledger.js';
export { statelessRuleset } from './stateless.js';
