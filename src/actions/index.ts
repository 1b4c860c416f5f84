/* Actions: detections turned into revocations, quarantines, approval requests and alerts, within the revocation budget. */
export {
  actionId,
  approvalMessage,
  quarantineMessage,
  revocationMessage,
  type ActionMessage,
  type ApprovalMessage,
  type QuarantineMessage,
  type RevocationMessage,
} from './messages.js';
export { BUDGET_WINDOW_MS, MemoryBudget, RedisBudget, type RevocationBudget } from './budget.js';
export { lookupQuarantine, queueQuarantines, quarantineEntry, quarantineKey, type QuarantineEntry } from './quarantine.js';
export { liftQuarantine, listQuarantines, releaseId, releaseMessage, type LiftResult, type QuarantineListing, type ReleaseMessage } from './release.js';
export {
  CLIPPED_HEADER,
  clipText,
  dispatchDetections,
  MAX_MESSAGE_CHARS,
  type ActionOutcome,
  type ActionTopics,
  type Dispatch,
  type DispatchOptions,
  type OutRecord,
  type PublishedDetection,
} from './dispatch.js';
export {
  ALERT_NAME,
  AlertPusher,
  detectionAlert,
  isPushed,
  type AlertPusherOptions,
  type AlertmanagerAlert,
  type PushOutcome,
} from './alertmanager.js';
